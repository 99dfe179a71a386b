/**
 * Points transformers.js and onnxruntime-web at our own files: the ORT wasm
 * is self-hosted (never a CDN) and models come from the configured source.
 */
import { env } from '@huggingface/transformers';
import type { RuntimeConfig } from '../shared/api';
import { sourceLocation } from '../shared/model-source';

/** The ORT build transformers.js 4.x runs for both WebGPU and WASM (JSEP-free "asyncify" variant). */
export const ORT_WASM_FILES = {
  mjs: 'ort-wasm-simd-threaded.asyncify.mjs',
  wasm: 'ort-wasm-simd-threaded.asyncify.wasm',
} as const;

/** Applies a runtime config to transformers.js's global `env`. */
export function configureRuntime(config: RuntimeConfig): void {
  const onnx = env.backends.onnx;
  if (!onnx.wasm) throw new Error('onnxruntime-web has no wasm backend in this build');
  onnx.wasm.wasmPaths = {
    mjs: new URL(ORT_WASM_FILES.mjs, config.ortBase).href,
    wasm: new URL(ORT_WASM_FILES.wasm, config.ortBase).href,
  };
  // Threads only help when SharedArrayBuffer exists (cross-origin isolated page).
  onnx.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

  const { host, pathTemplate } = sourceLocation(config.source);
  env.remoteHost = host;
  env.remotePathTemplate = pathTemplate;
  env.allowRemoteModels = true;
  // A relative "local" path would be fetched from our own origin: never what we want.
  env.allowLocalModels = false;
  // The Cache API would hold a second copy of every weight file; weights live in one place.
  env.useBrowserCache = false;
}
