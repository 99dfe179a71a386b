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
import { applyReferenceDefaults } from '../../src/models/processor-defaults';
import { fixTextOnlyRope } from '../../src/models/qwen-rope';
import { loadProcessor, preprocessAsReference } from '../../src/models/vlm';
import { writeQwen35Vlm } from '../fixtures/forge/qwen';
import { REAL_ROOT } from '../support/real-exports';
import { expectReferencePixels, referencePixelRecords } from '../support/reference-pixels';

const REFERENCE = join(REAL_ROOT, 'reference');
const read = (name: string) => JSON.parse(readFileSync(join(REFERENCE, name), 'utf8'));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mc-reference-'));
  writeQwen35Vlm(join(root, 'qwen'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pixels: the image processor as the reference (torchvision backend, bicubic, normalised)', () => {
  test('the real config leaves out normalisation and the filter; the reference class defaults fill exactly those gaps', async () => {
    const processor = await loadProcessor('qwen', {});
    expect(applyReferenceDefaults(processor.image_processor).sort()).toEqual(
      ['do_convert_rgb', 'do_normalize', 'do_rescale', 'do_resize', 'rescale_factor', 'resample'].sort(),
    );
    expect(Reflect.get(processor.image_processor ?? {}, 'do_normalize')).toBe(true);
    expect(Reflect.get(processor.image_processor ?? {}, 'resample')).toBe(3);
  });

  test.each(referencePixelRecords(read('pixel_values.json')).map((r) => [r.image, r.setting, r] as const))(
    '%s, %s',
    async (name, _setting, ref) => {
      const processor = await loadProcessor('qwen', {});
      preprocessAsReference(processor, ref.max_pixels);
      const out = await processor.image_processor?.([await RawImage.read(join(REFERENCE, 'images', name))]);
      if (!out) throw new Error('no image processor');
      expectReferencePixels(out, ref);
    },
  );
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
