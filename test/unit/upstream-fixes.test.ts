/**
 * The fixes the app puts on loaded transformers.js models check that the
 * internals they replace are still there: a moved internal fails the load
 * with the file to update, never a quiet fallback. (What each fix does is
 * tested against the forge and the reference in families/reference tests.)
 */
import { describe, expect, test } from 'vitest';
import { keepMaskWhileDecoding } from '../../src/models/decode-mask';
import { preprocessImagesApart } from '../../src/models/image-frames';
import { reuseImageWork } from '../../src/models/image-reuse';
import { fixTextOnlyRope } from '../../src/models/qwen-rope';

describe('text-only rope fix', () => {
  test('a Qwen-VL model without the method it replaces fails loudly', () => {
    expect(() => fixTextOnlyRope({ get_rope_index: () => [] } as never)).toThrow(/qwen-rope\.ts must be updated/);
  });
  test('other models are left alone', () => {
    const model = { forward: () => {} };
    fixTextOnlyRope(model as never);
    expect(Object.keys(model)).toEqual(['forward']);
  });
});

describe('decoding-mask fix', () => {
  test('a model without prepare_inputs_for_generation fails loudly', () => {
    expect(() => keepMaskWhileDecoding({} as never)).toThrow(/decode-mask\.ts must be updated/);
  });
  test('image inputs go from decoding steps only, never from the first', () => {
    const model = {
      prepare_inputs_for_generation: (_ids: unknown, inputs: Record<string, unknown>) => ({ ...inputs }),
    };
    keepMaskWhileDecoding(model as never);
    const prepare = model.prepare_inputs_for_generation;
    expect(prepare(null, { pixel_values: 1, attention_mask: 2 })).toEqual({ pixel_values: 1, attention_mask: 2 });
    expect(prepare(null, { pixel_values: 1, attention_mask: 2, past_key_values: 3 })).toEqual({
      attention_mask: 2,
      past_key_values: 3,
    });
  });
});

describe('image reuse and frame joining', () => {
  test('a VLM whose processor or encoder moved fails to load instead of redoing every image', () => {
    expect(() => reuseImageWork({ components: {} } as never, {} as never)).toThrow(/image-reuse\.ts must be updated/);
  });
  test('a Qwen-VL model whose image processor cannot be wrapped fails; other families need no joining', () => {
    const plain = { components: { image_processor: Object.assign(() => {}, { config: {} }) } };
    expect(() => preprocessImagesApart(plain as never, true)).toThrow(/image-frames\.ts must be updated/);
    expect(() => preprocessImagesApart({} as never, true)).toThrow(/image-frames\.ts must be updated/);
    expect(() => preprocessImagesApart(plain as never, false)).not.toThrow();
  });
});
