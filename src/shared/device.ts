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

/**
 * A one-line, human description of a device probe, for the page, under the
 * device setting (`auto` unless given): where `auto` passes over the adapter
 * the line says so and why; an explicit choice sees the adapter itself.
 */
// The request is spelled out (api.ts's DeviceRequest) because api.ts imports this file.
export function describeDevice(info: DeviceInfo, request: DeviceKind | 'auto' = 'auto'): string {
  const wasm = `WASM (CPU, ${info.crossOriginIsolated ? `${info.hardwareConcurrency} threads` : 'single thread'})`;
  if (!info.adapter) return `${wasm} — WebGPU unavailable: ${info.webgpuError ?? 'no adapter'}`;
  // Never quietly: the line says that automatic passed over the adapter, why, and that it stays a choice.
  if (request === 'auto' && info.preferred === 'wasm') {
    return `${wasm} — automatic: ${info.autoReason ?? 'WebGPU passed over'}; WebGPU stays available when chosen`;
  }
  const a = info.adapter;
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown GPU';
  return `WebGPU: ${name}${a.isFallback ? ' (software fallback adapter)' : ''}, ${a.shaderF16 ? 'shader-f16' : 'no shader-f16 (no half-precision weights)'}`;
}
