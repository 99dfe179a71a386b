/** Probes WebGPU (adapter, shader-f16, limits) from the worker. */
import type { AdapterInfo, DeviceInfo } from '../../shared/device';
import { autoDevice } from './device-choice';

/** The parts of `navigator` the probe reads; injected so tests can pass a stand-in `gpu`. */
export interface ProbeEnvironment {
  readonly gpu: GPU | undefined;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
}

/** The real environment of the current worker or page. */
export function currentEnvironment(): ProbeEnvironment {
  return {
    gpu: 'gpu' in navigator ? navigator.gpu : undefined,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
  };
}

async function requestAdapter(gpu: GPU | undefined): Promise<{ adapter: AdapterInfo | null; error: string | null }> {
  if (!gpu) return { adapter: null, error: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { adapter: null, error: 'requestAdapter() returned no adapter' };
    // Older Chromium has no `isFallbackAdapter` on the info, only on the adapter.
    const info: Omit<GPUAdapterInfo, 'isFallbackAdapter'> & { readonly isFallbackAdapter?: boolean } = adapter.info;
    const older = adapter as GPUAdapter & { readonly isFallbackAdapter?: boolean };
    return {
      adapter: {
        vendor: info.vendor,
        architecture: info.architecture,
        description: info.description,
        // `isFallbackAdapter` moved from the adapter to its info (Chromium 156 has it on the info only).
        isFallback: info.isFallbackAdapter ?? older.isFallbackAdapter ?? false,
        shaderF16: adapter.features.has('shader-f16'),
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      },
      error: null,
    };
  } catch (err) {
    return { adapter: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Probes the environment once. */
export async function probeDevice(environment: ProbeEnvironment = currentEnvironment()): Promise<DeviceInfo> {
  const { adapter, error } = await requestAdapter(environment.gpu);
  const auto = autoDevice(adapter);
  return {
    adapter,
    webgpuError: error,
    preferred: auto.device,
    autoReason: auto.reason,
    crossOriginIsolated: environment.crossOriginIsolated,
    hardwareConcurrency: environment.hardwareConcurrency,
  };
}
