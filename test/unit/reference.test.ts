/**
 * Our Qwen3.5 path against the reference implementation (Python
 * transformers 5.18, recorded by test/fixtures/real/reference/record.py on
 * the real export's configs): the image processor's pixels and grids for
 * three committed images at the tiers' pixel caps, and the rope positions
 * of text-only, image and left-padded prompts, prefill and decoding.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForImageTextToText, type PreTrainedModel, RawImage, Tensor, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixTextOnlyRope } from '../../src/models/qwen-rope';
import { loadProcessor, preprocessAsReference } from '../../src/models/vlm';
import { writeQwen35Vlm } from '../fixtures/forge/qwen';
import { REAL_ROOT } from '../support/real-exports';

const REFERENCE = join(REAL_ROOT, 'reference');
const read = (name: string) => JSON.parse(readFileSync(join(REFERENCE, name), 'utf8'));

interface PixelRecord {
  backend: string;
  setting: string;
  do_normalize: boolean;
  resample: string;
  image: string;
  max_pixels: number;
  resized_hw: [number, number];
  image_grid_thw: [number, number, number];
  pixel_values_shape: [number, number];
  min: number;
  max: number;
  mean: number;
  std: number;
  channel_mean: [number, number, number];
  probes: Record<string, { y: number; x: number; rgb: [number, number, number] }>;
  row0_first32: number[];
  last_row_first32: number[];
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mc-reference-'));
  writeQwen35Vlm(join(root, 'qwen'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The value of channel `c` at pixel (y, x) of the resized image, read back from Qwen's patch rows. */
function pixelAt(values: Float32Array, width: number, y: number, x: number, c: number): number {
  const [P, M, T] = [16, 2, 2];
  const gridW = width / P;
  const [gy, gx] = [Math.floor(y / P), Math.floor(x / P)];
  const row = ((Math.floor(gy / M) * (gridW / M) + Math.floor(gx / M)) * M + (gy % M)) * M + (gx % M);
  const rowWidth = 3 * T * P * P;
  return values[row * rowWidth + (c * T * P + (y % P)) * P + (x % P)] ?? NaN;
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

describe('pixels: the image processor as the reference (torchvision backend, bicubic, normalised)', () => {
  const records = (read('pixel_values.json').results as PixelRecord[]).filter(
    (r) => r.backend === 'torchvision' && r.resample === 'BICUBIC' && r.do_normalize,
  );
  test.each(records.map((r) => [r.image, r.setting, r] as const))('%s, %s', async (name, _setting, ref) => {
    const processor = await loadProcessor('qwen', {});
    preprocessAsReference(processor, ref.max_pixels);
    const image = await RawImage.read(join(REFERENCE, 'images', name));
    const out = await processor.image_processor?.([image]);
    if (!out) throw new Error('no image processor');
    const grid = Array.from(out.image_grid_thw.data as BigInt64Array, Number);
    expect(grid).toEqual(ref.image_grid_thw);
    expect(out.pixel_values.dims).toEqual(ref.pixel_values_shape);
    const values = out.pixel_values.data as Float32Array;
    const [height, width] = [grid[1]! * 16, grid[2]! * 16];
    expect([height, width]).toEqual(ref.resized_hw);
    // Same statistics; every probed pixel and the first values of the first and last rows within two 8-bit
    // levels (the reference's own two backends differ by that much, README.md there).
    const ours = stats(values);
    expect(ours.min).toBeCloseTo(ref.min, 3);
    expect(ours.max).toBeCloseTo(ref.max, 3);
    expect(Math.abs(ours.mean - ref.mean)).toBeLessThan(1e-3);
    expect(Math.abs(ours.std - ref.std)).toBeLessThan(1e-3);
    const TWO_LEVELS = (2 * 2) / 255 + 1e-6;
    for (const [probe, { y, x, rgb }] of Object.entries(ref.probes)) {
      rgb.forEach((want, c) =>
        expect(Math.abs(pixelAt(values, width, y, x, c) - want), probe).toBeLessThan(TWO_LEVELS),
      );
    }
    const rowWidth = ref.pixel_values_shape[1];
    const rows = [
      [values.subarray(0, 32), ref.row0_first32],
      [values.subarray(values.length - rowWidth, values.length - rowWidth + 32), ref.last_row_first32],
    ] as const;
    for (const [got, want] of rows)
      want.forEach((w, i) => expect(Math.abs((got[i] ?? NaN) - w)).toBeLessThan(TWO_LEVELS));
  });
});

interface RopeCase {
  input_ids: number[][];
  attention_mask: number[][];
  image_grid_thw: number[][] | null;
  get_rope_index: { position_ids: number[][][] };
  first_3_generated_positions: number[][][];
}

describe('rope positions: prefill and decoding as the reference', () => {
  const rope = read('rope_positions.json');
  let model: PreTrainedModel;
  beforeAll(async () => {
    model = await AutoModelForImageTextToText.from_pretrained('qwen', { dtype: 'fp32', device: 'cpu' });
    fixTextOnlyRope(model);
    // The real export's special ids (the reference's), in place of the forge tokenizer's.
    const ids = rope.ids_used;
    for (const key of ['image_token_id', 'video_token_id', 'vision_start_token_id']) {
      Reflect.set(model.config, key, ids[key]);
    }
  });
  afterAll(() => model?.dispose());

  const int64 = (rows: number[][]) =>
    new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]?.length ?? 0]);

  test.each(Object.entries(rope.cases as Record<string, RopeCase>))('%s', (_name, c) => {
    const getRopeIndex = Reflect.get(model, 'get_rope_index') as (...args: unknown[]) => [Tensor, Tensor];
    const grid = c.image_grid_thw ? int64(c.image_grid_thw) : null;
    const [positions, deltas] = getRopeIndex.call(model, int64(c.input_ids), grid, null, int64(c.attention_mask));
    const [axes, batch, length] = positions.dims as [number, number, number];
    const flat = Array.from(positions.data as BigInt64Array, Number);
    const ours = Array.from({ length: axes }, (_, a) =>
      Array.from({ length: batch }, (_, b) => flat.slice((a * batch + b) * length, (a * batch + b + 1) * length)),
    );
    expect(ours).toEqual(c.get_rope_index.position_ids);
    // Decoding: transformers.js gives the k-th new token cache length + k + delta on every axis.
    const delta = Array.from(deltas.data as BigInt64Array, Number);
    const generated = delta.map((d) => [0, 1, 2].map((k) => [0, 1, 2].map(() => length + k + d)));
    expect(generated).toEqual(c.first_3_generated_positions);
  });
});
