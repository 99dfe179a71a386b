/**
 * `metacaptioner distill check`, the built CLI as a process (`npm run
 * build:cli` first): a `distill prepare` output made here by the built
 * command from a run log of solid-colour images, checked with a forged
 * SmolVLM-family model folder whose captions are known by colour
 * (test/fixtures/specs.ts), so every score is known: the same words (1),
 * none in common (0), one of four words (0.4). Then each bad input, and
 * Ctrl-C.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES } from '../fixtures/forge/models';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { okLine, runLog } from '../support/distill-fixture';
import { solidPng } from '../support/png';

const BIN = join(process.cwd(), 'bin/metacaptioner.js');
let work: string;
type Run = { code: number; out: string; err: string };

/** Runs the built CLI in `work`; resolves with its exit code and output. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: work }, (error, out, err) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

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
  blue: `${TINY_VLM_CAPTIONS.blue.toLowerCase()} and sky`, // P = 1/1, R = 1/3: F1 = 0.5
} as const;

let good: Run;
let goodJson: Run;

beforeAll(async () => {
  expect(existsSync(join(process.cwd(), 'dist-cli/metacaptioner.js')), 'run `npm run build:cli` first').toBe(true);
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
  FIXTURES['tiny-smolvlm'](join(work, 'models/student'), { dtypes: ['fp32', 'q8'] });
  FIXTURES['tiny-smolvlm'](join(work, 'models/fp32-only'), { dtypes: ['fp32'] });
  FIXTURES['tiny-smolvlm-endless'](join(work, 'models/endless'), { dtypes: ['q8'] });
  FIXTURES['tiny-qwen3'](join(work, 'models/text-only'), { dtypes: ['q8'] });
  // Solid colours share one dHash: no duplicate removal. Nearly every image in val.jsonl.
  const prepared = await cli(
    'distill',
    'prepare',
    'run.jsonl',
    '--out',
    'set',
    '--dup-distance',
    'off',
    '--val-fraction',
    '0.99',
  );
  expect(prepared.code, prepared.err).toBe(0);
  const before = [snapshot(join(work, 'set')), snapshot(join(work, 'models/student'))];
  [good, goodJson] = await Promise.all([
    cli('distill', 'check', 'models/student', '--data', 'set'),
    cli('distill', 'check', 'models/fp32-only', '--data', 'set', '--dtype', 'fp32', '--json', '--n', '2'),
  ]);
  expect([snapshot(join(work, 'set')), snapshot(join(work, 'models/student'))]).toEqual(before);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('distill check', () => {
  test('captions the validation images through the local engine and scores each against CapFlow', () => {
    expect(good.code, good.err).toBe(0);
    expect(good.out).toContain('Score: unigram F1 of lower-cased words (letters and digits), student against CapFlow');
    expect(good.out).toMatch(
      /^Checked 3 of 3 examples in set\/val\.jsonl with models\/student \(loaded in [\d.]+ s\)\./,
    );
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
      'images/blue.png': { score: '0.500', time: expect.stringMatching(/^[\d.]+ s$/), student: TINY_VLM_CAPTIONS.blue },
    });
    expect(good.out).toContain('Mean score 0.500 over 3 images;');
    expect(good.err).toContain('Loading models/student (idefics3, q8/q8/q8) on the CPU…');
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
      expect(e.score).toBe({ red: 1, green: 0, blue: 0.5 }[colour]);
    }
    expect(report.meanScore).toBe(
      Math.round((report.examples.reduce((t: number, e: { score: number }) => t + e.score, 0) / 2) * 1000) / 1000,
    );
  });

  test('an empty val.jsonl: the examples of train.jsonl, said on stderr', async () => {
    cpSync(join(work, 'set'), join(work, 'train-only'), { recursive: true });
    cpSync(join(work, 'set/val.jsonl'), join(work, 'train-only/train.jsonl'));
    writeFileSync(join(work, 'train-only/val.jsonl'), '');
    const run = await cli('distill', 'check', 'models/student', '--data', 'train-only', '--n', '1');
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(
      'val.jsonl is empty: checking examples of train.jsonl, which the student was trained on.',
    );
    expect(run.out).toContain('Checked 1 of 3 examples in train-only/train.jsonl');
  });

  test('a folder that is not a model folder the app runs: named, with what is wrong', async () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    cpSync(join(work, 'models/student/config.json'), join(work, 'config-only/config.json'));
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
      cli('distill', 'check', 'models/student', '--data', 'imgs'),
      cli('distill', 'check', 'models/student', '--data', 'other'),
      cli('distill', 'check', 'models/student', '--data', 'lost'),
      cli('distill', 'check', 'models/student'),
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
