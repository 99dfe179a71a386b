/**
 * Keeps a batch's padding masked while an image-text model decodes.
 * transformers.js 4.3.2's image-text forward (`generic_text_to_text_forward`,
 * models/modeling_utils.js) rebuilds the attention mask as all ones over the
 * cache whenever image inputs are still among a decoding step's inputs
 * (they are: the generate loop carries them, and Qwen's own step sets
 * `pixel_values` to null, which still counts as present). From the second
 * token on, every row of a left-padded batch then attends its padding, and
 * models whose positions come from the mask (Idefics3/SmolVLM) move every
 * row to the padded width. Python transformers keeps the mask. Found by the
 * forge decoder that checks masks and positions (test/fixtures/forge/models.ts).
 *
 * The image inputs are only used on the first step (their features are in
 * the cache after it), so they are removed from every later step's inputs,
 * and the forward keeps the real mask.
 */
import type { PreTrainedModel } from '@huggingface/transformers';
import { movedInternal } from './moved-internal';

/** Inputs the image-text forward reads as "image inputs present" (`modality_input_names` of 4.3.2). */
const IMAGE_INPUTS = ['pixel_values'] as const;

type Prepare = (inputIds: unknown, inputs: Record<string, unknown>, config: unknown) => Record<string, unknown>;

/** Drops the image inputs from every decoding step after the first on a loaded image-text model. */
export function keepMaskWhileDecoding(model: PreTrainedModel): void {
  const prepare: unknown = Reflect.get(model, 'prepare_inputs_for_generation');
  if (typeof prepare !== 'function') {
    throw movedInternal('prepare_inputs_for_generation', 'decode-mask.ts');
  }
  const original = prepare.bind(model) as Prepare;
  const wrapped: Prepare = (inputIds, inputs, config) => {
    const prepared = original(inputIds, inputs, config);
    if (prepared.past_key_values) for (const name of IMAGE_INPUTS) delete prepared[name];
    return prepared;
  };
  Reflect.set(model, 'prepare_inputs_for_generation', wrapped);
}
