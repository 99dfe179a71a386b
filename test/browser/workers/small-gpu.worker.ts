/**
 * The real service on the real (SwiftShader) adapter, wrapped to report the
 * WebGPU spec's default limits, as a small GPU does: 256 MiB buffers,
 * 128 MiB storage bindings.
 */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';
import { probeDevice } from '../../../src/models/runtime/device-probe';

const SMALL_LIMITS = Object.freeze({ maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 });

/** `navigator.gpu` whose adapters answer `limits` with the small ones (everything else is the real adapter's). */
const smallGpu = {
  requestAdapter: async (options?: GPURequestAdapterOptions) => {
    const adapter = await navigator.gpu.requestAdapter(options);
    if (!adapter) return null;
    return new Proxy(adapter, {
      get: (target, key) => {
        if (key === 'limits') return { ...SMALL_LIMITS };
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  },
} as unknown as GPU;

expose(
  new CaptionerService({
    ...workerDeps(),
    probe: () => probeDevice({ gpu: smallGpu, crossOriginIsolated: false, hardwareConcurrency: 2 }),
  }),
);
