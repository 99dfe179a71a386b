/** What the worker found out about the device, and which backend it picked. */
import type { DeviceKind } from './model-spec';

/** The WebGPU adapter as far as the page may know it. */
export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for software adapters such as SwiftShader. */
  readonly isFallback: boolean;
  readonly shaderF16: boolean;
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
}

/** The outcome of probing: an adapter (or why not), and the chosen device. */
export interface DeviceInfo {
  /** Null when WebGPU is missing; `webgpuError` then says why. */
  readonly adapter: AdapterInfo | null;
  readonly webgpuError: string | null;
  /** The device `auto` resolves to. */
  readonly preferred: DeviceKind;
  /** Why `auto` resolves to WASM although an adapter exists (a software one); null otherwise. */
  readonly autoReason: string | null;
  /** Multi-threaded WASM needs cross-origin isolation (COOP/COEP). */
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
}

/** Where work runs, in plain words: "the GPU" or "the CPU". */
export function deviceWord(device: DeviceKind): string {
  return device === 'webgpu' ? 'the GPU' : 'the CPU';
}

/**
 * A one-line, plain description of where the models run under the device
 * setting (`auto` unless given), for the page: "Runs on the GPU", "Runs on
 * the CPU: …". Where `auto` passes over an adapter the line says so and
 * that the GPU stays a choice (never quietly); the technical form is
 * {@link describeDeviceDetail}, for a tooltip.
 */
// The request is spelled out (api.ts's DeviceRequest) because api.ts imports this file.
export function describeDevice(info: DeviceInfo, request: DeviceKind | 'auto' = 'auto'): string {
  const a = info.adapter;
  if (request === 'wasm') return 'Runs on the CPU (chosen in the settings)';
  if (request === 'webgpu') {
    if (!a) return `The GPU was chosen, but this browser offers none (${info.webgpuError ?? 'no adapter'})`;
    return a.isFallback ? 'Runs on the GPU, a slow software emulation (chosen in the settings)' : 'Runs on the GPU';
  }
  if (info.preferred === 'webgpu' && a) return 'Runs on the GPU';
  if (!a) return 'Runs on the CPU (this browser offers no GPU)';
  return a.isFallback
    ? 'Runs on the CPU: the GPU here is a slow software emulation (it stays a choice in the settings)'
    : 'Runs on the CPU';
}

/** The technical form of a device probe: adapter, fallback, half-precision support, threads, and why `auto` chose. */
export function describeDeviceDetail(info: DeviceInfo): string {
  const wasm = `WASM (CPU, ${info.crossOriginIsolated ? `${info.hardwareConcurrency} threads` : 'single thread'})`;
  if (!info.adapter) return `${wasm} — WebGPU unavailable: ${info.webgpuError ?? 'no adapter'}`;
  const a = info.adapter;
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown GPU';
  const why = info.autoReason ? ` (${info.autoReason})` : '';
  return `WebGPU: ${name}${a.isFallback ? ' (software fallback adapter)' : ''}, ${a.shaderF16 ? 'shader-f16' : 'no shader-f16 (no half-precision weights)'}; ${wasm}; automatic picks ${info.preferred}${why}`;
}
