/**
 * Our image processor's output against the reference processor's recorded
 * statistics (test/fixtures/real/reference/pixel_values.json), shared by the
 * Node and Chromium tests: the grid and shape exactly; min, max, mean and
 * standard deviation; every probed pixel and the first values of the first
 * and last patch rows within two 8-bit levels (the reference's own two
 * backends differ by that much).
 */
import type { Tensor } from '@huggingface/transformers';
import { expect } from 'vitest';

/** One recorded reference result. */
export interface PixelRecord {
  readonly backend: string;
  readonly setting: string;
  readonly do_normalize: boolean;
  readonly resample: string;
  readonly image: string;
  readonly max_pixels: number;
  readonly resized_hw: [number, number];
  readonly image_grid_thw: [number, number, number];
  readonly pixel_values_shape: [number, number];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  readonly probes: Readonly<Record<string, { y: number; x: number; rgb: [number, number, number] }>>;
  readonly row0_first32: readonly number[];
  readonly last_row_first32: readonly number[];
}

/** The records of what the real export's processor does: torchvision backend, bicubic, normalised. */
export function referencePixelRecords(file: { results: readonly PixelRecord[] }): PixelRecord[] {
  return file.results.filter((r) => r.backend === 'torchvision' && r.resample === 'BICUBIC' && r.do_normalize);
}

/** Channel `c` at pixel (y, x) of the resized image, read back from Qwen's patch rows (layout in the reference's README). */
function pixelAt(values: Float32Array, width: number, y: number, x: number, c: number): number {
  const [P, M, T] = [16, 2, 2];
  const gridW = width / P;
  const [gy, gx] = [Math.floor(y / P), Math.floor(x / P)];
  const row = ((Math.floor(gy / M) * (gridW / M) + Math.floor(gx / M)) * M + (gy % M)) * M + (gx % M);
  return values[row * 3 * T * P * P + (c * T * P + (y % P)) * P + (x % P)] ?? NaN;
}

function stats(values: Float32Array) {
  let [sum, sq, min, max] = [0, 0, Infinity, -Infinity];
  for (const v of values) {
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), min, max };
}

const TWO_LEVELS = (2 * 2) / 255 + 1e-6;

/** Asserts that a Qwen2-VL image processor's output matches a reference record. */
export function expectReferencePixels(out: { pixel_values: Tensor; image_grid_thw: Tensor }, ref: PixelRecord): void {
  const grid = Array.from(out.image_grid_thw.data as BigInt64Array, Number);
  expect(grid).toEqual(ref.image_grid_thw);
  expect(out.pixel_values.dims).toEqual(ref.pixel_values_shape);
  expect([(grid[1] ?? 0) * 16, (grid[2] ?? 0) * 16]).toEqual(ref.resized_hw);
  const values = out.pixel_values.data as Float32Array;
  const ours = stats(values);
  expect(ours.min).toBeCloseTo(ref.min, 3);
  expect(ours.max).toBeCloseTo(ref.max, 3);
  expect(Math.abs(ours.mean - ref.mean)).toBeLessThan(1e-3);
  expect(Math.abs(ours.std - ref.std)).toBeLessThan(1e-3);
  const width = ref.resized_hw[1];
  for (const [probe, { y, x, rgb }] of Object.entries(ref.probes)) {
    rgb.forEach((want, c) => expect(Math.abs(pixelAt(values, width, y, x, c) - want), probe).toBeLessThan(TWO_LEVELS));
  }
  const rowWidth = ref.pixel_values_shape[1];
  const rows = [
    [values.subarray(0, 32), ref.row0_first32],
    [values.subarray(values.length - rowWidth, values.length - rowWidth + 32), ref.last_row_first32],
  ] as const;
  for (const [got, want] of rows)
    want.forEach((w, i) => expect(Math.abs((got[i] ?? NaN) - w)).toBeLessThan(TWO_LEVELS));
}
