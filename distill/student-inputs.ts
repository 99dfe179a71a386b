/**
 * Writes the app's model inputs for the student's reference (one image, one
 * prompt) as JSON for distill.py's reference run: the token ids, the masks,
 * the pixels as float32 base64, and their hashes. Bundled and run by
 * distill/tiny-loop.sh.
 *
 * Usage: node student-inputs.mjs MODELS_DIR REPO IMAGE PROMPT OUT_JSON
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { studentInputs, tensorHash } from '../test/support/student-inputs';

const [modelsDir, repo, image, prompt, out] = process.argv.slice(2);
if (!modelsDir || !repo || !image || !prompt || !out) {
  throw new Error('usage: node student-inputs.mjs MODELS_DIR REPO IMAGE PROMPT OUT_JSON');
}
env.localModelPath = `${resolve(modelsDir)}/`;
env.allowLocalModels = true;
env.allowRemoteModels = false;
const inputs = await studentInputs(repo, image, prompt);
const pixels = inputs.pixel_values.data as Float32Array;
writeFileSync(
  out,
  JSON.stringify({
    input_ids: Array.from(inputs.input_ids.data as BigInt64Array, Number),
    attention_mask: Array.from(inputs.attention_mask.data as BigInt64Array, Number),
    pixel_values: {
      dims: inputs.pixel_values.dims,
      float32_base64: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64'),
    },
    pixel_attention_mask: {
      dims: inputs.pixel_attention_mask.dims,
      data: Array.from(inputs.pixel_attention_mask.data as ArrayLike<unknown>, (v) => (v ? 1 : 0)),
    },
    pixel_values_sha256: tensorHash(inputs.pixel_values),
    input_ids_sha256: tensorHash(inputs.input_ids),
  }),
);
console.log(`wrote ${out}: ${inputs.input_ids.dims.at(-1)} tokens, pixels ${inputs.pixel_values.dims.join('×')}`);
