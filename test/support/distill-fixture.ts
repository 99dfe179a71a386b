/**
 * Inputs for `distill prepare`'s tests, made with the project's own types
 * and writers: caption records and run-log lines as the CLI writes them,
 * session items exported by the page's real `toJsonl` and
 * `toFineTuneJsonl`, and tiny PNGs of seeded noise (distinct dHashes; a
 * solid colour would hash to zero and make every image a duplicate).
 */
import sharp from 'sharp';
import { JUDGE_DIMENSIONS } from '../../src/capflow/spec';
import type { RunLine } from '../../src/cli/run-log';
import type { SessionItem } from '../../src/session/item';
import type { CaptionRecord, CaptionStyle, DomainId } from '../../src/shared/record';

/** What a test sets on a record. */
export interface RecordSpec {
  readonly caption?: string;
  readonly domain?: DomainId | null;
  readonly style?: CaptionStyle | null;
  readonly mode?: CaptionRecord['mode'];
  readonly language?: string;
  /** One score for every image dimension, or one per dimension (null: unread); null: not judged. */
  readonly scores?: number | readonly (number | null)[] | null;
  /** Defaults to every known score being 3. */
  readonly accepted?: boolean;
  readonly video?: boolean;
}

/** A version-3 caption record, judged on the real image rubric unless `scores` is null. */
export function captionRecord(spec: RecordSpec = {}): CaptionRecord {
  const dims = JUDGE_DIMENSIONS.image;
  const list =
    spec.scores === null
      ? null
      : typeof spec.scores === 'object'
        ? spec.scores
        : dims.map(() => (spec.scores as number | undefined) ?? 3);
  const scores = list ? Object.fromEntries(dims.map((d, i) => [d, list[i] ?? null])) : null;
  const domain = spec.domain === undefined ? 'natural' : spec.domain;
  return {
    version: 3,
    caption: spec.caption ?? 'A red kite over a green field.',
    mode: spec.mode ?? 'capflow',
    style: spec.style === undefined ? 'detailed' : spec.style,
    language: spec.language ?? 'English',
    domain: domain ? { id: domain, label: domain, confidence: 0.9, decidedBy: 'zero-shot', top: [] } : null,
    timestamps: spec.video ? [0, 1.5] : null,
    trace: [],
    judge: scores
      ? {
          scores,
          topOnAll: Object.values(scores).every((s) => s === 3),
          attempts: [],
          kept: 1,
          minScore: Object.fromEntries(dims.map((d) => [d, 3])),
          accepted: spec.accepted ?? Object.values(scores).every((s) => s === 3),
        }
      : null,
    totalMs: 10,
    runtime: null,
  };
}

/** A run-log line of a captioned image. */
export const okLine = (file: string, spec: RecordSpec = {}): RunLine => ({
  version: 1,
  file,
  ok: true,
  record: captionRecord(spec),
});

/** A run-log line of an image that failed. */
export const failedLine = (file: string): RunLine => ({
  version: 1,
  file,
  ok: false,
  error: { name: 'ImageDecodeError', message: 'could not be decoded' },
});

/** Run-log lines as the CLI writes them. */
export const runLog = (lines: readonly RunLine[]): string => lines.map((l) => `${JSON.stringify(l)}\n`).join('');

/** A finished page item (the user's `edited` caption, when given). */
export function sessionItem(path: string, spec: RecordSpec = {}, edited: string | null = null): SessionItem {
  return {
    id: path,
    name: path.split('/').at(-1) ?? path,
    path,
    type: spec.video ? 'video/mp4' : 'image/png',
    ...(spec.video ? { media: 'video' as const } : {}),
    size: 1,
    addedAt: 0,
    status: 'done',
    error: null,
    record: captionRecord(spec),
    edited,
    pinnedDomain: null,
    blobKept: true,
  };
}

/**
 * A `size`² PNG of smooth random blotches from `seed` (a 6×6 grid of random colours, enlarged): images of
 * different seeds are far apart in dHash, and a re-encoded copy stays close (raw noise would not: its 9×8
 * averages are nearly equal, so a slight change flips many bits).
 */
export function noisePng(seed: number, size = 32): Promise<Buffer> {
  const grid = 6;
  const pixels = Buffer.alloc(grid * grid * 3);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    pixels[i] = x >>> 24;
  }
  return sharp(pixels, { raw: { width: grid, height: grid, channels: 3 } })
    .resize(size, size, { kernel: 'cubic' })
    .png()
    .toBuffer();
}

/** The same picture, other bytes: brightened a little and twice as large (a near-duplicate). */
export async function nearCopy(png: Buffer): Promise<Buffer> {
  const { width } = await sharp(png).metadata();
  return sharp(png)
    .resize((width ?? 32) * 2)
    .modulate({ brightness: 1.04 })
    .png()
    .toBuffer();
}
