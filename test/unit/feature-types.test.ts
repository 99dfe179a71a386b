/**
 * Image features merged in the token embeddings' float type
 * (src/models/feature-types.ts): half-precision conversion, and the merge
 * wrapper on a model whose merge copies raw values as transformers.js 4.3.2's does.
 */
import { Tensor } from '@huggingface/transformers';
import { describe, expect, test } from 'vitest';
import { halfBits, mergeInEmbeddingType, toFloatType } from '../../src/models/feature-types';

describe('half precision', () => {
  test.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [0, 0],
    [2 ** -24, 1], // smallest subnormal
    [2 ** -26, 0],
    [1 + 2 ** -11, 0x3c00], // halfway: rounds to even
    [1 + 3 * 2 ** -11, 0x3c02],
  ])('%f → %i', (value, bits) => {
    expect(halfBits(value)).toBe(bits);
  });

  test('float32 → float16 → float32 keeps the values a half can hold', () => {
    const values = Float32Array.from([0.25, -1.5, 3, 1024, -0.0009765625]);
    const half = toFloatType(new Tensor('float32', values, [5]), 'float16');
    expect(half.type).toBe('float16');
    expect(Array.from(toFloatType(half, 'float32').data as Float32Array)).toEqual(Array.from(values));
  });
});

describe('the merge sees features in the embeddings’ type', () => {
  /** A model whose merge copies raw values, as transformers.js's default merge does. */
  function model() {
    const seen: Tensor[] = [];
    const target = {
      _merge_input_ids_with_image_features(inputs: { inputs_embeds: Tensor; image_features: Tensor }) {
        seen.push(inputs.image_features);
        (inputs.inputs_embeds.data as Float32Array).set(inputs.image_features.data as Float32Array);
        return inputs;
      },
    };
    return { target, seen };
  }

  test('float16 features into float32 embeddings arrive as float32 numbers, not bit patterns', () => {
    const { target, seen } = model();
    mergeInEmbeddingType(target as never);
    const embeds = new Tensor('float32', new Float32Array(2), [1, 2]);
    const features = toFloatType(new Tensor('float32', Float32Array.from([1, -2]), [1, 2]), 'float16');
    target._merge_input_ids_with_image_features({ inputs_embeds: embeds, image_features: features });
    expect(seen[0]?.type).toBe('float32');
    expect(Array.from(embeds.data as Float32Array)).toEqual([1, -2]);
  });

  test('features already in the embeddings’ type pass unchanged', () => {
    const { target, seen } = model();
    mergeInEmbeddingType(target as never);
    const features = new Tensor('float32', Float32Array.from([3, 4]), [1, 2]);
    target._merge_input_ids_with_image_features({
      inputs_embeds: new Tensor('float32', new Float32Array(2), [1, 2]),
      image_features: features,
    });
    expect(seen[0]).toBe(features);
  });
});

test('a model without the merge transformers.js 4.3.2 has fails to load, loudly', () => {
  expect(() => mergeInEmbeddingType({} as never)).toThrow(/feature-types\.ts must be updated/);
});
