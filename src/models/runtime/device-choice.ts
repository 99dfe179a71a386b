/**
 * Pure rules for where a model runs and in which weight format. Half
 * precision needs the adapter's `shader-f16` feature; without it (e.g. the
 * SwiftShader fallback adapter) WebGPU gets full-precision or q4 weights.
 */
import type { DeviceInfo } from '../../shared/device';
import type { DeviceRequest } from '../../shared/api';
import { WebGpuUnavailableError } from '../../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../../shared/model-spec';

/** Resolves a device request against what the probe found. */
export function chooseDevice(request: DeviceRequest, info: DeviceInfo): DeviceKind {
  if (request === 'wasm') return 'wasm';
  if (request === 'webgpu') {
    if (!info.adapter) throw new WebGpuUnavailableError();
    return 'webgpu';
  }
  return info.adapter ? 'webgpu' : 'wasm';
}

/** The dtype(s) a model runs with on a device. */
export function chooseDtype(spec: ModelSpec, device: DeviceKind, info: DeviceInfo): DtypeChoice {
  if (device === 'wasm') return spec.dtypes.wasm;
  return info.adapter?.shaderF16 ? spec.dtypes.webgpuF16 : spec.dtypes.webgpu;
}

/**
 * The transformers.js device for a device kind. Outside a browser (Node:
 * tests and scripts) onnxruntime-node runs the CPU path that WASM runs in
 * the browser, under the name "cpu".
 */
export function executionDevice(device: DeviceKind): 'webgpu' | 'wasm' | 'cpu' {
  const inBrowser = 'importScripts' in globalThis || 'document' in globalThis;
  return device === 'wasm' && !inBrowser ? 'cpu' : device;
}
