/**
 * transformers.js set up the plain way for the bench's comparison workers:
 * the same self-hosted ORT files and thread count as the engine, models
 * from the bench's local hub, and its default (Cache API) weight cache.
 */
import { env } from '@huggingface/transformers';
import { assetLocations } from '../../src/models/runtime/assets';

export function configurePlainRuntime(host: string): void {
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
}
