/**
 * Points transformers.js and onnxruntime-web at our own things: the ORT wasm
 * is self-hosted (never a CDN), weights live only in our IndexedDB cache,
 * every fetch carries the running job's AbortSignal, and models come from
 * the source of the role being loaded.
 */
import { env } from '@huggingface/transformers';
// Vite serves these from our own origin (hashed assets in the build); the
// versions always match the onnxruntime-web that transformers.js imports.
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { IMPORTED_HOST, type ModelSource, localModelPath, sourceLocation } from '../shared/model-source';
import type { DownloadTracker } from './download-tracker';
import type { WeightCache } from './weight-cache';

/** Global runtime setup, once per worker. */
export function configureRuntime(
  cache: WeightCache,
  downloads: DownloadTracker,
  currentSignal: () => AbortSignal | undefined,
): void {
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

  env.useCustomCache = true;
  env.customCache = cache;
  // The Cache API would hold a second copy of every weight file; weights live in one place.
  env.useBrowserCache = false;
  // The ORT wasm is app code served by us (HTTP-cached), not a weight: keep it out of the weight cache.
  env.useWasmCache = false;
  const fetchForModels: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    // Imported models exist only in the cache; a file they lack is simply missing (404),
    // never a network request.
    if (url.startsWith(IMPORTED_HOST))
      return new Response(null, { status: 404, statusText: 'not in the imported model' });
    const response = fetch(input, { ...init, signal: currentSignal() });
    // Range requests only probe a file's size; whole files are followed until cached.
    return new Headers(init?.headers).has('range') ? response : downloads.track(url, response);
  };
  env.fetch = fetchForModels;
}

/** Points transformers.js at one model source (global in transformers.js, so set before each role's load). */
export function applySource(source: ModelSource): void {
  if (source.kind === 'local') {
    // Files are fetched from `<path><org>/<name>/<file>` on the app's own origin.
    env.localModelPath = localModelPath(source);
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    return;
  }
  const { host, pathTemplate } = sourceLocation(source);
  env.remoteHost = host;
  env.remotePathTemplate = pathTemplate;
  env.allowRemoteModels = true;
  // Otherwise transformers.js first tries `/models/<repo>` on our own origin for every file.
  env.allowLocalModels = false;
}

/** The folder URL (cache key prefix) of a model from a source. */
export function modelFolder(source: ModelSource, repo: string, revision: string): string {
  if (source.kind === 'local') return `${localModelPath(source)}${repo}/`;
  const { host, pathTemplate } = sourceLocation(source);
  return `${host}${pathTemplate.replaceAll('{model}', repo).replaceAll('{revision}', encodeURIComponent(revision))}`;
}
