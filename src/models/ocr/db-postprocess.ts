/**
 * Text boxes from the PP-OCR detection (DB) probability map: threshold,
 * connected components, score filter, and the DB "unclip" that grows each
 * shrunk text kernel back to the full text extent. Boxes are axis-aligned:
 * captioning screenshots, documents and charts is horizontal text.
 */
import type { Box } from './image.ts';

/** DB post-processing knobs (PaddleOCR's defaults). */
export interface DbOptions {
  readonly threshold: number;
  readonly boxThreshold: number;
  readonly unclipRatio: number;
  readonly minSize: number;
}

/** PaddleOCR's defaults for PP-OCRv4 detection. */
export const DB_DEFAULTS: DbOptions = Object.freeze({
  threshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
});

/** A detected text region with the mean probability inside it. */
export interface ScoredBox extends Box {
  readonly score: number;
}

/** Boxes in map coordinates (`width`×`height` map, row-major probabilities). */
export function dbBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  options: DbOptions = DB_DEFAULTS,
): ScoredBox[] {
  const label = new Int32Array(width * height).fill(-1);
  const boxes: ScoredBox[] = [];
  const stack: number[] = [];
  for (let start = 0; start < prob.length; start++) {
    if (label[start] !== -1 || (prob[start] ?? 0) <= options.threshold) continue;
    let minX = width,
      minY = height,
      maxX = -1,
      maxY = -1,
      sum = 0,
      count = 0;
    label[start] = boxes.length;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const x = i % width;
      const y = (i - x) / width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      sum += prob[i] ?? 0;
      count += 1;
      for (const [dx, dy] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const n = ny * width + nx;
        if (label[n] === -1 && (prob[n] ?? 0) > options.threshold) {
          label[n] = boxes.length;
          stack.push(n);
        }
      }
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    const score = sum / count;
    if (Math.min(w, h) < options.minSize || score < options.boxThreshold) continue;
    // Unclip: offset every side by area * ratio / perimeter, as DB's polygon offset does.
    const d = (w * h * options.unclipRatio) / (2 * (w + h));
    const x0 = Math.max(0, minX - d);
    const y0 = Math.max(0, minY - d);
    const x1 = Math.min(width, maxX + 1 + d);
    const y1 = Math.min(height, maxY + 1 + d);
    boxes.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, score });
  }
  return boxes;
}

/** Sorts boxes in reading order: top to bottom by line, left to right within a line. */
export function readingOrder<T extends Box>(boxes: readonly T[]): T[] {
  const sorted = [...boxes].sort((a, b) => a.y - b.y);
  const lines: T[][] = [];
  for (const box of sorted) {
    const line = lines.at(-1);
    const first = line?.[0];
    // Same line when the vertical centres are within half the shorter box's height.
    if (
      line &&
      first &&
      Math.abs(box.y + box.height / 2 - (first.y + first.height / 2)) < Math.min(box.height, first.height) / 2
    ) {
      line.push(box);
    } else lines.push([box]);
  }
  return lines.flatMap((line) => line.sort((a, b) => a.x - b.x));
}

/** Boxes on one line closer than this many times the taller box's height are one run of text. */
const MERGE_GAP_TIMES_HEIGHT = 0.6;

/**
 * Joins boxes that sit side by side on one line with no more than a word's
 * space between them (the detector splits a line at wide word gaps,
 * especially on enlarged images), so each line is read as one crop and its
 * spaces come from the gap rule; columns further apart stay separate.
 */
export function mergeLineBoxes(boxes: readonly Box[]): Box[] {
  const merged = [...boxes].sort((a, b) => a.x - b.x);
  for (let i = 0; i < merged.length; i++) {
    for (let j = i + 1; j < merged.length; j++) {
      const a = merged[i];
      const b = merged[j];
      if (!a || !b) continue;
      const low = Math.min(a.height, b.height);
      const high = Math.max(a.height, b.height);
      const overlap = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      const gap = b.x - (a.x + a.width);
      // Similar heights, or a small mark ("{", "-", ".") within the line's height.
      const alike = high <= 1.5 * low || overlap >= 0.9 * low;
      if (overlap < 0.6 * low || !alike || gap > MERGE_GAP_TIMES_HEIGHT * high) continue;
      const x = Math.min(a.x, b.x);
      const y = Math.min(a.y, b.y);
      merged[i] = {
        x,
        y,
        width: Math.max(a.x + a.width, b.x + b.width) - x,
        height: Math.max(a.y + a.height, b.y + b.height) - y,
      };
      merged.splice(j, 1);
      j = i; // the grown box may now reach boxes it did not before
    }
  }
  return merged;
}
