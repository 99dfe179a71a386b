/**
 * The other side of the engine-overhead figure: transformers.js called the
 * plain way in a worker — processor, chat template, `generate`, decode —
 * with the same ORT files, thread count, device and dtype as the engine,
 * and its default Cache API weight cache.
 */
import { AutoModelForImageTextToText, AutoProcessor, RawImage, Tensor } from '@huggingface/transformers';
import type { PreTrainedModel, Processor } from '@huggingface/transformers';
import { expose } from 'comlink';
import { configurePlainRuntime } from './plain-runtime';

let processor: Processor | null = null;
let model: PreTrainedModel | null = null;

/** A moment of a load (figure 10): a file's read begins (`initiate`) or ends (`done`); `at` is `Date.now()`. */
export interface LoadMark {
  readonly status: string;
  readonly file: string;
  readonly at: number;
}

const api = {
  /** `onMark` (figure 10) hears when each model file's read begins and ends. */
  async load(host: string, repo: string, device: 'wasm' | 'webgpu', onMark?: (mark: LoadMark) => void): Promise<void> {
    configurePlainRuntime(host);
    const progress_callback = onMark
      ? (p: { status: string; file?: string }) => {
          if (p.status === 'initiate' || p.status === 'done')
            onMark({ status: p.status, file: p.file ?? '', at: Date.now() });
        }
      : undefined;
    [processor, model] = await Promise.all([
      AutoProcessor.from_pretrained(repo),
      AutoModelForImageTextToText.from_pretrained(repo, { device, dtype: 'fp32', progress_callback }),
    ]);
  },

  /** Frees the sessions (and their GPU buffers), as the engine's dispose does. */
  async dispose(): Promise<void> {
    await model?.dispose();
    model = null;
  },

  async caption(image: Blob, prompt: string, maxNewTokens: number): Promise<{ text: string; tokens: number }> {
    if (!processor || !model || !processor.tokenizer) throw new Error('load() first');
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: prompt }] }];
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    if (typeof text !== 'string') throw new Error('no chat text');
    const inputs = await processor(text, [await RawImage.fromBlob(image)]);
    const output = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false });
    if (!(output instanceof Tensor)) throw new Error('no tokens');
    const promptLength = (inputs.input_ids as Tensor).dims.at(-1) ?? 0;
    const generated = output.slice(null, [promptLength, output.dims.at(-1) ?? promptLength]);
    const [decoded] = processor.tokenizer.batch_decode(generated, { skip_special_tokens: true });
    return { text: (decoded ?? '').trim(), tokens: generated.dims.at(-1) ?? 0 };
  },
};

/** The worker's API. */
export type RawVlmApi = typeof api;

expose(api);
