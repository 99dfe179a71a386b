/**
 * Points transformers.js and onnxruntime-web at our own things: the ORT wasm
 * is self-hosted (never a CDN), weights live only in our IndexedDB cache,
 * every fetch carries the running job's AbortSignal, and models come from
 * the source of the role being loaded.
 */
import { env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-web/webgpu';
import { ModelHostUnreachableError, errorText } from '../../shared/errors';
import { IMPORTED_HOST, type ModelSource, localModelPath, sourceLocation } from '../../shared/model-source';
import type { AssetLocations } from './assets';
import { checkedOnnx } from './onnx-check';
import type { HostGuard } from './host-guard';
import type { DownloadTracker } from '../cache/download-tracker';
import type { WeightCache } from '../cache/weight-cache';
import { type SessionGate, reportCreations } from '../cache/session-gate';

/** Global runtime setup, once per worker. */
export function configureRuntime(
  cache: WeightCache,
  downloads: DownloadTracker,
  currentSignal: () => AbortSignal | undefined,
  assets: AssetLocations,
  hosts: HostGuard,
): void {
  const onnx = env.backends.onnx;
  if (!onnx.wasm) throw new Error('onnxruntime-web has no wasm backend in this build');
  // transformers.js 4.x runs ORT's "asyncify" build for both WebGPU and WASM and
  // would fetch it from a CDN unless told otherwise.
  onnx.wasm.wasmPaths = { mjs: assets.ortMjs, wasm: assets.ortWasm };
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
    // An optional file a cached model is known not to have: answered here, so loading works offline.
    if (await cache.isKnownAbsent(url)) return new Response(null, { status: 404, statusText: 'not in this model' });
    hosts.check(url, self.location.href);
    const response = reachable(url, fetch(input, { ...init, signal: currentSignal() }));
    // Range requests only probe a file's size; whole files are followed until cached, and
    // ONNX files checked as they arrive, so a damaged one is named and never reaches ORT.
    if (new Headers(init?.headers).has('range')) return response;
    // Local sources fetch by path: resolve it against the worker's own URL.
    const absolute = new URL(url, self.location.href).href;
    const checked = new URL(absolute).pathname.endsWith('.onnx')
      ? response.then((r) => (r.ok ? checkedOnnx(absolute, r) : r))
      : response;
    return downloads.track(url, checked);
  };
  env.fetch = fetchForModels;
}

/**
 * Lets `gate` hear each session onnxruntime-web creates, so a load reads one
 * session's files at a time. Only where transformers.js runs this very
 * onnxruntime-web (one module instance: its `env.backends.onnx` shares our
 * `ort.env.wasm`); otherwise no creation would reach the gate and a load
 * would wait forever, so the reads stay ungated, as transformers.js makes them.
 */
export function orderSessionReads(gate: SessionGate): boolean {
  if (ort.env.wasm !== env.backends.onnx.wasm) {
    console.warn(
      'transformers.js runs another onnxruntime-web than the app imports: model files are read all at once.',
    );
    return false;
  }
  reportCreations(ort.InferenceSession, gate);
  return true;
}

/**
 * Fetches the ORT runtime (its `.mjs` factory and the 27 MB `.wasm`) now,
 * rather than on the first session as ORT would: a page opened online and
 * then cut off can still load cached models, and the first load does not
 * wait for the runtime. The `.wasm` bytes are handed to ORT through
 * `wasmBinary`; the factory module stays in the worker's module map, so
 * ORT's own import of the same URL needs no network. A failure here is not
 * fatal (ORT then fetches the files itself and reports its own error).
 */
export async function preloadRuntime(): Promise<void> {
  const wasm = env.backends.onnx.wasm;
  if (!wasm || wasm.wasmBinary) return;
  const paths = wasm.wasmPaths;
  if (typeof paths !== 'object' || !paths.mjs || !paths.wasm) return;
  const [, binary] = await Promise.all([
    import(/* @vite-ignore */ String(paths.mjs)),
    fetch(paths.wasm).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status} for ${String(paths.wasm)}`);
      return r.arrayBuffer();
    }),
  ]);
  wasm.wasmBinary = binary;
}

/** HTTP statuses that mean the host (or a proxy before it) is down, not that the file is missing. */
const HOST_DOWN = new Set([502, 503, 504]);

/**
 * A model-file fetch whose network failure (or gateway error) becomes a
 * {@link ModelHostUnreachableError} naming the host, instead of the bare
 * "Failed to fetch" a user cannot act on. Aborts stay aborts.
 */
export async function reachable(url: string, response: Promise<Response>): Promise<Response> {
  const host = new URL(url, self.location.href).host;
  let res: Response;
  try {
    res = await response;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ModelHostUnreachableError(host, `network error: ${errorText(err)}`);
  }
  if (HOST_DOWN.has(res.status)) throw new ModelHostUnreachableError(host, `HTTP ${res.status}`);
  return res;
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
