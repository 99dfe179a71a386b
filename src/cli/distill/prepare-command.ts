/**
 * `metacaptioner distill prepare`: CapFlow's captions (run logs, or the
 * page's JSONL or fine-tuning exports) and their images become a training
 * set for a small single-pass student: train.jsonl and val.jsonl in TRL's
 * vision chat format, images/, summary.json. The I/O around prepare.ts's
 * pure choices: flags, reading, image facts, writing.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CAPTION_STYLE_IDS } from '../../capflow/styles';
import type { CaptionStyle } from '../../shared/record';
import { fsReason, printable } from '../file-words';
import { UsageError, oneOf } from '../usage';
import { chatLine } from './chat';
import { imageFacts } from './dhash';
import { imageNames } from './image-names';
import { type DistillInput, DistillInputError, parseInputText } from './inputs';
import { OutputFolder, checkOutDir } from './out-dir';
import {
  type CaptionInput,
  DomainShareError,
  type ImageFacts,
  type PrepareOptions,
  finish,
  screen,
  styleCounts,
} from './prepare';
import { summarise, summaryText } from './summary';

/** The usage lines of `distill prepare`. */
export const DISTILL_PREPARE_USAGE = `metacaptioner distill prepare <run or export JSONLs…> --out DIR [options]
    turns captions and their images into a training set for a single-pass student (docs/distill.md)
    --images DIR            resolve relative image paths against DIR (default: each JSONL's folder)
    --style S               keep one caption style (${CAPTION_STYLE_IDS.join('|')}); needed when the inputs hold several
    --min-score N           every judge dimension must score at least N (1-3); unscored records are dropped
    --keep-unjudged         keep records without a judge verdict (the page's fine-tuning export has none)
    --max-domain-share F    no domain holds more than F (0<F≤1) of the kept images (default 1: no cap)
    --dup-distance N        dHash bits within which images are near-duplicates (0-16, off; default 4)
    --val-fraction F        share of images in val.jsonl, by a hash of the path (default 0.1)`;

const FLAGS = {
  out: { type: 'string' },
  images: { type: 'string' },
  style: { type: 'string' },
  'min-score': { type: 'string' },
  'keep-unjudged': { type: 'boolean' },
  'max-domain-share': { type: 'string' },
  'dup-distance': { type: 'string' },
  'val-fraction': { type: 'string' },
} as const;

/** A number flag within (`min`, `max`] or [`min`, `max`) as `open` says; `fallback` when absent. */
function numberFlag(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
  open: 'min' | 'max' | 'none',
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (open === 'min' ? n > min : n >= min) &&
    (open === 'max' ? n < max : n <= max);
  if (!ok) {
    const range = `${open === 'min' ? `more than ${min}` : `at least ${min}`} and ${open === 'max' ? `under ${max}` : `at most ${max}`}`;
    throw new UsageError(`${flag} must be a number ${range}; got "${value}".`);
  }
  return n;
}

function options(flags: Record<string, string | boolean | undefined>): PrepareOptions {
  const str = (k: string) => (typeof flags[k] === 'string' ? flags[k] : undefined);
  const style = str('style');
  const dup = str('dup-distance');
  const dupDistance = dup === 'off' ? null : numberFlag(dup, '--dup-distance', 4, 0, 16, 'none');
  if (dupDistance !== null && !Number.isInteger(dupDistance))
    throw new UsageError(`--dup-distance must be a whole number 0-16 or "off"; got "${dup}".`);
  return {
    style: style === undefined ? null : oneOf<CaptionStyle>(style, '--style', CAPTION_STYLE_IDS, 'detailed'),
    minScore: str('min-score') === undefined ? null : numberFlag(str('min-score'), '--min-score', 0, 1, 3, 'none'),
    keepUnjudged: flags['keep-unjudged'] === true,
    maxDomainShare: numberFlag(str('max-domain-share'), '--max-domain-share', 1, 0, 1, 'min'),
    dupDistance,
    valFraction: numberFlag(str('val-fraction'), '--val-fraction', 0.1, 0, 1, 'max'),
  };
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      out[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readInputs(paths: readonly string[]): Promise<{ path: string; inputs: DistillInput[] }[]> {
  return Promise.all(
    paths.map(async (path) => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new DistillInputError(`"${path}" could not be read: ${fsReason(err)}.`);
      }
      return { path, inputs: parseInputText(text, path) };
    }),
  );
}

const listedDrops = (title: string, lines: readonly string[]) =>
  lines.length
    ? `${title} (${lines.length}):\n${lines
        .slice(0, 10)
        .map((l) => `  ${printable(l)}`)
        .join('\n')}${lines.length > 10 ? `\n  … and ${lines.length - 10} more` : ''}\n`
    : '';

/** `distill prepare`: resolves with the exit code. */
export async function distillPrepare(args: readonly string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: [...args], options: FLAGS, allowPositionals: true });
  if (!flags.out || positionals.length === 0)
    throw new UsageError('distill prepare needs the JSONLs of runs or page exports, and --out DIR.');
  const opts = options(flags);
  const out = flags.out;
  // Before anything is read: --out is none of the JSONLs (the images are checked once they are known).
  await checkOutDir(out, positionals);
  const files = await readInputs(positionals);
  const all = files.flatMap((f) => f.inputs);

  const styles = styleCounts(all);
  if (opts.style === null && styles.size > 1)
    throw new UsageError(
      `The inputs hold several caption styles (${[...styles].map(([s, n]) => `${s} ${n}`).join(', ')}): ` +
        'choose one with --style.',
    );
  const base = (i: CaptionInput) => (flags.images ? resolve(flags.images) : dirname(resolve(i.source)));
  const { candidates, dropped: screened } = screen(
    all,
    (i) => (isAbsolute(i.file) ? i.file : join(base(i), i.file)),
    opts,
  );
  const state = await checkOutDir(out, [...positionals, ...candidates.map((c) => c.image)]);

  const images = [...new Set(candidates.map((c) => c.image))];
  const facts = new Map<string, ImageFacts>(
    (await pool(images, 8, async (p) => [p, await imageFacts(p)] as const)).map(([p, f]) => [p, f]),
  );
  let result: ReturnType<typeof finish>;
  try {
    result = finish(candidates, facts, opts);
  } catch (err) {
    throw err instanceof DomainShareError ? new UsageError(err.message) : err;
  }
  const { kept } = result;
  const dropped = [...screened, ...result.dropped];

  const folder = await OutputFolder.open(out, state);
  try {
    const names = imageNames(kept.map((k) => k.key));
    const lines = { train: '', val: '' };
    for (const [at, k] of kept.entries()) {
      const name = names[at]!;
      await folder.addImage(k.image, name);
      lines[k.split] += chatLine({
        domain: k.input.domain,
        language: k.input.language,
        style: k.input.style ?? 'detailed',
        caption: k.input.caption,
        image: `images/${name}`,
      });
    }
    await folder.write('train.jsonl', lines.train);
    await folder.write('val.jsonl', lines.val);
    const summary = summarise(
      files.map((f) => ({
        path: f.path,
        format: f.inputs[0]?.format ?? 'empty',
        lines: f.inputs.length,
      })),
      {
        images: flags.images ?? null,
        style: opts.style,
        minScore: opts.minScore,
        keepUnjudged: opts.keepUnjudged,
        maxDomainShare: opts.maxDomainShare,
        dupDistance: opts.dupDistance,
        valFraction: opts.valFraction,
      },
      kept,
      dropped,
      { linked: folder.linked, copied: folder.copied },
    );
    // Last: a folder is a prepare output (which a later run may replace) only once it is whole.
    await folder.write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    await folder.commit();
    const where = (d: (typeof dropped)[number]) => `${d.source}:${d.line}: ${d.file}`;
    process.stderr.write(
      listedDrops('Missing images, dropped', dropped.filter((d) => d.reason === 'missing-image').map(where)) +
        listedDrops(
          'Images that could not be decoded, dropped',
          dropped.filter((d) => d.reason === 'unreadable-image').map(where),
        ),
    );
    process.stdout.write(summaryText(summary, out));
  } catch (err) {
    await folder.discard();
    throw err;
  }
  return 0;
}
