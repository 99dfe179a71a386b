/**
 * Figure 4's method, the same in Node and in Chromium: both readers read
 * every sample `rounds` times after a warm-up, the side that goes first
 * alternating by round and sample, each timed from the PNG bytes (decode
 * included) to its text.
 */
import { type OcrScene, sceneTruth } from '../../test/fixtures/ocr-scenes';
import type { TextSample } from '../../test/support/text-images';
import { type OcrBenchSample, type OcrRead, type OcrScore, scoreReads } from './score';

export type { OcrBenchSample };

/** A reader of PNG bytes into text (lines separated by newlines). */
export type OcrReader = (png: Uint8Array<ArrayBuffer>) => Promise<string>;

/** The OCR set as figure 4 reads it: the clean rendered lines and the harder scenes, one kind each. */
export function benchSample(from: TextSample | OcrScene, png: Uint8Array<ArrayBuffer>): OcrBenchSample {
  if ('lines' in from) return { kind: 'clean', png, truth: from.lines.join(' '), phrases: from.lines };
  return { kind: from.kind, png, truth: sceneTruth(from), phrases: from.texts.map((t) => t.text) };
}

/** Both readers' figures, over all images (`all`) and per kind. */
export interface OcrComparison {
  readonly ours: Record<string, OcrScore>;
  readonly tesseract: Record<string, OcrScore>;
}

/** Figure 4 on both sets: the scenes the OCR was tuned on (with the clean lines), and scenes drawn fresh. */
export interface OcrSets {
  readonly tuning: OcrComparison;
  readonly fresh: OcrComparison;
}

export async function compareReaders(
  samples: readonly OcrBenchSample[],
  ours: OcrReader,
  tesseract: OcrReader,
  rounds: number,
): Promise<OcrComparison> {
  const first = samples[0];
  if (!first) throw new Error('no OCR samples');
  await ours(first.png);
  await tesseract(first.png);
  const reads = { ours: [] as OcrRead[], tesseract: [] as OcrRead[] };
  const read = async (side: 'ours' | 'tesseract', sample: OcrBenchSample, round: number) => {
    const reader = side === 'ours' ? ours : tesseract;
    const started = performance.now();
    const text = await reader(sample.png);
    reads[side].push({ sample, text, ms: performance.now() - started, round });
  };
  for (let round = 0; round < rounds; round++) {
    for (const [i, sample] of samples.entries()) {
      const order = (round + i) % 2 === 0 ? (['ours', 'tesseract'] as const) : (['tesseract', 'ours'] as const);
      for (const side of order) await read(side, sample, round);
    }
  }
  return { ours: scoreReads(reads.ours), tesseract: scoreReads(reads.tesseract) };
}
