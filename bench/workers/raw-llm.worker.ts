/**
 * The Cache API side of the weight-cache figure: transformers.js loading a
 * text LLM the plain way, with its default browser cache (the Cache API),
 * the same ORT files, threads and dtype as the engine.
 */
import { AutoModelForCausalLM, AutoTokenizer } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { expose } from 'comlink';
import { configurePlainRuntime } from './plain-runtime';

let loaded: { tokenizer: PreTrainedTokenizer; model: PreTrainedModel } | null = null;

/** ms to generate up to `tokens` tokens after a short prompt, and how many it generated. */
async function generate(tokens: number): Promise<{ ms: number; tokens: number }> {
  if (!loaded) throw new Error('load() first');
  const inputs = loaded.tokenizer('Hi');
  const started = performance.now();
  const out = (await loaded.model.generate({ ...inputs, max_new_tokens: tokens, do_sample: false })) as Tensor;
  const ms = performance.now() - started;
  return { ms, tokens: (out.dims[1] ?? 0) - (inputs.input_ids.dims[1] ?? 0) };
}

const api = {
  /** Loads the model and runs one token (as the engine's warm-up does); returns ms to ready. */
  async load(host: string, repo: string, device: 'wasm' | 'webgpu'): Promise<number> {
    const started = performance.now();
    configurePlainRuntime(host);
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(repo),
      AutoModelForCausalLM.from_pretrained(repo, { device, dtype: 'fp32' }),
    ]);
    loaded = { tokenizer, model };
    await generate(1);
    return performance.now() - started;
  },
  /**
   * Decode speed: ms for 1 token (prompt + first token) and for `tokens`
   * (the model never stops early), so (long − short) ÷ (tokens − 1) is
   * the time of one decode step.
   */
  async decode(tokens: number): Promise<{ first: number; all: number; generated: number }> {
    const first = await generate(1);
    const all = await generate(tokens);
    return { first: first.ms, all: all.ms, generated: all.tokens };
  },
};

/** The worker's API. */
export type RawLlmApi = typeof api;

expose(api);
