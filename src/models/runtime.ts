/**
 * Points transformers.js and onnxruntime-web at our own files: the ORT wasm
 * is self-hosted (never a CDN) and models come from the configured source.
 */
import { env } from '@huggingface/transformers';
// Vite serves these from our own origin (hashed assets in the build); the
// versions always match the onnxruntime-web that transformers.js imports.
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { RuntimeConfig } from '../shared/api';
import { localModelPath, sourceLocation } from '../shared/model-source';

/** Applies a runtime config to transformers.js's global `env`. */
export function configureRuntime(config: RuntimeConfig): void {
  const onnx = env.backends.onnx;
  if (!onnx.wasm) throw new Error('onnxruntime-web has no wasm backend in this build');
  // transformers.js 4.x runs ORT's "asyncify" build for both WebGPU and WASM and
  // would fetch it from a CDN unless told otherwise.
  onnx.wasm.wasmPaths = {
    mjs: new URL(ortMjsUrl, self.location.href).href,
    wasm: new URL(ortWasmUrl, self.location.href).href,
  };
  // Threads only help when SharedArrayBuffer exists (cross-origin isolated page).
  onnx.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

  const source = config.source;
  if (source.kind === 'local') {
    // Files are fetched from `<path><org>/<name>/<file>` on the app's origin (or the URL given).
    env.localModelPath = localModelPath(source);
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    const { host, pathTemplate } = sourceLocation(source);
    env.remoteHost = host;
    env.remotePathTemplate = pathTemplate;
    env.allowRemoteModels = true;
    // Otherwise transformers.js first tries `/models/<repo>` on our own origin for every file.
    env.allowLocalModels = false;
  }
  // The Cache API would hold a second copy of every weight file; weights live in one place.
  env.useBrowserCache = false;
}
