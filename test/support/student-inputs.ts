/**
 * The distilled student's model inputs for one image and prompt, made by
 * the app's own processor path (loadProcessor and preprocessAsReference, as
 * Vlm.load does; the prompt through the chat template as Vlm renders it).
 * The tiny loop writes them for the Python reference run
 * (distill/student-inputs.ts), and the student test checks that the app
 * still makes the same ones (their hash), so the recorded token ids are
 * those of exactly these inputs.
 */
import { createHash } from 'node:crypto';
import { RawImage, type Tensor } from '@huggingface/transformers';
import { CHAT_OPTIONS } from '../../src/models/generation';
import { loadProcessor, preprocessAsReference } from '../../src/models/vlm';

/** The processor's tensors for one prompt about one image. */
export interface StudentInputs {
  readonly input_ids: Tensor;
  readonly attention_mask: Tensor;
  readonly pixel_values: Tensor;
  readonly pixel_attention_mask: Tensor;
}

/** Inputs for `repo` (resolved through transformers.js's `env`, which the caller points at the model folder). */
export async function studentInputs(repo: string, imagePath: string, prompt: string): Promise<StudentInputs> {
  const processor = await loadProcessor(repo, {});
  preprocessAsReference(processor, undefined);
  const image = await RawImage.read(imagePath);
  const content = [{ type: 'image' }, { type: 'text', text: prompt }];
  const text = processor.apply_chat_template([{ role: 'user', content }], CHAT_OPTIONS);
  if (typeof text !== 'string') throw new Error(`${repo}: the chat template did not produce text`);
  return (await processor(text, [image])) as StudentInputs;
}

/** SHA-256 of a tensor's dims and raw bytes: equal hashes, equal inputs. */
export function tensorHash(tensor: Tensor): string {
  const data = tensor.data as ArrayLike<number | bigint | boolean> & { buffer?: ArrayBufferLike };
  const bytes = ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(JSON.stringify(Array.from(data)));
  return createHash('sha256').update(JSON.stringify(tensor.dims)).update(bytes).digest('hex');
}
