/**
 * Which captions `distill prepare` keeps for the student, and in which
 * split: pure logic over read input lines and facts about their images
 * (prepare-command.ts reads the files). Two stages, so only the images of
 * records that pass the record filters are decoded: {@link screen} (the
 * judge's verdict, scores, style, mode, one line per image) and
 * {@link finish} (missing images, duplicates, the domain cap, the split).
 * Every choice is deterministic: by a hash of the path as the record holds
 * it, never by input order or machine.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { CaptionStyle } from '../../shared/record';
import type { DistillInput } from './inputs';

/** A caption line of the inputs. */
export type CaptionInput = Extract<DistillInput, { kind: 'caption' }>;

/** Why a line is not in the training set, as the summary counts them. */
export const DROP_REASONS = Object.freeze({
  failed: 'captioning failed',
  video: 'a video (prepare takes images)',
  'prompt-mode': 'prompt mode, or an instruction that is no single-pass prompt (not what the student learns)',
  'empty-caption': 'an empty caption',
  'other-style': 'another style than --style',
  rejected: 'rejected by the judge',
  unjudged: 'not judged (no verdict; --keep-unjudged keeps these)',
  'no-scores': 'no judge score on some dimension (--min-score is set)',
  'below-min-score': 'a judge score below --min-score',
  replaced: 'the same image in a later line, or one with an edited caption',
  'missing-image': 'the image is missing',
  'unreadable-image': 'the image could not be decoded',
  duplicate: 'the same bytes as, or a near-duplicate (dHash) of, an image earlier by path',
  'domain-cap': 'over --max-domain-share for its domain',
} as const satisfies Record<string, string>);

/** A {@link DROP_REASONS} key. */
export type DropReason = keyof typeof DROP_REASONS;

/** A line set aside, and why. */
export interface Dropped {
  readonly source: string;
  readonly line: number;
  readonly file: string;
  readonly reason: DropReason;
}

/** The filters' settings (the command's flags). */
export interface PrepareOptions {
  /** Keep only this style; null: the inputs must hold one style (see {@link styleCounts}). */
  readonly style: CaptionStyle | null;
  /** Every judge dimension must score at least this; null: no bar beyond the judge's own `accepted`. */
  readonly minScore: number | null;
  /** Keep lines the judge never saw (accepted: null), such as the page's fine-tuning export. */
  readonly keepUnjudged: boolean;
  /** 0 < share ≤ 1: no domain holds more of the kept set than this (1: no cap). */
  readonly maxDomainShare: number;
  /** dHash Hamming distance at or under which two images are duplicates; null: only identical bytes. */
  readonly dupDistance: number | null;
  /** 0 ≤ fraction < 1 of images in validation. */
  readonly valFraction: number;
}

/** A caption line that passed the record filters, with its image's resolved path and its stable key. */
export interface Candidate {
  readonly input: CaptionInput;
  /** The record's path, normalised (POSIX, no `./`): what the split, the cap and duplicates order by. */
  readonly key: string;
  /** The image file on this machine. */
  readonly image: string;
}

/** What the command learned about an image file. */
export type ImageFacts =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable' }
  /** `bytes`: a hash of the file's bytes; `dhash`: its 64-bit difference hash. */
  | { readonly kind: 'ok'; readonly bytes: string; readonly dhash: bigint };

/** A kept caption and its split. */
export interface Kept extends Candidate {
  readonly split: 'train' | 'val';
}

/** The path a record holds, normalised so that `./a/b.png`, `a//b.png` and `a\b.png` are one key. */
export function pathKey(file: string): string {
  // normalize drops a leading `./` and folds `//` and `x/..`.
  return posix.normalize(file.replaceAll('\\', '/'));
}

/** A number in [0, 1) from the key's SHA-256: the same on every machine and run. */
export function keyFraction(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** Train or validation for a key: validation when its hash fraction is under `valFraction`. */
export function splitOf(key: string, valFraction: number): 'train' | 'val' {
  return keyFraction(key) < valFraction ? 'val' : 'train';
}

/** The caption styles among the image lines that could be kept (prompt mode, videos and failures aside), with counts. */
export function styleCounts(inputs: readonly DistillInput[]): Map<CaptionStyle, number> {
  const counts = new Map<CaptionStyle, number>();
  for (const i of inputs)
    if (i.kind === 'caption' && !i.video && i.style !== null) counts.set(i.style, (counts.get(i.style) ?? 0) + 1);
  return counts;
}

const drop = (i: DistillInput, reason: DropReason): Dropped => ({
  source: i.source,
  line: i.line,
  file: i.file,
  reason,
});

/** Why a caption line fails the record filters, or null when it passes. */
function recordReason(i: CaptionInput, options: PrepareOptions): DropReason | null {
  if (i.video) return 'video';
  if (i.style === null) return 'prompt-mode';
  if (!i.caption.trim()) return 'empty-caption';
  if (options.style !== null && i.style !== options.style) return 'other-style';
  if (i.accepted === false) return 'rejected';
  if (i.accepted === null && !options.keepUnjudged) return 'unjudged';
  if (options.minScore !== null) {
    const scores = Object.values(i.scores ?? {});
    if (scores.length === 0 || scores.some((s) => s === null)) return 'no-scores';
    if (scores.some((s) => s !== null && s < options.minScore!)) return 'below-min-score';
  }
  return null;
}

/**
 * The record filters, then one line per image: among lines naming the same image (by `resolve`d path), an
 * edited caption wins over the model's, and otherwise the later line (a re-run) wins.
 */
export function screen(
  inputs: readonly DistillInput[],
  resolve: (input: CaptionInput) => string,
  options: PrepareOptions,
): { candidates: Candidate[]; dropped: Dropped[] } {
  const dropped: Dropped[] = [];
  const byImage = new Map<string, Candidate>();
  for (const i of inputs) {
    if (i.kind === 'failure') {
      dropped.push(drop(i, 'failed'));
      continue;
    }
    const reason = recordReason(i, options);
    if (reason) {
      dropped.push(drop(i, reason));
      continue;
    }
    const candidate = { input: i, key: pathKey(i.file), image: resolve(i) };
    const earlier = byImage.get(candidate.image);
    if (earlier && earlier.input.edited && !i.edited) {
      dropped.push(drop(i, 'replaced'));
      continue;
    }
    if (earlier) dropped.push(drop(earlier.input, 'replaced'));
    byImage.set(candidate.image, candidate);
  }
  return { candidates: [...byImage.values()], dropped };
}

/** The number of differing bits of two 64-bit hashes. */
export function hamming(a: bigint, b: bigint): number {
  let x = a ^ b;
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/**
 * Drops duplicates from `sorted` (in key order, so the first by path is kept): the same bytes, or a dHash
 * within `distance` bits. Hashes within `distance` bits agree exactly on one of `distance + 1` bands
 * (pigeonhole), so each image is compared only with those sharing a band, not with every kept image.
 */
function dedupe(
  sorted: readonly { c: Candidate; bytes: string; dhash: bigint }[],
  distance: number | null,
): { kept: Candidate[]; duplicates: Candidate[] } {
  // At least distance + 1 bands of `width` bits (the last may be narrower).
  const width = distance === null ? 64 : Math.max(1, Math.floor(64 / (distance + 1)));
  const bands = distance === null ? 0 : Math.ceil(64 / width);
  const bandOf = (h: bigint, b: number) =>
    `${b}:${(h >> BigInt(b * width)) & ((1n << BigInt(Math.min(width, 64 - b * width))) - 1n)}`;
  const seenBytes = new Set<string>();
  const index = new Map<string, bigint[]>();
  const kept: Candidate[] = [];
  const duplicates: Candidate[] = [];
  for (const { c, bytes, dhash } of sorted) {
    let dup = seenBytes.has(bytes);
    for (let b = 0; !dup && b < bands; b++)
      dup = (index.get(bandOf(dhash, b)) ?? []).some((h) => hamming(h, dhash) <= distance!);
    if (dup) {
      duplicates.push(c);
      continue;
    }
    seenBytes.add(bytes);
    for (let b = 0; b < bands; b++) {
      const k = bandOf(dhash, b);
      index.set(k, [...(index.get(k) ?? []), dhash]);
    }
    kept.push(c);
  }
  return { kept, duplicates };
}

/** A domain cap that no set of these domains can meet: fewer domains than 1 / share. */
export class DomainShareError extends Error {
  override readonly name = 'DomainShareError';
}

/**
 * The most images any domain may keep so that none holds more than `share` of the result: the largest m with
 * m ≤ share × Σ min(count, m). Zero when fewer than 1 / share domains are present (no balance can hold).
 */
export function domainCap(counts: readonly number[], share: number): number {
  if (share >= 1) return Math.max(0, ...counts);
  let best = 0;
  for (let m = 1; m <= Math.max(0, ...counts); m++)
    if (m <= share * counts.reduce((s, n) => s + Math.min(n, m), 0) + 1e-9) best = m;
  return best;
}

/** The domain a candidate is counted under ("unknown" when the record names none). */
export const domainName = (c: Candidate): string => c.input.domain ?? 'unknown';

/**
 * Missing and unreadable images, duplicates, the domain cap (each domain keeps its candidates with the lowest
 * {@link keyFraction}), then the split. Kept captions come back in key order.
 */
export function finish(
  candidates: readonly Candidate[],
  facts: ReadonlyMap<string, ImageFacts>,
  options: PrepareOptions,
): { kept: Kept[]; dropped: Dropped[] } {
  const dropped: Dropped[] = [];
  const readable: { c: Candidate; bytes: string; dhash: bigint }[] = [];
  for (const c of candidates) {
    const f = facts.get(c.image) ?? { kind: 'missing' };
    if (f.kind === 'ok') readable.push({ c, bytes: f.bytes, dhash: f.dhash });
    else dropped.push(drop(c.input, f.kind === 'missing' ? 'missing-image' : 'unreadable-image'));
  }
  readable.sort((a, b) => (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : a.c.image < b.c.image ? -1 : 1));
  const { kept: unique, duplicates } = dedupe(readable, options.dupDistance);
  for (const c of duplicates) dropped.push(drop(c.input, 'duplicate'));

  const byDomain = new Map<string, Candidate[]>();
  for (const c of unique) byDomain.set(domainName(c), [...(byDomain.get(domainName(c)) ?? []), c]);
  const cap = domainCap(
    [...byDomain.values()].map((l) => l.length),
    options.maxDomainShare,
  );
  if (unique.length > 0 && cap === 0)
    throw new DomainShareError(
      `--max-domain-share ${options.maxDomainShare} cannot hold with ${byDomain.size} domain${byDomain.size === 1 ? '' : 's'} ` +
        `(${[...byDomain.keys()].sort().join(', ')}): it needs at least ${Math.ceil(1 / options.maxDomainShare - 1e-9)}.`,
    );
  const overCap = new Set<Candidate>();
  for (const list of byDomain.values())
    [...list]
      .sort((a, b) => keyFraction(a.key) - keyFraction(b.key) || (a.key < b.key ? -1 : 1))
      .slice(cap)
      .forEach((c) => overCap.add(c));
  const kept: Kept[] = [];
  for (const c of unique) {
    if (overCap.has(c)) dropped.push(drop(c.input, 'domain-cap'));
    else kept.push({ ...c, split: splitOf(c.key, options.valFraction) });
  }
  return { kept, dropped };
}
