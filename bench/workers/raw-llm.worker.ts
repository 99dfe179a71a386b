/**
 * The Cache API side of the weight-cache figure: transformers.js loading a
 * text LLM the plain way, with its default browser cache (the Cache API),
 * the same ORT files, threads and dtype as the engine.
 */
import { AutoModelForCausalLM, AutoTokenizer } from '@huggingface/transformers';
import { expose } from 'comlink';
import { configurePlainRuntime } from './plain-runtime';

const api = {
  /** Loads the model and runs one token (as the engine's warm-up does); returns ms to ready. */
  async load(host: string, repo: string, device: 'wasm' | 'webgpu'): Promise<number> {
    const started = performance.now();
    configurePlainRuntime(host);
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(repo),
      AutoModelForCausalLM.from_pretrained(repo, { device, dtype: 'fp32' }),
    ]);
    await model.generate({ ...tokenizer('Hi'), max_new_tokens: 1 });
    return performance.now() - started;
  },
};

/** The worker's API. */
export type RawLlmApi = typeof api;

expose(api);
