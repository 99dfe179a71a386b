/**
 * `metacaptioner distill prepare`, the built CLI as a process (`npm run
 * build:cli` first), on a fixture made here: tiny PNGs written with sharp,
 * a run log of records of the real type, and the page's real JSONL export
 * of an edited caption. Checks the files written, the printed summary, and
 * the errors: a missing image (dropped, said), a malformed line, several
 * styles without --style, --out naming an input or a foreign folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { singlePassPrompt } from '../../src/capflow/prompts';
import { toJsonl } from '../../src/session/exports';
import { type BuiltRun, expectBuiltCli, runBuiltCli } from '../support/built-cli';
import { failedLine, nearCopy, noisePng, okLine, runLog, sessionItem } from '../support/distill-fixture';

let work: string;
type Run = BuiltRun;
/** The runs the tests look at, started together (each start of the CLI takes about a second). */
let runs: Record<'set' | 'page' | 'bad' | 'styles' | 'short' | 'sameAsInput' | 'foreign', Run>;
let runJsonl: Buffer;

/** Runs the built CLI in `work`. */
const cli = (...args: string[]) => runBuiltCli(work, args);

interface ChatLine {
  messages: { role: string; content: { type: string; text?: string }[] }[];
  images: string[];
}
const chat = (file: string): ChatLine[] =>
  readFileSync(join(work, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChatLine);

beforeAll(async () => {
  expectBuiltCli();
  work = mkdtempSync(join(tmpdir(), 'distill-cli-'));
  mkdirSync(join(work, 'imgs'));
  mkdirSync(join(work, 'pics/shots'), { recursive: true });
  for (const [name, seed] of [
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ] as const)
    writeFileSync(join(work, `imgs/${name}.png`), await noisePng(seed));
  writeFileSync(join(work, 'imgs/e.png'), await nearCopy(await noisePng(1)));
  writeFileSync(join(work, 'pics/shots/x.png'), await noisePng(5));
  writeFileSync(
    join(work, 'run.jsonl'),
    runLog([
      okLine('imgs/a.png', { domain: 'natural', caption: 'A caption of a.' }),
      okLine('imgs/b.png', { domain: 'ui', caption: 'A caption of b.' }),
      okLine('imgs/c.png', { domain: 'code', scores: [3, 1, 3, 3, 3] }),
      okLine('imgs/d.png', { domain: 'natural', caption: 'A caption of d.' }),
      okLine('imgs/e.png', { domain: 'natural' }),
      failedLine('imgs/f.png'),
      okLine('imgs/missing.png', { domain: 'ui' }),
    ]),
  );
  mkdirSync(join(work, 'page'));
  writeFileSync(
    join(work, 'page/export.jsonl'),
    toJsonl([sessionItem('shots/x.png', { domain: 'ui', caption: 'model words' }, 'The user’s own words.')]),
  );
  writeFileSync(join(work, 'bad.jsonl'), `${runLog([okLine('imgs/a.png')])}{"version":1,"file":\n`);
  writeFileSync(
    join(work, 'styles.jsonl'),
    runLog([
      okLine('imgs/a.png', { style: 'short' }),
      okLine('imgs/b.png', { style: 'detailed' }),
      okLine('imgs/d.png', { style: 'short' }),
    ]),
  );
  runJsonl = readFileSync(join(work, 'run.jsonl'));
  const [set, page, bad, styles, short, sameAsInput, foreign] = await Promise.all([
    cli('distill', 'prepare', 'run.jsonl', '--out', 'set', '--val-fraction', '0.5'),
    cli('distill', 'prepare', 'page/export.jsonl', '--images', 'pics', '--out', 'page-set'),
    cli('distill', 'prepare', 'bad.jsonl', '--out', 'bad-set'),
    cli('distill', 'prepare', 'styles.jsonl', '--out', 'style-set'),
    cli('distill', 'prepare', 'styles.jsonl', '--out', 'short-set', '--style', 'short'),
    cli('distill', 'prepare', 'run.jsonl', '--out', 'run.jsonl'),
    cli('distill', 'prepare', 'run.jsonl', '--out', 'imgs'),
  ]);
  runs = {
    set: set!,
    page: page!,
    bad: bad!,
    styles: styles!,
    short: short!,
    sameAsInput: sameAsInput!,
    foreign: foreign!,
  };
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('distill prepare', () => {
  test('writes train/val in the chat format, the images and summary.json, and prints the summary', async () => {
    const run = runs.set;
    expect(run.code, run.err).toBe(0);
    expect(readdirSync(join(work, 'set')).sort()).toEqual(['images', 'summary.json', 'train.jsonl', 'val.jsonl']);
    const lines = [...chat('set/train.jsonl'), ...chat('set/val.jsonl')];
    expect(lines).toHaveLength(3);
    const byCaption = Object.fromEntries(lines.map((l) => [l.messages[1]?.content[0]?.text, l]));
    expect(Object.keys(byCaption).sort()).toEqual(['A caption of a.', 'A caption of b.', 'A caption of d.']);
    const b = byCaption['A caption of b.']!;
    expect(b.images).toEqual(['images/b.png']);
    expect(b.messages[0]).toEqual({
      role: 'user',
      content: [{ type: 'image' }, { type: 'text', text: singlePassPrompt('ui', 'English', 'detailed') }],
    });
    for (const l of lines)
      expect(readFileSync(join(work, 'set', l.images[0]!))).toEqual(
        readFileSync(join(work, 'imgs', l.images[0]!.replace('images/', ''))),
      );
    const summary = JSON.parse(readFileSync(join(work, 'set/summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      kind: 'metacaptioner-distill-prepare',
      kept: 3,
      domains: { natural: 2, ui: 1 },
      dropped: { rejected: 1, failed: 1, 'missing-image': 1, duplicate: 1 },
      images: { linked: 3, copied: 0 },
    });
    expect(summary.train.images + summary.val.images).toBe(3);
    expect(run.out).toContain('Prepared 3 images in set:');
    expect(run.out).toContain('domains: natural 2, ui 1');
    expect(run.out).toContain('1 the image is missing [missing-image]');
    expect(run.out).toContain(
      '1 the same bytes as, or a near-duplicate (dHash) of, an image earlier by path [duplicate]',
    );
    expect(run.err).toContain('Missing images, dropped (1):\n  run.jsonl:7: imgs/missing.png');

    // Again into its own output: replaced, byte for byte the same.
    const before = ['train.jsonl', 'val.jsonl'].map((f) => readFileSync(join(work, 'set', f), 'utf8'));
    const again = await cli('distill', 'prepare', 'run.jsonl', '--out', 'set', '--val-fraction', '0.5');
    expect(again.code, again.err).toBe(0);
    expect(['train.jsonl', 'val.jsonl'].map((f) => readFileSync(join(work, 'set', f), 'utf8'))).toEqual(before);
  });

  test("a page export with --images: the user's edit is the caption, and the summary counts it", async () => {
    const run = runs.page;
    expect(run.code, run.err).toBe(0);
    const lines = [...chat('page-set/train.jsonl'), ...chat('page-set/val.jsonl')];
    expect(lines.map((l) => l.messages[1]?.content[0]?.text)).toEqual(['The user’s own words.']);
    expect(statSync(join(work, 'page-set/images/x.png')).ino).toBe(statSync(join(work, 'pics/shots/x.png')).ino);
    expect(run.out).toContain("edited captions (the user's, used over the model's): 1");
  });

  test('a malformed line is an error naming the file and line; nothing is written', async () => {
    const run = runs.bad;
    expect(run.code).toBe(1);
    expect(run.err).toContain('DistillInputError: bad.jsonl, line 2: not JSON.');
    expect(existsSync(join(work, 'bad-set'))).toBe(false);
  });

  test('several styles without --style: a usage error listing them with counts; --style picks one', async () => {
    const run = runs.styles;
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      'UsageError: The inputs hold several caption styles (short 2, detailed 1): choose one with --style.',
    );
    expect(existsSync(join(work, 'style-set'))).toBe(false);
    const short = runs.short;
    expect(short.code, short.err).toBe(0);
    expect(short.out).toContain('styles: short 2');
  });

  test('--out naming an input, or a folder that is not a prepare output, is refused and left alone', async () => {
    const same = runs.sameAsInput;
    expect(same.code).toBe(1);
    expect(same.err).toContain('--out "run.jsonl" is the input "run.jsonl" (the same file)');
    expect(readFileSync(join(work, 'run.jsonl'))).toEqual(runJsonl);

    const foreign = runs.foreign;
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain('--out "imgs" is a folder that is not empty and not an earlier "distill prepare"');
    expect(readdirSync(join(work, 'imgs')).sort()).toEqual(['a.png', 'b.png', 'c.png', 'd.png', 'e.png']);
  });
});
