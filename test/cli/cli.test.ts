/**
 * The `metacaptioner` CLI on a folder of generated images, on both engines:
 * `local` (the forge's models on onnxruntime-node, from a local folder,
 * offline) and `openai` against a real HTTP server serving the same models
 * (test/support/openai-server.ts) with injected faults. Exact captions,
 * bounded requests in flight, retries and failure records, bad files,
 * resume after a kill, shards merged, and the page's export formats.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/in-process-cli';
import type { RunLine } from '../../src/cli/run-log';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import { forgeAll } from '../fixtures/forge/models';
import { tinyLlmAnswer } from '../fixtures/forge/oracle';
import { TINY_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type OpenAiTestServer, startOpenAiServer } from '../support/openai-server';
import { damagedPng, encodePng, solidPng } from '../support/png';
import { startModelServer } from '../support/model-server';

const COLOURS = { red: [230, 20, 30], green: [10, 200, 40], blue: [20, 30, 220] } as const;
type Colour = keyof typeof COLOURS;

let root: string;
let work: string;
let server: OpenAiTestServer;
let disposeModels: () => Promise<void>;

/** Runs the CLI in this process from `work`; returns its exit code and what it printed. */
const cli = (...args: string[]) => runCli(args, { cwd: work });

const lines = (file: string): RunLine[] =>
  readFileSync(join(work, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLine);
const captions = (file: string) =>
  Object.fromEntries(lines(file).map((l) => [l.file, l.ok ? l.record.caption : l.error.name]));
const colourOf = (file: string) => /(red|green|blue)/.exec(file)?.[1] as Colour;

/** `imgs/<n>-<colour>.png`, `n` images cycling through the colours, in `imgs/a` and `imgs/b`. */
function makeImages(folder: string, n: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const colour = (Object.keys(COLOURS) as Colour[])[i % 3] ?? 'red';
    const name = `${folder}/${i % 2 ? 'a' : 'b'}/${String(i).padStart(3, '0')}-${colour}.png`;
    mkdirSync(join(work, name, '..'), { recursive: true });
    const [r, g, b] = COLOURS[colour];
    writeFileSync(join(work, name), solidPng(r, g, b));
    names.push(name);
  }
  return names.sort();
}

const LOCAL = [
  '--preset',
  'tiny',
  '--vlm',
  TINY_VLM.repo,
  '--llm',
  TINY_LLM.repo,
  '--router',
  'forge/tiny-clip-routed',
];
let OPENAI: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-cli-models-'));
  work = mkdtempSync(join(tmpdir(), 'mc-cli-'));
  forgeAll(join(root, 'forge'), { dtypes: ['fp32', 'q8', 'q4'] });
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
  const [vlm, llm] = await Promise.all([
    Vlm.load(TINY_VLM, 'wasm', 'fp32', () => {}),
    TextLlm.load(TINY_LLM, 'wasm', 'fp32', () => {}),
  ]);
  disposeModels = async () => {
    await Promise.all([vlm.dispose(), llm.dispose()]);
  };
  server = await startOpenAiServer({ vlm, llm });
  OPENAI = [
    '--engine',
    'openai',
    '--endpoint',
    server.url,
    '--vlm-model',
    TINY_VLM.repo,
    '--llm-model',
    TINY_LLM.repo,
    '--models',
    root,
    ...LOCAL.slice(0, 2),
    '--router',
    'forge/tiny-clip-routed',
  ];
  makeImages('imgs', 12);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await disposeModels?.();
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('both engines caption exactly', () => {
  test('local, offline from a model folder: single pass and CapFlow', async () => {
    const single = await cli(
      'caption',
      'imgs',
      '--out',
      'local-single.jsonl',
      '--mode',
      'single-pass',
      '--models',
      root,
      ...LOCAL,
    );
    expect(single.code, single.err).toBe(0);
    const got = captions('local-single.jsonl');
    expect(Object.keys(got)).toHaveLength(12);
    for (const [file, caption] of Object.entries(got)) expect(caption, file).toBe(TINY_VLM_CAPTIONS[colourOf(file)]);
    expect(single.out).toMatch(/^Captioned 12 images in [\d.]+ s \([\d.]+ images\/s\)\.\nTokens generated: \d+\.\n$/);

    const capflow = await cli(
      'caption',
      'imgs/a',
      '--out',
      'local-capflow.jsonl',
      '--models',
      root,
      '--sidecars',
      ...LOCAL,
    );
    expect(capflow.code, capflow.err).toBe(0);
    for (const line of lines('local-capflow.jsonl')) {
      if (!line.ok) throw new Error(line.error.message);
      const summary = line.record.trace.find((t) => t.agent === 'summary');
      expect(line.record.caption).toBe(tinyLlmAnswer(summary?.prompt ?? ''));
      expect(line.record.caption).toMatch(/^[a-z]+\.$/);
      expect(line.record.judge?.attempts).toHaveLength(1);
      // --sidecars: the caption beside its image, as it was done.
      expect(readFileSync(join(work, line.file.replace(/\.png$/, '.txt')), 'utf8')).toBe(line.record.caption);
    }
  });

  test('openai: the same captions through real HTTP, with requests in flight bounded by --concurrency', async () => {
    server.reset();
    server.behaviour.delayMs = 60;
    const run = await cli(
      'caption',
      'imgs',
      '--out',
      'openai-single.jsonl',
      '--mode',
      'single-pass',
      '--concurrency',
      '3',
      ...OPENAI,
    );
    expect(run.code, run.err).toBe(0);
    expect(captions('openai-single.jsonl')).toEqual(captions('local-single.jsonl'));
    expect(server.stats().maxInFlight).toBe(3);
    expect(run.out).toContain(`most in flight: 3 at ${server.url}`);

    server.reset();
    const capflow = await cli('caption', 'imgs/a', '--out', 'openai-capflow.jsonl', '--concurrency', '2', ...OPENAI);
    expect(capflow.code, capflow.err).toBe(0);
    expect(captions('openai-capflow.jsonl')).toEqual(captions('local-capflow.jsonl'));
    expect(lines('openai-capflow.jsonl')[0]).toMatchObject({ ok: true, record: { judge: { attempts: [{}] } } });

    // The VLM as the OCR tool, on a domain that has one: its transcription is the OCR note.
    const read = await cli(
      'caption',
      'imgs/a',
      '--out',
      'vlm-ocr.jsonl',
      '--domain',
      'ui',
      '--ocr',
      'vlm',
      '--judge-attempts',
      '0',
      ...OPENAI,
    );
    expect(read.code, read.err).toBe(0);
    for (const line of lines('vlm-ocr.jsonl')) {
      const ocr = line.ok ? line.record.trace.find((t) => t.agent === 'ocr') : undefined;
      expect(line.ok && line.record.domain).toMatchObject({ id: 'ui', decidedBy: 'pinned' });
      expect(ocr).toMatchObject({
        model: `${TINY_VLM.repo} (asked to transcribe)`,
        output: `"${TINY_VLM_CAPTIONS[colourOf(line.file)]}"`,
      });
    }

    // A judge of its own: every judge step goes to that model.
    const judged = await cli('caption', 'imgs/a', '--out', 'judged.jsonl', '--judge-model', TINY_LLM.repo, ...OPENAI);
    expect(judged.code, judged.err).toBe(0);
    for (const line of lines('judged.jsonl')) {
      const judges = line.ok ? line.record.trace.filter((t) => t.role === 'judge') : [];
      expect(judges.length).toBeGreaterThan(0);
      expect(new Set(judges.map((t) => t.model))).toEqual(new Set([TINY_LLM.repo]));
    }
  });
});

test('local from a model host: weights are downloaded once into --cache-dir, and the next run needs no host', async () => {
  const hub = await startModelServer(root);
  const cache = join(work, 'cache');
  const args = ['caption', 'imgs/a', '--mode', 'single-pass', '--cache-dir', cache, ...LOCAL];
  try {
    const first = await cli(...args, '--out', 'hub-1.jsonl', '--model-host', hub.url);
    expect(first.code, first.err).toBe(0);
    expect(hub.requests.filter((r) => r.status === 200 && r.path.endsWith('.onnx')).length).toBeGreaterThan(0);
    expect(readdirSync(cache, { recursive: true }).some((f) => String(f).endsWith('.onnx'))).toBe(true);
  } finally {
    await hub.close();
  }
  // The host is gone: the cached weights answer.
  const second = await cli(...args, '--out', 'hub-2.jsonl', '--model-host', hub.url);
  expect(second.code, second.err).toBe(0);
  expect(captions('hub-2.jsonl')).toEqual(captions('hub-1.jsonl'));
  for (const [file, caption] of Object.entries(captions('hub-2.jsonl')))
    expect(caption).toBe(TINY_VLM_CAPTIONS[colourOf(file)]);
});

describe('long runs', () => {
  test('transient faults are retried to success; a permanent failure is a failure record, not a crash', async () => {
    server.reset();
    // Requests 1 and 2 are the readiness probes of the VLM and the text model (--wait-ready): the faults hit
    // the caption requests after them.
    const faults: Record<number, 'malformed' | 'drop' | '503' | '429'> = {
      3: 'malformed',
      4: 'drop',
      5: '503',
      6: '429',
    };
    server.behaviour.fault = (n) => faults[n] ?? 'ok';
    const retried = await cli(
      'caption',
      'imgs/b',
      '--out',
      'faults.jsonl',
      '--mode',
      'single-pass',
      '--concurrency',
      '1',
      ...OPENAI,
    );
    expect(retried.code, retried.err).toBe(0);
    expect(lines('faults.jsonl').every((l) => l.ok)).toBe(true);
    expect(retried.out).toMatch(/retried: (?=.*malformed 1)(?=.*connection 1)(?=.*server-error 1)(?=.*rate-limited 1)/);

    // One image is always refused by a busy server; another is a request the server rejects.
    mkdirSync(join(work, 'odd'), { recursive: true });
    writeFileSync(join(work, 'odd/busy.png'), solidPng(250, 250, 250, 33, 33));
    writeFileSync(join(work, 'odd/refused.png'), solidPng(5, 5, 5, 90, 70));
    writeFileSync(join(work, 'odd/ok-red.png'), solidPng(...COLOURS.red));
    const size = (name: string) => `data:image/png;base64,${readFileSync(join(work, name)).toString('base64')}`.length;
    const [busy, refused] = [size('odd/busy.png'), size('odd/refused.png')];
    expect(busy).not.toBe(refused);
    server.reset();
    server.behaviour.fault = (_n, _prompt, bytes) => (bytes === busy ? '503' : bytes === refused ? '400' : 'ok');
    const failed = await cli(
      'caption',
      'odd',
      '--out',
      'odd.jsonl',
      '--mode',
      'single-pass',
      '--retries',
      '2',
      '--concurrency',
      '1',
      ...OPENAI,
    );
    expect(failed.code).toBe(3);
    const outcomes = lines('odd.jsonl').map((l) => [l.file, l.ok ? l.record.caption : l.error] as const);
    expect(outcomes.toSorted(([a], [b]) => a.localeCompare(b))).toEqual([
      [
        'odd/busy.png',
        {
          name: 'RetriesExhaustedError',
          message: expect.stringContaining('HTTP 503'),
          reason: 'server-error',
          attempts: 2,
        },
      ],
      ['odd/ok-red.png', TINY_VLM_CAPTIONS.red],
      ['odd/refused.png', { name: 'EndpointError', message: expect.stringContaining('refused the request: HTTP 400') }],
    ]);
    // 2 readiness probes, 2 tries for the busy image, 1 for the refused one (not retried), 1 for the good one.
    expect(server.stats().requests).toBe(6);
    expect(failed.out).toMatch(/2 failed: (?=.*RetriesExhaustedError \(server-error\) 1)(?=.*EndpointError 1)/);
  });

  test('bad files fail one by one with their own error, as on the page', async () => {
    mkdirSync(join(work, 'bad'), { recursive: true });
    writeFileSync(join(work, 'bad/corrupt.png'), damagedPng());
    writeFileSync(join(work, 'bad/empty.png'), Buffer.alloc(0));
    writeFileSync(join(work, 'bad/notes.png'), 'not an image at all');
    // A header that says 20000 × 20000: refused before any decoding.
    const huge = encodePng(1, 1, new Uint8Array(3));
    huge.writeUInt32BE(20_000, 16);
    huge.writeUInt32BE(20_000, 20);
    writeFileSync(join(work, 'bad/huge.png'), huge);
    writeFileSync(join(work, 'bad/good-blue.png'), solidPng(...COLOURS.blue));
    const run = await cli('caption', 'bad', '--out', 'bad.jsonl', '--mode', 'single-pass', '--models', root, ...LOCAL);
    expect(run.code).toBe(3);
    expect(captions('bad.jsonl')).toEqual({
      'bad/corrupt.png': 'ImageDecodeError',
      'bad/empty.png': 'UnsupportedFileError',
      'bad/good-blue.png': TINY_VLM_CAPTIONS.blue,
      'bad/huge.png': 'ImageTooLargeError',
      'bad/notes.png': 'UnsupportedFileError',
    });
  });

  test('killed mid-run and started again, every image ends up in the output exactly once', async () => {
    const files = makeImages('many', 24);
    server.reset();
    server.behaviour.delayMs = 150;
    const args = ['caption', 'many', '--out', 'resume.jsonl', '--mode', 'single-pass', '--concurrency', '2', ...OPENAI];
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/metacaptioner.js'), ...args], {
      cwd: work,
      stdio: 'ignore',
    });
    const outFile = join(work, 'resume.jsonl');
    await expect
      .poll(
        () => {
          try {
            return readFileSync(outFile, 'utf8').split('\n').filter(Boolean).length;
          } catch {
            return 0;
          }
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(4);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const before = lines('resume.jsonl').length;
    expect(before).toBeLessThan(24);
    // As if the kill had cut a line short.
    appendFileSync(outFile, '{"version":1,"file":"many/a/0');
    server.behaviour.delayMs = 0;
    const again = await cli(...args);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`${before} already in resume.jsonl, skipped`);
    const seen = lines('resume.jsonl').map((l) => l.file);
    expect(seen.toSorted()).toEqual(files);
    for (const line of lines('resume.jsonl'))
      expect(line.ok && line.record.caption).toBe(TINY_VLM_CAPTIONS[colourOf(line.file)]);
  }, 120_000);

  test('shards 1/3, 2/3, 3/3 merged equal a single run; merge refuses overlaps and gaps', async () => {
    server.reset();
    const common = ['--mode', 'single-pass', '--concurrency', '4', ...OPENAI];
    for (const i of [1, 2, 3]) {
      const run = await cli('caption', 'imgs', '--out', `shard-${i}.jsonl`, '--shard', `${i}/3`, ...common);
      expect(run.code, run.err).toBe(0);
    }
    const sizes = [1, 2, 3].map((i) => lines(`shard-${i}.jsonl`).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(12);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    const merged = await cli(
      'merge',
      'shard-1.jsonl',
      'shard-2.jsonl',
      'shard-3.jsonl',
      '--out',
      'merged.jsonl',
      '--inputs',
      'imgs',
    );
    expect(merged.code, merged.err).toBe(0);
    expect(lines('merged.jsonl').map((l) => l.file)).toEqual(
      lines('merged.jsonl')
        .map((l) => l.file)
        .toSorted(),
    );
    expect(captions('merged.jsonl')).toEqual(captions('openai-single.jsonl'));

    const overlap = await cli(
      'merge',
      'shard-1.jsonl',
      'shard-2.jsonl',
      'shard-3.jsonl',
      'openai-single.jsonl',
      '--out',
      'x.jsonl',
    );
    expect(overlap.code).toBe(1);
    expect(overlap.err).toMatch(/12 images are in more than one input/);
    const gap = await cli('merge', 'shard-1.jsonl', 'shard-3.jsonl', '--out', 'x.jsonl', '--inputs', 'imgs');
    expect(gap.code).toBe(1);
    expect(gap.err).toContain('No lines from shard 2/3.');
    expect(gap.err).toMatch(new RegExp(`${sizes[1]} images? ha(s|ve) no line`));
  });
});

describe('hostile paths and outputs', () => {
  test('an output that is an input, or any file that is no run log, is refused before anything is written', async () => {
    mkdirSync(join(work, 'keep'), { recursive: true });
    const png = solidPng(...COLOURS.red);
    writeFileSync(join(work, 'keep/a.png'), png);
    writeFileSync(join(work, 'keep/notes.txt'), 'my notes, no newline');
    symlinkSync('keep/a.png', join(work, 'keep-link.jsonl'));
    const cases: [string[], string][] = [
      [['caption', 'keep', '--out', 'keep/a.png'], '--out "keep/a.png" is the input "keep/a.png"'],
      [['caption', 'keep', '--out', './keep/../keep/a.png'], 'an output never replaces an input'],
      [['caption', 'keep', '--out', 'keep-link.jsonl'], '--out "keep-link.jsonl" is the input "keep/a.png"'],
      [['caption', 'keep', '--out', 'keep/notes.txt'], '"keep/notes.txt" is not a MetaCaptioner run log'],
      [['caption', 'keep', '--out', '/dev/full'], '--out "/dev/full" is a character device, not a file'],
      [['caption', 'keep', '--out', 'keep'], '--out "keep" is a folder, not a file'],
      [['export', 'keep/a.png', '--out', 'x.csv'], '"keep/a.png" is not a MetaCaptioner run log'],
      [['export', 'local-single.jsonl', '--out', 'local-single.jsonl'], 'an output never replaces an input'],
      [['merge', 'local-single.jsonl', '--out', 'local-single.jsonl'], 'an output never replaces an input'],
    ];
    const log = readFileSync(join(work, 'local-single.jsonl'));
    for (const [args, message] of cases) {
      const run = await cli(
        ...args,
        ...(args[0] === 'caption' ? ['--mode', 'single-pass', '--models', root, ...LOCAL] : []),
      );
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.err, args.join(' ')).toContain(message);
    }
    expect(readFileSync(join(work, 'keep/a.png')).equals(png)).toBe(true);
    expect(readFileSync(join(work, 'keep/notes.txt'), 'utf8')).toBe('my notes, no newline');
    expect(readFileSync(join(work, 'local-single.jsonl')).equals(log)).toBe(true);
  });

  test('devices, pipes, huge and looping paths fail one by one with a named reason, and nothing is read whole', async () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'good-green.png'), solidPng(...COLOURS.green));
    symlinkSync('/dev/zero', join(dir, 'zero.png'));
    execFileSync('mkfifo', [join(dir, 'pipe.png')]);
    // 1.2 GB that takes no disk: a sparse file. Refused from its size before a byte of it is read.
    const sparse = openSync(join(dir, 'sparse.png'), 'w');
    ftruncateSync(sparse, 1.2e9);
    closeSync(sparse);
    writeFileSync(join(dir, 'two\nlines.png'), solidPng(...COLOURS.blue));
    // A folder link that loops back: its images are the same files, captioned once.
    symlinkSync('.', join(dir, 'again'));
    const rss = process.memoryUsage().rss;
    const run = await cli(
      'caption',
      'hostile',
      '--out',
      'hostile.jsonl',
      '--mode',
      'single-pass',
      '--models',
      root,
      ...LOCAL,
    );
    expect(process.memoryUsage().rss - rss, 'no file was read whole').toBeLessThan(300e6);
    expect(run.code, run.err).toBe(3);
    const got = Object.fromEntries(
      lines('hostile.jsonl').map((l) => [l.file, l.ok ? l.record.caption : l.error.message]),
    );
    expect(got).toEqual({
      'hostile/good-green.png': TINY_VLM_CAPTIONS.green,
      'hostile/two\nlines.png': TINY_VLM_CAPTIONS.blue,
      'hostile/zero.png': '"hostile/zero.png" is a character device, not an image file.',
      'hostile/pipe.png': '"hostile/pipe.png" is a named pipe, not an image file.',
      'hostile/sparse.png': '"hostile/sparse.png" is 1144 MB; images up to 100 MB can be captioned.',
    });
    expect(run.err).toMatch(
      /^\d+ paths lead to a file listed already \(symbolic links\); each file is captioned once: hostile\/again\/good-green\.png → hostile\/good-green\.png/m,
    );
    // The newline in a name is printed escaped: every progress line is one line.
    expect(run.err).toContain('hostile/two\\nlines.png ok');
  });

  test('a pattern that matches nothing, a missing folder and a folder without images are all errors', async () => {
    mkdirSync(join(work, 'no-images'), { recursive: true });
    writeFileSync(join(work, 'no-images/readme.txt'), 'nothing to see');
    const cases: [string[], string][] = [
      [['caption', 'imgs/**/*.tiff', '--out', 'x.jsonl'], '"imgs/**/*.tiff" matches no file.'],
      [['caption', 'missing-folder', '--out', 'x.jsonl'], '"missing-folder" is not a file, folder or pattern'],
      [['caption', 'no-images', '--out', 'x.jsonl'], '"no-images" is a folder with no images in it'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err, args.join(' ')).toContain(message);
    }
  });
});

describe('export and usage', () => {
  test('a run exports to the page’s formats; sidecars are written beside the images', async () => {
    const csv = await cli('export', 'local-single.jsonl', '--format', 'csv', '--out', 'out.csv');
    expect(csv.code, csv.err).toBe(0);
    const rows = readFileSync(join(work, 'out.csv'), 'utf8').split('\r\n');
    expect(rows[0]).toMatch(/^\uFEFF"file","caption","domain"/);
    expect(rows).toHaveLength(14);
    const tune = await cli('export', 'local-single.jsonl', '--format', 'finetune');
    const first = JSON.parse(tune.out.split('\n')[0] ?? '{}');
    expect(first.images).toEqual([lines('local-single.jsonl')[0]?.file]);
    const sidecars = await cli('export', 'bad.jsonl', '--format', 'sidecars');
    expect(sidecars.out).toBe('Wrote 1 sidecar files.\n');
    expect(readFileSync(join(work, 'bad/good-blue.txt'), 'utf8')).toBe(TINY_VLM_CAPTIONS.blue);
  });

  test('mistakes in the command line are named, with the usage', async () => {
    const cases: [string[], string][] = [
      [['caption', 'imgs'], 'caption needs --out FILE'],
      [['caption', 'imgs', '--out', 'x.jsonl', '--shard', '4/3'], '--shard must be i/n with 1 ≤ i ≤ n'],
      [
        ['caption', 'imgs', '--out', 'x.jsonl', '--engine', 'openai'],
        "--engine openai needs the vlm's endpoint and model",
      ],
      [
        ['caption', 'imgs', '--out', 'x.jsonl', '--mode', 'fast'],
        '--mode must be one of capflow, single-pass; got "fast".',
      ],
      [['caption', 'nowhere', '--out', 'x.jsonl'], '"nowhere" is not a file, folder or pattern that matches anything.'],
      [['export', 'x.jsonl', '--format', 'pdf'], '--format must be one of'],
      [['frobnicate'], '"frobnicate" is not a command.'],
      [
        ['caption', 'imgs', '--out', 'x.jsonl', '--wait-ready', '5m'],
        '--wait-ready applies to --engine openai (requests to endpoints); this run is --engine local.',
      ],
      [
        ['caption', 'imgs', '--out', 'x.jsonl', ...OPENAI, '--vlm-model', 'Qwen/Typo-VL'],
        `${server.url} does not serve "Qwen/Typo-VL"; it serves ${TINY_VLM.repo}, ${TINY_LLM.repo}.`,
      ],
      [
        // --wait-ready 0: one readiness probe, not ten minutes of waiting for a server to come up.
        [
          'caption',
          'imgs',
          '--out',
          'x.jsonl',
          ...OPENAI,
          '--vlm-endpoint',
          'http://127.0.0.1:9/v1',
          '--wait-ready',
          '0',
        ],
        'Cannot reach http://127.0.0.1:9/v1',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.err, args.join(' ')).toContain(message);
    }
  });
});
