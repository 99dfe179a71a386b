/**
 * Text-only rope positions for the Qwen-VL family (Qwen2-VL through
 * Qwen3.5). For a prompt without images, transformers.js 4.3.2
 * (`_get_text_only_rope_index`, models/qwen2_vl/modeling_qwen2_vl.js)
 * returns the right prompt positions but the rope delta
 * `max + 1 + seq_len`, where the reference (Python transformers,
 * `get_rope_index`, text branch) has `max + 1 − seq_len`. Decoding adds the
 * delta to the cache length, so a 10-token prompt's first generated token
 * sits at position 30 instead of 10, and every later one as far off: the
 * summary, the notes agents and video reasoning all run on text-only
 * prompts in the Qwen tiers. Reference positions are recorded in
 * test/fixtures/real/reference/ and compared in the tests.
 *
 * The method is replaced on the loaded instance with the reference
 * computation (not corrected by an offset, which would break silently if a
 * later transformers.js fixed it): positions are the running count of
 * attended tokens (padding gets 0, as in the reference), the same on all
 * three rope axes, and the delta makes the next position `max + 1`.
 */
import { type PreTrainedModel, Tensor } from '@huggingface/transformers';
import { movedInternal } from './moved-internal';

type TextOnlyRopeIndex = (inputIds: Tensor, attentionMask?: Tensor | null) => [Tensor, Tensor];

/** The reference text-only positions `[3, batch, sequence]` and rope deltas `[batch, 1]`. */
export function textOnlyRopeIndex(inputIds: Tensor, attentionMask?: Tensor | null): [Tensor, Tensor] {
  const [batch = 0, length = 0] = inputIds.dims;
  const mask = attentionMask?.data as BigInt64Array | undefined;
  const positions = new BigInt64Array(batch * length);
  const deltas = new BigInt64Array(batch);
  for (let b = 0; b < batch; b++) {
    let next = 0n;
    let max = 0n;
    for (let s = 0; s < length; s++) {
      const i = b * length + s;
      // Without a mask every token is attended.
      const attended = mask ? mask[i] !== 0n : true;
      positions[i] = attended ? next : 0n;
      if (attended) next += 1n;
      if (positions[i]! > max) max = positions[i]!;
    }
    deltas[b] = max + 1n - BigInt(length);
  }
  const all = new BigInt64Array(3 * positions.length);
  for (let axis = 0; axis < 3; axis++) all.set(positions, axis * positions.length);
  return [new Tensor('int64', all, [3, batch, length]), new Tensor('int64', deltas, [batch, 1])];
}

/** True for models of the Qwen-VL family (those that compute multimodal rope positions themselves). */
export function hasMultimodalRope(model: PreTrainedModel): boolean {
  return typeof Reflect.get(model, 'get_rope_index') === 'function';
}

/**
 * Puts the reference text-only positions on a loaded Qwen-VL-family model.
 * Other models are left alone. A Qwen-VL model without the method means
 * transformers.js moved its internals: that is a load error, never a quiet
 * fallback to wrong positions.
 */
export function fixTextOnlyRope(model: PreTrainedModel): void {
  if (!hasMultimodalRope(model)) return;
  const current: unknown = Reflect.get(model, '_get_text_only_rope_index');
  if (typeof current !== 'function') {
    throw movedInternal('_get_text_only_rope_index on Qwen-VL models', 'qwen-rope.ts');
  }
  const fixed: TextOnlyRopeIndex = textOnlyRopeIndex;
  Reflect.set(model, '_get_text_only_rope_index', fixed);
}
