/**
 * Pure rules for where a model runs and in which weight format. Half
 * precision needs the adapter's `shader-f16` feature; without it (e.g. the
 * SwiftShader fallback adapter) WebGPU gets full-precision or q4 weights.
 */
import type { AdapterInfo, DeviceInfo } from '../../shared/device';
import type { DeviceRequest } from '../../shared/api';
import { WebGpuUnavailableError } from '../../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../../shared/model-spec';

/** Where `auto` runs models, and why when it passes over an adapter it found. */
export interface AutoDevice {
  readonly device: DeviceKind;
  /** Null unless an adapter exists and `auto` still chose WASM. */
  readonly reason: string | null;
}

/**
 * The device `auto` resolves to. A software (fallback) adapter such as
 * SwiftShader emulates the GPU on the CPU, far slower than ORT's own WASM
 * kernels (an OCR-routed screenshot: 306 s on it, 10.4 s on WASM), so
 * `auto` leaves it for WASM and says so; asking for `webgpu` still uses it.
 */
export function autoDevice(adapter: AdapterInfo | null): AutoDevice {
  if (!adapter) return { device: 'wasm', reason: null };
  if (!adapter.isFallback) return { device: 'webgpu', reason: null };
  const name = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ');
  return {
    device: 'wasm',
    reason: `the WebGPU adapter${name ? ` (${name})` : ''} is a software fallback adapter, slower than WASM`,
  };
}

/** Resolves a device request against what the probe found. */
export function chooseDevice(request: DeviceRequest, info: DeviceInfo): DeviceKind {
  if (request === 'wasm') return 'wasm';
  if (request === 'webgpu') {
    if (!info.adapter) throw new WebGpuUnavailableError();
    return 'webgpu';
  }
  return autoDevice(info.adapter).device;
}

/**
 * Why a request landed on `device` when `auto` passed over an adapter, for
 * the notice and the record; null when nothing needs saying.
 */
export function autoDeviceReason(request: DeviceRequest, device: DeviceKind, info: DeviceInfo): string | null {
  return request === 'auto' && device === 'wasm' ? autoDevice(info.adapter).reason : null;
}

/** The notice that says `auto` passed over an adapter, and that it stays a choice. */
export function autoDeviceNotice(reason: string): string {
  return `Automatic device: WASM (CPU), because ${reason}. Ask for WebGPU to use it anyway.`;
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
