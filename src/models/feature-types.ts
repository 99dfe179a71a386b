/**
 * Image features in the token embeddings' float type. transformers.js
 * 4.3.2 merges image features into the text embeddings by copying the raw
 * typed-array values (`default_merge_input_ids_with_features`,
 * models/modeling_utils.js: "we require modality features to be in float32"),
 * so float16 features (stored as 16-bit integers where there is no
 * Float16Array, as in Node 20) written into float32 embeddings become numbers
 * like 15360 instead of 1.0, and float32 features in float16 embeddings
 * become bit patterns. A plan may mix the two (the Qwen3.5 `-ONNX-OPT`
 * exports have an fp16 vision tower and q4 embeddings with fp32 output), so
 * the merge converts the features to the embeddings' type first.
 */
import { type PreTrainedModel, Tensor } from '@huggingface/transformers';
import { movedInternal } from './moved-internal';

type Merge = (inputs: { inputs_embeds: Tensor; image_features: Tensor } & Record<string, unknown>) => unknown;

/** IEEE half-precision bits of a number (round to nearest even; overflow to infinity). */
export function halfBits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Infinity or NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** `tensor` as float32 or float16 (as transformers.js stores float16: Float16Array where it exists, else bits). */
export function toFloatType(tensor: Tensor, type: 'float32' | 'float16'): Tensor {
  if (tensor.type === type) return tensor;
  if (type === 'float32') return tensor.to('float32');
  const source = tensor.to('float32').data as Float32Array;
  const Half: unknown = Reflect.get(globalThis, 'Float16Array');
  if (typeof Half === 'function') {
    return new Tensor('float16', Reflect.construct(Half, [source]) as Uint16Array, tensor.dims);
  }
  return new Tensor('float16', Uint16Array.from(source, halfBits), tensor.dims);
}

/** Converts image features to the embeddings' float type before transformers.js merges them. */
export function mergeInEmbeddingType(model: PreTrainedModel): void {
  const merge: unknown = Reflect.get(model, '_merge_input_ids_with_image_features');
  if (typeof merge !== 'function') {
    // Every image-text model of 4.3.2 has it: its absence means transformers.js moved, not a model without images.
    throw movedInternal('_merge_input_ids_with_image_features', 'feature-types.ts');
  }
  const original = merge.bind(model) as Merge;
  const wrapped: Merge = (inputs) => {
    const type = inputs.inputs_embeds.type;
    const features = inputs.image_features;
    if ((type === 'float32' || type === 'float16') && features.type !== type) {
      return original({ ...inputs, image_features: toFloatType(features, type) });
    }
    return original(inputs);
  };
  Reflect.set(model, '_merge_input_ids_with_image_features', wrapped);
}
