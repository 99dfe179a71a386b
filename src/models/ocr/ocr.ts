/**
 * The OCR tool: PP-OCRv4 text detection (DB) + recognition (CTC) with our
 * own pre- and post-processing, over an injected runtime so the same code
 * runs on onnxruntime-web in the worker and onnxruntime-node in tests.
 * Output: lines in reading order with boxes and confidences.
 */
import type { OcrLine } from '../../shared/ocr.ts';
import { ctcGreedy } from './ctc.ts';
import { DB_DEFAULTS, type DbOptions, dbBoxes, readingOrder } from './db-postprocess.ts';
import { type RgbImage, resampleToTensor } from './image.ts';

export type { OcrLine };

/** Runs one of the two OCR networks on a CHW float tensor with batch 1. */
export interface OcrRuntime {
  run(model: 'det' | 'rec', input: Float32Array, dims: readonly number[]): Promise<OcrOutput>;
}

/** A network's output tensor. */
export interface OcrOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** OCR knobs; defaults follow PaddleOCR's PP-OCRv4 settings. */
export interface OcrOptions {
  /** Longest side the detector sees (larger images are scaled down). */
  readonly maxSide: number;
  /** Shortest side the detector sees (small images are scaled up so small text survives). */
  readonly minSide: number;
  readonly db: DbOptions;
  /** Lines below this recognition confidence are dropped as noise. */
  readonly minConfidence: number;
}

/** Defaults. */
export const OCR_DEFAULTS: OcrOptions = Object.freeze({
  maxSide: 960,
  minSide: 64,
  db: DB_DEFAULTS,
  minConfidence: 0.5,
});

const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;
const REC_HEIGHT = 48;

/** Detector input size: the image scaled into [minSide, maxSide], each side a multiple of 32. */
export function detectorSize(width: number, height: number, options: OcrOptions = OCR_DEFAULTS): [number, number] {
  let scale = Math.min(1, options.maxSide / Math.max(width, height));
  if (Math.min(width, height) * scale < options.minSide) scale = options.minSide / Math.min(width, height);
  const round = (v: number) => Math.max(32, Math.round(v / 32) * 32);
  return [round(width * scale), round(height * scale)];
}

/** Finds and reads the text lines of an image. */
export async function readText(
  image: RgbImage,
  runtime: OcrRuntime,
  alphabet: readonly string[],
  options: OcrOptions = OCR_DEFAULTS,
): Promise<OcrLine[]> {
  const [detW, detH] = detectorSize(image.width, image.height, options);
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  const detInput = resampleToTensor(image, whole, detW, detH, (v, c) => (v - (DET_MEAN[c] ?? 0)) / (DET_STD[c] ?? 1));
  const prob = await runtime.run('det', detInput, [1, 3, detH, detW]);
  const [mapH = detH, mapW = detW] = prob.dims.slice(-2);
  const sx = image.width / mapW;
  const sy = image.height / mapH;
  const boxes = dbBoxes(prob.data, mapW, mapH, options.db).map((b) => ({
    x: b.x * sx,
    y: b.y * sy,
    width: b.width * sx,
    height: b.height * sy,
  }));

  const lines: OcrLine[] = [];
  for (const box of readingOrder(boxes)) {
    const width = Math.max(REC_HEIGHT / 3, Math.round((REC_HEIGHT * box.width) / box.height));
    const input = resampleToTensor(image, box, width, REC_HEIGHT, (v) => (v - 0.5) / 0.5);
    const out = await runtime.run('rec', input, [1, 3, REC_HEIGHT, width]);
    const [, steps = 0, classes = 0] = out.dims;
    const gaps = wordGaps(input, width, REC_HEIGHT);
    const stepWidth = width / Math.max(1, steps);
    const isWordGap = (a: number, b: number) =>
      gaps.some(([start, end]) => start >= (a + 0.5) * stepWidth && end <= (b + 0.5) * stepWidth);
    const decoded = ctcGreedy(out.data, steps, classes, alphabet, isWordGap);
    if (decoded.text.trim() && decoded.confidence >= options.minConfidence) {
      lines.push({ text: decoded.text.trim(), confidence: decoded.confidence, box });
    }
  }
  return lines;
}

/**
 * Column ranges of the recogniser's input that hold no ink and are wide
 * enough to be a space between words (a third of the text's height).
 */
export function wordGaps(input: Float32Array, width: number, height: number): [number, number][] {
  // Grey level per pixel (the three channels averaged), background = the median.
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = ((input[i] ?? 0) + (input[i + grey.length] ?? 0) + (input[i + 2 * grey.length] ?? 0)) / 3;
  }
  const background = [...grey].sort((a, b) => a - b)[grey.length >> 1] ?? 0;
  const ink = (x: number, y: number) => Math.abs((grey[y * width + x] ?? background) - background) > 0.5;
  const inkColumns = Array.from({ length: width }, (_, x) =>
    Array.from({ length: height }, (_, y) => ink(x, y)).some(Boolean),
  );
  const inkRows = Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => ink(x, y)).some(Boolean),
  );
  const textHeight = inkRows.lastIndexOf(true) - inkRows.indexOf(true) + 1;
  const gaps: [number, number][] = [];
  let start = -1;
  const first = inkColumns.indexOf(true);
  const last = inkColumns.lastIndexOf(true);
  for (let x = first; x <= last; x++) {
    if (!inkColumns[x] && start < 0) start = x;
    if (inkColumns[x] && start >= 0) {
      if (x - start >= textHeight / 3) gaps.push([start, x]);
      start = -1;
    }
  }
  return gaps;
}
