/**
 * How figure 4 scores a reader: both readers' text normalised the same way
 * (lines trimmed, blank lines dropped, runs of spaces as one), then the
 * character error rate over every sample, and the median time per image.
 */
import { editDistance } from '../../test/fixtures/ocr-samples';
import { median } from '../stats';

/** One reader's text for one image, and the time it took (decode included). */
export interface OcrRead {
  readonly truth: string;
  readonly text: string;
  readonly ms: number;
}

/** A reader's figures over the set. */
export interface OcrScore {
  /** Character error rate (edit distance ÷ reference characters). */
  readonly cer: number;
  /** Median milliseconds per image. */
  readonly ms: number;
  readonly images: number;
}

/** Text as it is compared. */
export function normalisedText(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** The figures of a reader's reads (each image may appear once per round: times from all, errors from all). */
export function scoreReads(reads: readonly OcrRead[]): OcrScore {
  let errors = 0;
  let total = 0;
  for (const r of reads) {
    errors += editDistance(normalisedText(r.text), r.truth);
    total += r.truth.length;
  }
  return { cer: errors / total, ms: median(reads.map((r) => r.ms)), images: new Set(reads.map((r) => r.truth)).size };
}
