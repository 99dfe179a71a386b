/**
 * The Cache API side of the weight-cache figure: transformers.js loading a
 * text LLM the plain way, with its default browser cache (the Cache API),
 * the same ORT files, threads and dtype as the engine.
 */
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { expose } from 'comlink';
import { assetLocations } from '../../src/models/runtime/assets';

const api = {
  /** Loads the model and runs one token (as the engine's warm-up does); returns ms to ready. */
  async load(host: string, repo: string, device: 'wasm' | 'webgpu'): Promise<number> {
    const started = performance.now();
    const assets = assetLocations();
    const wasm = env.backends.onnx.wasm;
    if (wasm) {
      wasm.wasmPaths = { mjs: assets.ortMjs, wasm: assets.ortWasm };
      wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    }
    env.remoteHost = host;
    env.remotePathTemplate = '{model}/resolve/{revision}/';
    env.allowLocalModels = false;
    env.useBrowserCache = true;
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
