/**
 * `distill prepare`'s choices, pure: the record filters, one line per
 * image (an edit wins), the split by a hash of the path (pinned, so it is
 * the same on every machine, and independent of input order), the domain
 * cap, dHash near-duplicates on tiny images made with sharp, the chat
 * format with the real single-pass prompt, image names and the summary.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { singlePassPrompt } from '../../src/capflow/prompts';
import { chatLine } from '../../src/cli/distill/chat';
import { dHash, imageFacts } from '../../src/cli/distill/dhash';
import { imageNames } from '../../src/cli/distill/image-names';
import { type DistillInput, parseInputText } from '../../src/cli/distill/inputs';
import {
  type Candidate,
  DomainShareError,
  type ImageFacts,
  type PrepareOptions,
  domainCap,
  finish,
  hamming,
  keyFraction,
  pathKey,
  screen,
  splitOf,
  styleCounts,
} from '../../src/cli/distill/prepare';
import { summarise, summaryText } from '../../src/cli/distill/summary';
import { toJsonl } from '../../src/session/exports';
import {
  type RecordSpec,
  failedLine,
  nearCopy,
  noisePng,
  okLine,
  runLog,
  sessionItem,
} from '../support/distill-fixture';

const OPTIONS: PrepareOptions = {
  style: null,
  minScore: null,
  keepUnjudged: false,
  maxDomainShare: 1,
  dupDistance: 4,
  valFraction: 0.1,
};
const runInputs = (lines: [string, RecordSpec?][]) =>
  parseInputText(runLog(lines.map(([f, s]) => okLine(f, s))), 'run.jsonl');
const byFile = (inputs: DistillInput[], options: Partial<PrepareOptions> = {}) => {
  const { candidates, dropped } = screen(inputs, (i) => `/data/${i.file}`, { ...OPTIONS, ...options });
  return {
    kept: candidates.map((c) => c.input.file),
    dropped: Object.fromEntries(dropped.map((d) => [d.file, d.reason])),
  };
};

describe('record filters', () => {
  test('failures, rejected and unjudged captions, videos and prompt mode are dropped, each with its reason', () => {
    const inputs = [
      ...runInputs([
        ['ok.png'],
        ['rejected.png', { scores: [3, 1, 3, 3, 3] }],
        ['unjudged.png', { scores: null }],
        ['clip.mp4', { video: true }],
        ['own-prompt.png', { mode: 'prompt', style: null }],
        ['empty.png', { caption: '  ' }],
      ]),
      ...parseInputText(runLog([failedLine('broken.png')]), 'run2.jsonl'),
    ];
    expect(byFile(inputs)).toEqual({
      kept: ['ok.png'],
      dropped: {
        'rejected.png': 'rejected',
        'unjudged.png': 'unjudged',
        'clip.mp4': 'video',
        'own-prompt.png': 'prompt-mode',
        'empty.png': 'empty-caption',
        'broken.png': 'failed',
      },
    });
    expect(byFile(inputs, { keepUnjudged: true }).kept).toEqual(['ok.png', 'unjudged.png']);
  });

  test('--min-score bars every dimension; records without a score on each are dropped when it is set', () => {
    const inputs = runInputs([
      ['all3.png', { scores: 3 }],
      ['one2.png', { scores: [3, 3, 2, 3, 3], accepted: true }],
      ['unread.png', { scores: [3, null, 3, 3, 3], accepted: true }],
      ['unjudged.png', { scores: null }],
    ]);
    expect(byFile(inputs, { keepUnjudged: true })).toEqual({
      kept: ['all3.png', 'one2.png', 'unread.png', 'unjudged.png'],
      dropped: {},
    });
    expect(byFile(inputs, { keepUnjudged: true, minScore: 3 })).toEqual({
      kept: ['all3.png'],
      dropped: { 'one2.png': 'below-min-score', 'unread.png': 'no-scores', 'unjudged.png': 'no-scores' },
    });
    expect(byFile(inputs, { keepUnjudged: true, minScore: 2 }).kept).toEqual(['all3.png', 'one2.png']);
  });

  test('--style keeps one style; styleCounts lists the styles of the captions that could be kept', () => {
    const inputs = runInputs([
      ['a.png', { style: 'short' }],
      ['b.png', { style: 'detailed' }],
      ['c.png', { style: 'short' }],
      ['p.png', { style: null, mode: 'prompt' }],
    ]);
    expect([...styleCounts(inputs)]).toEqual([
      ['short', 2],
      ['detailed', 1],
    ]);
    expect(byFile(inputs, { style: 'short' })).toEqual({
      kept: ['a.png', 'c.png'],
      dropped: { 'b.png': 'other-style', 'p.png': 'prompt-mode' },
    });
  });

  test("one line per image: the user's edit wins over the model's caption, else the later line", () => {
    const page = parseInputText(toJsonl([sessionItem('cat.png', { caption: 'model' }, 'edited by hand')]), 'p.jsonl');
    const early = runInputs([
      ['cat.png', { caption: 'first run' }],
      ['dog.png', { caption: 'dog 1' }],
    ]);
    const late = runInputs([
      ['cat.png', { caption: 'second run' }],
      ['dog.png', { caption: 'dog 2' }],
    ]);
    for (const inputs of [
      [...early, ...page, ...late],
      [...page, ...late, ...early],
    ]) {
      const { candidates, dropped } = screen(inputs, (i) => `/data/${i.file}`, OPTIONS);
      const captions = Object.fromEntries(candidates.map((c) => [c.input.file, c.input.caption]));
      expect(captions.cat).toBeUndefined();
      expect(captions['cat.png']).toBe('edited by hand');
      expect(dropped.filter((d) => d.reason === 'replaced')).toHaveLength(3);
    }
    const { candidates } = screen([...early, ...late], (i) => `/data/${i.file}`, OPTIONS);
    expect(candidates.map((c) => c.input.caption)).toEqual(['second run', 'dog 2']);
  });
});

describe('split by path', () => {
  test('the split is a SHA-256 of the normalised path: pinned values, the same on every machine', () => {
    expect(keyFraction('photos/cat.png')).toBeCloseTo(0.7241256264969707, 12);
    expect(keyFraction('photos/dog.png')).toBeCloseTo(0.8905387048143893, 12);
    expect(splitOf('photos/cat.png', 0.75)).toBe('val');
    expect(splitOf('photos/dog.png', 0.75)).toBe('train');
    for (const p of ['./photos/cat.png', 'photos//cat.png', 'photos\\cat.png', 'photos/x/../cat.png'])
      expect(pathKey(p)).toBe('photos/cat.png');
  });

  test('independent of input order, and near the asked fraction', () => {
    const files = Array.from({ length: 400 }, (_, i) => `set/${i % 7}/img-${i}.png`);
    const facts = new Map<string, ImageFacts>(
      files.map((f, i) => [`/data/${f}`, { kind: 'ok', bytes: String(i), dhash: BigInt(i) * 0x9e3779b97f4a7c15n }]),
    );
    const run = (order: string[]) => {
      const { candidates } = screen(runInputs(order.map((f) => [f])), (i) => `/data/${i.file}`, OPTIONS);
      return finish(candidates, facts, { ...OPTIONS, dupDistance: null }).kept.map((k) => [k.key, k.split]);
    };
    const forward = run(files);
    expect(run([...files].reverse())).toEqual(forward);
    const val = forward.filter(([, s]) => s === 'val').length;
    expect(val).toBeGreaterThan(20);
    expect(val).toBeLessThan(60);
  });
});

describe('domain cap', () => {
  test('domainCap: the most each domain may keep so none holds more than the share', () => {
    expect(domainCap([100, 10, 10], 1)).toBe(100);
    expect(domainCap([100, 10, 10], 0.4)).toBe(13);
    expect(domainCap([100, 10, 10], 0.3)).toBe(0);
    expect(domainCap([6, 6, 6, 6], 0.25)).toBe(6);
  });

  test('no domain passes the share; those kept are the lowest path hashes, whatever the order', () => {
    const lines: [string, RecordSpec][] = [
      ...Array.from({ length: 30 }, (_, i): [string, RecordSpec] => [`n/${i}.png`, { domain: 'natural' }]),
      ...Array.from({ length: 5 }, (_, i): [string, RecordSpec] => [`u/${i}.png`, { domain: 'ui' }]),
      ...Array.from({ length: 5 }, (_, i): [string, RecordSpec] => [`c/${i}.png`, { domain: 'code' }]),
    ];
    const facts = new Map<string, ImageFacts>(
      lines.map(([f], i) => [`/data/${f}`, { kind: 'ok', bytes: f, dhash: BigInt(i) << 40n }]),
    );
    const run = (order: typeof lines) => {
      const { candidates } = screen(runInputs(order), (i) => `/data/${i.file}`, OPTIONS);
      return finish(candidates, facts, { ...OPTIONS, maxDomainShare: 0.5, dupDistance: null });
    };
    const { kept, dropped } = run(lines);
    const natural = kept.filter((k) => k.input.domain === 'natural');
    expect(natural.length).toBe(10);
    expect(natural.length / kept.length).toBeLessThanOrEqual(0.5);
    expect(dropped.filter((d) => d.reason === 'domain-cap')).toHaveLength(20);
    const lowest = lines
      .filter(([, s]) => s.domain === 'natural')
      .map(([f]) => f)
      .sort((a, b) => keyFraction(a) - keyFraction(b))
      .slice(0, 10)
      .sort();
    expect(natural.map((k) => k.key).sort()).toEqual(lowest);
    expect(run([...lines].reverse()).kept.map((k) => k.key)).toEqual(kept.map((k) => k.key));
  });

  test('a share fewer domains cannot meet is an error that says how many are needed', () => {
    const { candidates } = screen(runInputs([['a.png'], ['b.png']]), (i) => `/data/${i.file}`, OPTIONS);
    const facts = new Map<string, ImageFacts>([
      ['/data/a.png', { kind: 'ok', bytes: 'a', dhash: 0n }],
      ['/data/b.png', { kind: 'ok', bytes: 'b', dhash: ~0n & 0xffffffffffffffffn }],
    ]);
    expect(() => finish(candidates, facts, { ...OPTIONS, maxDomainShare: 0.5 })).toThrow(DomainShareError);
    expect(() => finish(candidates, facts, { ...OPTIONS, maxDomainShare: 0.5 })).toThrow(
      /natural\): it needs at least 2/,
    );
  });
});

describe('duplicates by image', () => {
  let dir: string;
  const png: Record<string, Buffer> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'distill-unit-'));
    for (const seed of [1, 2, 3, 4, 5, 6]) png[seed] = await noisePng(seed);
    png.near = await nearCopy(png[1]!);
    for (const [name, bytes] of Object.entries(png)) await writeFile(join(dir, `${name}.png`), bytes);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('dHash: distinct noise images are far apart, a brightened, enlarged copy is within a few bits', async () => {
    const hashes = await Promise.all([1, 2, 3, 4, 5, 6].map((s) => dHash(png[s]!)));
    for (const [i, a] of hashes.entries())
      for (const b of hashes.slice(i + 1)) expect(hamming(a, b)).toBeGreaterThan(12);
    const near = hamming(await dHash(png[1]!), await dHash(png.near!));
    expect(near).toBeLessThanOrEqual(4);
    expect(hamming(0n, 0xffn)).toBe(8);
  });

  test('the first by path is kept; the same bytes and near copies later by path are dropped', async () => {
    const files: [string, string][] = [
      ['z-original.png', '1.png'],
      ['a-near.png', 'near.png'],
      ['m-same-bytes.png', '1.png'],
      ['b-other.png', '2.png'],
      ['gone.png', 'missing.png'],
    ];
    const facts = new Map<string, ImageFacts>();
    for (const [, real] of files) facts.set(join(dir, real), await imageFacts(join(dir, real)));
    expect(facts.get(join(dir, 'missing.png'))).toEqual({ kind: 'missing' });
    const resolveTo = (i: DistillInput) => join(dir, files.find(([f]) => f === i.file)![1]);
    for (const order of [files, [...files].reverse()]) {
      const inputs = runInputs(order.map(([f]) => [f]));
      // Lines naming one file are one image: only different files are duplicates here.
      const candidates: Candidate[] = inputs.flatMap((i) =>
        i.kind === 'caption' ? [{ input: i, key: pathKey(i.file), image: resolveTo(i) }] : [],
      );
      const { kept, dropped } = finish(candidates, facts, OPTIONS);
      expect(kept.map((k) => k.key)).toEqual(['a-near.png', 'b-other.png']);
      expect(Object.fromEntries(dropped.map((d) => [d.file, d.reason]))).toEqual({
        'z-original.png': 'duplicate',
        'm-same-bytes.png': 'duplicate',
        'gone.png': 'missing-image',
      });
      // dupDistance null: only the same bytes are duplicates.
      const exact = finish(candidates, facts, { ...OPTIONS, dupDistance: null });
      expect(exact.kept.map((k) => k.key)).toEqual(['a-near.png', 'b-other.png', 'm-same-bytes.png']);
    }
  });

  test('an undecodable file is unreadable, not a crash', async () => {
    await writeFile(join(dir, 'bad.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
    expect(await imageFacts(join(dir, 'bad.png'))).toEqual({ kind: 'unreadable' });
  });
});

describe('output', () => {
  test("chat format: TRL's vision messages with the real single-pass prompt, and the image by its output path", () => {
    const line = chatLine({
      domain: 'ui',
      language: 'English',
      style: 'short',
      caption: 'A login form.',
      image: 'images/form.png',
    });
    expect(line.endsWith('}\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      messages: [
        {
          role: 'user',
          content: [{ type: 'image' }, { type: 'text', text: singlePassPrompt('ui', 'English', 'short') }],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A login form.' }] },
      ],
      images: ['images/form.png'],
    });
    expect(singlePassPrompt('ui', 'English', 'short')).toMatch(/^Describe this .*two or three sentences/);
  });

  test('image names are collision-free (case ignored) and safe', () => {
    expect(imageNames(['a/cat.png', 'b/cat.png', 'c/CAT.png', 'd/my cat.png', 'e/.hidden', 'f/noext'])).toEqual([
      'cat.png',
      'cat-2.png',
      'CAT-3.png',
      'my_cat.png',
      '_hidden',
      'noext',
    ]);
  });

  test('the summary counts domains, styles, splits, edits, mean scores and drops by reason', () => {
    const inputs = [
      ...parseInputText(
        toJsonl([sessionItem('a.png', { domain: 'ui', scores: 3 }, 'mine'), sessionItem('b.png', { scores: 3 })]),
        'p.jsonl',
      ),
      ...parseInputText(runLog([failedLine('c.png'), okLine('d.png', { scores: [3, 2, 3, 3, 3] })]), 'r.jsonl'),
    ];
    const { candidates, dropped } = screen(inputs, (i) => `/d/${i.file}`, OPTIONS);
    const kept = candidates.map((c) => ({ ...c, split: c.key === 'a.png' ? ('val' as const) : ('train' as const) }));
    const s = summarise([], {}, kept, dropped, { linked: 2, copied: 0 });
    expect(s).toMatchObject({
      kind: 'metacaptioner-distill-prepare',
      kept: 2,
      edited: 1,
      domains: { natural: 1, ui: 1 },
      styles: { detailed: 2 },
      train: { images: 1, domains: { natural: 1 } },
      val: { images: 1, domains: { ui: 1 } },
      meanScores: { 'factual accuracy': 3, completeness: 3 },
      dropped: { failed: 1, rejected: 1 },
    });
    const text = summaryText(s, 'out');
    expect(text).toContain('Prepared 2 images in out: train 1, val 1');
    expect(text).toContain("edited captions (the user's, used over the model's): 1");
    expect(text).toContain('1 rejected by the judge [rejected]');
  });
});
