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

/** Where work runs, in plain words: "the GPU" or "the CPU". */
export function deviceWord(device: DeviceKind): string {
  return device === 'webgpu' ? 'the GPU' : 'the CPU';
}

/**
 * A one-line, plain description of where `auto` runs the models, for the
 * page ("Runs on the GPU (software emulation: slow)", "Runs on the CPU");
 * the technical form is `describeDeviceDetail`, for a tooltip.
 */
export function describeDevice(info: DeviceInfo): string {
  const a = info.adapter;
  if (info.preferred === 'webgpu' && a)
    return a.isFallback ? 'Runs on the GPU (software emulation: slow)' : 'Runs on the GPU';
  if (!a) return 'Runs on the CPU (this browser offers no GPU)';
  return a.isFallback ? 'Runs on the CPU (the GPU here is only a slow software emulation)' : 'Runs on the CPU';
}

/** The technical form of a device probe: adapter, fallback, half-precision support, threads. */
export function describeDeviceDetail(info: DeviceInfo): string {
  if (!info.adapter) {
    return `WASM (CPU, ${info.crossOriginIsolated ? `${info.hardwareConcurrency} threads` : 'single thread'}) — WebGPU unavailable: ${info.webgpuError ?? 'no adapter'}`;
  }
  const a = info.adapter;
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown GPU';
  return `WebGPU: ${name}${a.isFallback ? ' (software fallback adapter)' : ''}, ${a.shaderF16 ? 'shader-f16' : 'no shader-f16 (no half-precision weights)'}; automatic picks ${info.preferred}`;
}
