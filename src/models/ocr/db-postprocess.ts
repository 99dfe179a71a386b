/**
 * Text boxes from the PP-OCR detection (DB) probability map: threshold,
 * connected components, score filter, and the DB "unclip" that grows each
 * shrunk text kernel back to the full text extent. Boxes are the smallest
 * rectangles around the kernels, so vertical axis labels and tilted
 * labels keep their own orientation.
 */
import { type RotatedBox, boundsOf, extentAlong, frameOf, lineAngleBetween, minAreaRect } from './geometry.ts';

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
export interface ScoredBox extends RotatedBox {
  readonly score: number;
}

/**
 * Boxes in map coordinates (`width`×`height` map, row-major
 * probabilities), each with the side nearer horizontal as its width.
 */
export function dbBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  options: DbOptions = DB_DEFAULTS,
): ScoredBox[] {
  const label = new Int32Array(width * height).fill(-1);
  const boxes: ScoredBox[] = [];
  const stack: number[] = [];
  // Per row of the current component, its leftmost and rightmost pixel: the outline the rectangle needs.
  const rowMin = new Int32Array(height);
  const rowMax = new Int32Array(height);
  const visit = (n: number) => {
    if (label[n] === -1 && (prob[n] ?? 0) > options.threshold) {
      label[n] = boxes.length;
      stack.push(n);
    }
  };
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
    const firstRow = (start - (start % width)) / width;
    let lastRow = firstRow;
    rowMin[firstRow] = width;
    rowMax[firstRow] = -1;
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const x = i % width;
      const y = (i - x) / width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      // Rows are reached in any order but never above the first (the scan found it first).
      for (; lastRow < y; lastRow++) {
        rowMin[lastRow + 1] = width;
        rowMax[lastRow + 1] = -1;
      }
      rowMin[y] = Math.min(rowMin[y] ?? width, x);
      rowMax[y] = Math.max(rowMax[y] ?? -1, x);
      sum += prob[i] ?? 0;
      count += 1;
      // The four neighbours, written out: this loop visits every text pixel of the map.
      if (x + 1 < width) visit(i + 1);
      if (x > 0) visit(i - 1);
      if (y + 1 < height) visit(i + width);
      if (y > 0) visit(i - width);
    }
    const score = sum / count;
    if (score < options.boxThreshold) continue;
    // The pixels' outline: each row's outer corners.
    const outline: [number, number][] = [];
    for (let y = minY; y <= maxY; y++) {
      const left = rowMin[y] ?? 0;
      const right = (rowMax[y] ?? 0) + 1;
      if (right <= left) continue;
      outline.push([left, y], [left, y + 1], [right, y], [right, y + 1]);
    }
    const rect = minAreaRect(outline);
    if (Math.min(rect.width, rect.height) < options.minSize) continue;
    // Unclip: offset every side by area * ratio / perimeter, as DB's polygon offset does.
    const d = (rect.width * rect.height * options.unclipRatio) / (2 * (rect.width + rect.height));
    if (rect.angle !== 0) {
      boxes.push({ ...rect, width: rect.width + 2 * d, height: rect.height + 2 * d, score });
      continue;
    }
    // Upright boxes stay within the map (a tilted one is read with the image's edge repeated).
    const x0 = Math.max(0, minX - d);
    const y0 = Math.max(0, minY - d);
    const x1 = Math.min(width, maxX + 1 + d);
    const y1 = Math.min(height, maxY + 1 + d);
    boxes.push({ cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, width: x1 - x0, height: y1 - y0, angle: 0, score });
  }
  return boxes;
}

/**
 * Sorts boxes in reading order: top to bottom by line, left to right within
 * a line, by the upright boxes around them whichever way they read (by
 * their centres: a vertical label's top says little about where it sits).
 */
export function readingOrder<T extends RotatedBox>(boxes: readonly T[]): T[] {
  const placed = boxes.map((box) => ({ box, bounds: boundsOf(box) })).sort((a, b) => a.box.cy - b.box.cy);
  const lines: (typeof placed)[] = [];
  for (const item of placed) {
    const line = lines.at(-1);
    const first = line?.[0]?.bounds;
    const { y, height } = item.bounds;
    // Same line when the vertical centres are within half the shorter box's height.
    if (line && first && Math.abs(y + height / 2 - (first.y + first.height / 2)) < Math.min(height, first.height) / 2) {
      line.push(item);
    } else lines.push([item]);
  }
  return lines.flatMap((line) => line.sort((a, b) => a.bounds.x - b.bounds.x).map((item) => item.box));
}

/** Boxes on one line closer than this many times the taller box's height are one run of text. */
const MERGE_GAP_TIMES_HEIGHT = 0.6;
/** Boxes whose lines differ by more than this (radians, 6°) are never one line. */
const MERGE_MAX_ANGLE = Math.PI / 30;

/**
 * Joins boxes that sit side by side on one line, reading the same way, with
 * no more than a word's space between them (the detector splits a line at
 * wide word gaps, especially on enlarged images), so each line is read as
 * one crop and its spaces come from the gap rule; columns further apart,
 * and a vertical label beside horizontal text, stay separate. Measured in
 * the longer box's frame: along its reading direction and across it.
 */
export function mergeLineBoxes(boxes: readonly RotatedBox[]): RotatedBox[] {
  const merged = [...boxes].sort((a, b) => boundsOf(a).x - boundsOf(b).x);
  for (let i = 0; i < merged.length; i++) {
    for (let j = i + 1; j < merged.length; j++) {
      const a = merged[i];
      const b = merged[j];
      if (!a || !b || lineAngleBetween(a.angle, b.angle) > MERGE_MAX_ANGLE) continue;
      const angle = a.width >= b.width ? a.angle : b.angle;
      const { ux, uy, vx, vy } = frameOf(angle);
      const [aStart, aEnd] = extentAlong(a, ux, uy);
      const [bStart, bEnd] = extentAlong(b, ux, uy);
      const [aTop, aBottom] = extentAlong(a, vx, vy);
      const [bTop, bBottom] = extentAlong(b, vx, vy);
      const low = Math.min(aBottom - aTop, bBottom - bTop);
      const high = Math.max(aBottom - aTop, bBottom - bTop);
      const overlap = Math.min(aBottom, bBottom) - Math.max(aTop, bTop);
      const gap = Math.max(aStart, bStart) - Math.min(aEnd, bEnd);
      // Similar heights, or a small mark ("{", "-", ".") within a line's height, not a
      // line beside a vertical label (the taller box then is taller than wide).
      const taller = aBottom - aTop >= bBottom - bTop ? a : b;
      const alike = high <= 1.5 * low || (overlap >= 0.9 * low && taller.height < taller.width);
      if (overlap < 0.6 * low || !alike || gap > MERGE_GAP_TIMES_HEIGHT * high) continue;
      const start = Math.min(aStart, bStart);
      const end = Math.max(aEnd, bEnd);
      const top = Math.min(aTop, bTop);
      const bottom = Math.max(aBottom, bBottom);
      const u = (start + end) / 2;
      const v = (top + bottom) / 2;
      merged[i] = { cx: u * ux + v * vx, cy: u * uy + v * vy, width: end - start, height: bottom - top, angle };
      merged.splice(j, 1);
      j = i; // the grown box may now reach boxes it did not before
    }
  }
  return merged;
}
