/**
 * How figure 4 scores a reader: its text normalised (runs of whitespace,
 * line breaks included, as one space), the character error rate against
 * the truth, phrase recall (the share of the image's phrases found
 * verbatim), and the median time per image — over all images and per kind.
 */
import { editDistance } from '../../test/fixtures/ocr-samples';
import { median } from '../stats';

/** A rendered image, its kind, its ground truth (whitespace as single spaces) and the phrases it holds. */
export interface OcrBenchSample {
  readonly kind: string;
  readonly png: Uint8Array<ArrayBuffer>;
  readonly truth: string;
  readonly phrases: readonly string[];
}

/** One reader's text for one image, and the time it took (decode included), in round `round`. */
export interface OcrRead {
  readonly sample: OcrBenchSample;
  readonly text: string;
  readonly ms: number;
  readonly round: number;
}

/** A reader's figures over a set of images. */
export interface OcrScore {
  /** Character error rate (edit distance ÷ reference characters). */
  readonly cer: number;
  /** Share of the phrases found verbatim. */
  readonly recall: number;
  /** Median milliseconds per image. */
  readonly ms: number;
  /** Median milliseconds per image of each round (their spread decides whether a time ratio earns a verdict). */
  readonly roundMs: readonly number[];
  readonly images: number;
}

/** Text as it is compared. */
export function normalisedText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function scoreOf(reads: readonly OcrRead[]): OcrScore {
  let errors = 0;
  let chars = 0;
  let found = 0;
  let phrases = 0;
  for (const { sample, text: raw } of reads) {
    const text = normalisedText(raw);
    errors += editDistance(text, sample.truth);
    chars += sample.truth.length;
    found += sample.phrases.filter((p) => text.includes(p)).length;
    phrases += sample.phrases.length;
  }
  return {
    cer: errors / chars,
    recall: found / phrases,
    ms: median(reads.map((r) => r.ms)),
    roundMs: [...new Set(reads.map((r) => r.round))].map((n) =>
      median(reads.filter((r) => r.round === n).map((r) => r.ms)),
    ),
    images: new Set(reads.map((r) => r.sample)).size,
  };
}

/** The figures over all reads (`all`) and per kind. */
export function scoreReads(reads: readonly OcrRead[]): Record<string, OcrScore> {
  const kinds = [...new Set(reads.map((r) => r.sample.kind))];
  return Object.fromEntries([
    ['all', scoreOf(reads)],
    ...kinds.map((kind) => [kind, scoreOf(reads.filter((r) => r.sample.kind === kind))] as const),
  ]);
}
