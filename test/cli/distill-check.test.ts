/**
 * `metacaptioner distill check`, the built CLI as a process (`npm run
 * build:cli` first), on `distill prepare` outputs made here by the built
 * command. The committed student (test/fixtures/distill/: a tiny SmolVLM
 * trained and exported by distill/'s recipe) writes, through the app's
 * loader, the tokens the recipe recorded with onnxruntime in Python for
 * the same image and prompt, on the CPU plan and on fp32. A forged
 * SmolVLM-family folder whose captions are known by colour
 * (test/fixtures/specs.ts) makes every score known: the same words (1),
 * none in common (0), one of two words (0.5). Then each bad input, and
 * Ctrl-C (the forge's model that never stops).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { singlePassPrompt } from '../../src/capflow/prompts';
import { FIXTURES } from '../fixtures/forge/models';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { BIN, type BuiltRun, expectBuiltCli, runBuiltCli } from '../support/built-cli';
import { okLine, runLog } from '../support/distill-fixture';
import { solidPng } from '../support/png';
import { STUDENT, STUDENT_FIXTURE, STUDENT_REFERENCE } from '../support/student-fixture';

const FIXTURE = STUDENT_FIXTURE;
const REFERENCE = STUDENT_REFERENCE;
let work: string;
type Run = BuiltRun;
const cli = (...args: string[]) => runBuiltCli(work, args);

/** Every file under `dir` with its size and modification time: what "nothing was written" is checked on. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const s = statSync(join(dir, f));
      return `${f} ${s.size} ${s.mtimeMs}`;
    });
}

const CAPFLOW = {
  red: TINY_VLM_CAPTIONS.red, // the student's words exactly: 1
  green: 'A green meadow under a wide sky.', // no word in common: 0
  blue: `${TINY_VLM_CAPTIONS.blue.toLowerCase()} sky`, // P = 1/1, R = 1/2: F1 = 2/3
} as const;

let good: Run;
let goodJson: Run;
let student: Run;
let studentPlan: Run;
let studentFp32: Run;

beforeAll(async () => {
  expectBuiltCli();
  work = mkdtempSync(join(tmpdir(), 'distill-check-'));
  mkdirSync(join(work, 'imgs'));
  writeFileSync(join(work, 'imgs/red.png'), solidPng(220, 20, 20));
  writeFileSync(join(work, 'imgs/green.png'), solidPng(20, 220, 20));
  writeFileSync(join(work, 'imgs/blue.png'), solidPng(20, 20, 220));
  writeFileSync(
    join(work, 'run.jsonl'),
    runLog(Object.entries(CAPFLOW).map(([colour, caption]) => okLine(`imgs/${colour}.png`, { caption }))),
  );
  // The forge's SmolVLM with the files of the family's CPU plan (q8) and fp32; a copy with fp32 only.
  FIXTURES['tiny-smolvlm'](join(work, 'models/forge'), { dtypes: ['fp32', 'q8'] });
  FIXTURES['tiny-smolvlm'](join(work, 'models/fp32-only'), { dtypes: ['fp32'] });
  FIXTURES['tiny-smolvlm-endless'](join(work, 'models/endless'), { dtypes: ['q8'] });
  FIXTURES['tiny-qwen3'](join(work, 'models/text-only'), { dtypes: ['q8'] });
  // The student's reference image, captioned by CapFlow in the domain whose prompt the recipe recorded.
  cpSync(join(FIXTURE, REFERENCE.image), join(work, 'imgs/reference.png'));
  writeFileSync(
    join(work, 'student.jsonl'),
    runLog([okLine('imgs/reference.png', { domain: 'natural', caption: 'A photo of a small toy on a table.' })]),
  );
  // Solid colours share one dHash: no duplicate removal. Nearly every image in val.jsonl.
  const prepared = await Promise.all([
    cli('distill', 'prepare', 'run.jsonl', '--out', 'set', '--dup-distance', 'off', '--val-fraction', '0.99'),
    cli('distill', 'prepare', 'student.jsonl', '--out', 'student-set', '--val-fraction', '0.99'),
  ]);
  for (const p of prepared) expect(p.code, p.err).toBe(0);
  const watched = [join(work, 'set'), join(work, 'student-set'), join(work, 'models/forge'), STUDENT];
  const before = watched.map(snapshot);
  const reference = ['--max-tokens', String(REFERENCE.max_new_tokens), '--json'];
  [good, goodJson, student, studentPlan, studentFp32] = await Promise.all([
    cli('distill', 'check', 'models/forge', '--data', 'set'),
    cli('distill', 'check', 'models/fp32-only', '--data', 'set', '--dtype', 'fp32', '--json', '--n', '2'),
    cli('distill', 'check', STUDENT, '--data', 'student-set'),
    cli('distill', 'check', STUDENT, '--data', 'student-set', ...reference),
    cli('distill', 'check', STUDENT, '--data', 'student-set', ...reference, '--dtype', 'fp32'),
  ]);
  expect(watched.map(snapshot)).toEqual(before);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('distill check', () => {
  test("the exported student, through the app's loader, writes the tokens the recipe recorded", async () => {
    expect(REFERENCE.prompt).toBe(singlePassPrompt('natural', 'English', 'detailed'));
    expect(student.code, student.err).toBe(0);
    expect(student.err).toContain(`Loading ${STUDENT} (idefics3, q8/q8/q8) on the CPU…`);
    expect(student.out).toContain(`Checked 1 of 1 examples in student-set/val.jsonl with ${STUDENT} (loaded in `);
    expect(student.out).toMatch(/\nimages\/reference\.png +\d\.\d{3} +[\d.]+ s  /);
    expect(student.out).toMatch(/\nMean score \d\.\d{3} over 1 image;/);

    env.localModelPath = `${FIXTURE}/`;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained('student');
    const text = (plan: string) =>
      tokenizer.decode([...(REFERENCE.tokens[plan] ?? [])], { skip_special_tokens: true }).trim();
    for (const [run, plan, dtype] of [
      [studentPlan, 'onnxruntime:wasm', { vision_encoder: 'q8', embed_tokens: 'q8', decoder_model_merged: 'q8' }],
      [studentFp32, 'onnxruntime:fp32', 'fp32'],
    ] as const) {
      expect(run.code, run.err).toBe(0);
      const report = JSON.parse(run.out);
      expect(report).toMatchObject({ model: STUDENT, dtype, split: 'val', available: 1 });
      expect(report.examples).toEqual([
        expect.objectContaining({
          image: 'images/reference.png',
          tokens: REFERENCE.max_new_tokens,
          caption: text(plan),
          reference: 'A photo of a small toy on a table.',
        }),
      ]);
    }
    // The two plans' recorded tokens differ, so each comparison above tells the plans apart.
    expect(text('onnxruntime:wasm')).not.toBe(text('onnxruntime:fp32'));
  });

  test('captions the validation images through the local engine and scores each against CapFlow', () => {
    expect(good.code, good.err).toBe(0);
    expect(good.out).toContain('Score: unigram F1 of lower-cased words (letters and digits), student against CapFlow');
    expect(good.out).toMatch(/^Checked 3 of 3 examples in set\/val\.jsonl with models\/forge \(loaded in [\d.]+ s\)\./);
    const rows = Object.fromEntries(
      good.out
        .split('\n')
        .filter((l) => l.startsWith('images/'))
        .map((l) => {
          const [image, score, time, unit, student] = l.split(/\s+/);
          return [image, { score, time: `${time} ${unit}`, student }];
        }),
    );
    expect(rows).toEqual({
      'images/red.png': { score: '1.000', time: expect.stringMatching(/^[\d.]+ s$/), student: TINY_VLM_CAPTIONS.red },
      'images/green.png': {
        score: '0.000',
        time: expect.stringMatching(/^[\d.]+ s$/),
        student: TINY_VLM_CAPTIONS.green,
      },
      'images/blue.png': { score: '0.667', time: expect.stringMatching(/^[\d.]+ s$/), student: TINY_VLM_CAPTIONS.blue },
    });
    expect(good.out).toContain('Mean score 0.556 over 3 images;');
    expect(good.err).toContain('Loading models/forge (idefics3, q8/q8/q8) on the CPU…');
    expect(good.err).toMatch(/\[3\/3\] images\/\w+\.png/);
  });

  test('--json, --n and --dtype: the first N examples, machine-readable, from the fp32 files', () => {
    expect(goodJson.code, goodJson.err).toBe(0);
    const report = JSON.parse(goodJson.out);
    expect(report).toMatchObject({
      kind: 'metacaptioner-distill-check',
      model: 'models/fp32-only',
      dtype: 'fp32',
      data: 'set/val.jsonl',
      split: 'val',
      available: 3,
      scoring: 'unigram F1 of lower-cased words (letters and digits)',
    });
    expect(report.examples).toHaveLength(2);
    for (const e of report.examples) {
      const colour = e.image.replace(/^images\/(\w+)\.png$/, '$1') as keyof typeof CAPFLOW;
      expect(e.caption).toBe(TINY_VLM_CAPTIONS[colour]);
      expect(e.reference).toBe(CAPFLOW[colour]);
      expect(e.score).toBe({ red: 1, green: 0, blue: 0.667 }[colour]);
    }
    // The first two lines of val.jsonl: blue (2/3) and green (0).
    expect(report.examples.map((e: { image: string }) => e.image)).toEqual(['images/blue.png', 'images/green.png']);
    expect(report.meanScore).toBe(0.333);
  });

  test('an empty val.jsonl: the examples of train.jsonl, said on stderr', async () => {
    cpSync(join(work, 'set'), join(work, 'train-only'), { recursive: true });
    cpSync(join(work, 'set/val.jsonl'), join(work, 'train-only/train.jsonl'));
    writeFileSync(join(work, 'train-only/val.jsonl'), '');
    const run = await cli('distill', 'check', 'models/forge', '--data', 'train-only', '--n', '1');
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(
      'val.jsonl is empty: checking examples of train.jsonl, which the student was trained on.',
    );
    expect(run.out).toContain('Checked 1 of 3 examples in train-only/train.jsonl');
  });

  test('a folder that is not a model folder the app runs: named, with what is wrong', async () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    cpSync(join(STUDENT, 'config.json'), join(work, 'config-only/config.json'));
    const [empty, noOnnx, textOnly, noQ8, file] = await Promise.all([
      cli('distill', 'check', 'empty', '--data', 'set'),
      cli('distill', 'check', 'config-only', '--data', 'set'),
      cli('distill', 'check', 'models/text-only', '--data', 'set'),
      cli('distill', 'check', 'models/fp32-only', '--data', 'set'),
      cli('distill', 'check', 'run.jsonl', '--data', 'set'),
    ]);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain(
      'DistillInputError: "empty" is not a model folder: "empty/config.json" could not be read: no such file (ENOENT).',
    );
    expect(noOnnx.code).toBe(1);
    expect(noOnnx.err).toContain(
      '"config-only" is not a model folder for the app: "config-only/onnx" could not be read',
    );
    expect(textOnly.code).toBe(1);
    expect(textOnly.err).toContain(
      '"models/text-only/config.json" has model_type "qwen3": the app runs idefics3 or smolvlm (SmolVLM) and qwen3_5 (Qwen3.5) as the VLM.',
    );
    expect(noQ8.code).toBe(1);
    expect(noQ8.err).toContain(
      '"models/fp32-only" lacks "onnx/vision_encoder_quantized.onnx", "onnx/embed_tokens_quantized.onnx", "onnx/decoder_model_merged_quantized.onnx"',
    );
    expect(noQ8.err).toContain('Its complete dtypes: fp32 (choose one with --dtype).');
    expect(file.code).toBe(1);
    expect(file.err).toContain('"run.jsonl" is a file, not a model folder.');
  });

  test('a folder that is not a prepare output, a missing image, a missing --data', async () => {
    mkdirSync(join(work, 'other'), { recursive: true });
    writeFileSync(join(work, 'other/summary.json'), '{"kind":"something-else"}');
    cpSync(join(work, 'set'), join(work, 'lost'), { recursive: true });
    rmSync(join(work, 'lost/images/green.png'));
    const [imgs, other, lost, usage] = await Promise.all([
      cli('distill', 'check', 'models/forge', '--data', 'imgs'),
      cli('distill', 'check', 'models/forge', '--data', 'other'),
      cli('distill', 'check', 'models/forge', '--data', 'lost'),
      cli('distill', 'check', 'models/forge'),
    ]);
    expect(imgs.code).toBe(1);
    expect(imgs.err).toContain(
      'DistillInputError: "imgs" is not a distill prepare output: "imgs/summary.json" could not be read: no such file (ENOENT).',
    );
    expect(other.code).toBe(1);
    expect(other.err).toContain('"other/summary.json" is not of kind "metacaptioner-distill-prepare".');
    expect(lost.code).toBe(1);
    expect(lost.err).toMatch(
      /"lost\/val\.jsonl" line \d: the image "lost\/images\/green\.png" could not be read: no such file/,
    );
    expect(lost.err).not.toContain('Loading');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('UsageError: distill check needs a model folder and --data, a prepare output.');
  });

  test('Ctrl-C stops the check: exit code 130, nothing printed on stdout', async () => {
    // The endless model writes to its token budget (384 for detailed captions) on every image: a SIGINT
    // sent once the first image has started finds work left.
    const child: ChildProcess = spawn(process.execPath, [BIN, 'distill', 'check', 'models/endless', '--data', 'set'], {
      cwd: work,
    });
    let [out, err] = ['', ''];
    child.stdout?.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((done) => {
      child.stderr?.on('data', (d) => {
        err += String(d);
        if (err.includes('[1/3]') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code, err).toBe(130);
    expect(err).toContain('Stopping.');
    expect(err).not.toContain('[3/3]');
    expect(out).toBe('');
  });
});
