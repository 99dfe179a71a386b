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
  /** Multi-threaded WASM needs cross-origin isolation (COOP/COEP). */
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
}

/** A one-line, human description of a device probe, for the page. */
export function describeDevice(info: DeviceInfo): string {
  if (!info.adapter) {
    return `WASM (CPU, ${info.crossOriginIsolated ? `${info.hardwareConcurrency} threads` : 'single thread'}) — WebGPU unavailable: ${info.webgpuError ?? 'no adapter'}`;
  }
  const a = info.adapter;
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown GPU';
  return `WebGPU: ${name}${a.isFallback ? ' (software fallback adapter)' : ''}, ${a.shaderF16 ? 'shader-f16' : 'no shader-f16 (no half-precision weights)'}`;
}
