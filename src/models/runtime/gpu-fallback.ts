/**
 * When to leave the GPU. Only a real GPU fault (see {@link isGpuFault})
 * moves the models to WASM, and always visibly: a `device-fallback` event
 * and a notice, then the job runs once more there. A lost device stays
 * lost for the worker's life, so later requests for WebGPU run on WASM.
 */
import type { DeviceRequest } from '../../shared/api';
import type { DeviceInfo } from '../../shared/device';
import { errorText, isCaptionerError } from '../../shared/errors';
import type { EventSink } from '../../shared/events';
import type { DeviceKind } from '../../shared/model-spec';
import type { JobControl } from '../jobs';
import { chooseDevice } from './device-choice';
import { isGpuFault, watchGpuDevice } from './gpu-watch';

/** What the fallback needs from the worker. */
export interface GpuFallbackDeps {
  /** The device the loaded models sit on (null when none are loaded). */
  readonly modelsDevice: () => DeviceKind | null;
  /** Reloads the last loaded models on WASM. */
  readonly reloadOnWasm: (control: JobControl, onEvent: EventSink) => Promise<void>;
}

/** Tracks the GPU's health and moves work to WASM when it fails. */
export class GpuFallback {
  /** Why ORT's WebGPU device was lost, once it has been. */
  private lost: string | null = null;

  constructor(private readonly deps: GpuFallbackDeps) {}

  /** The device a request gets: WASM for good once the GPU was lost. */
  deviceFor(request: DeviceRequest, info: DeviceInfo): DeviceKind {
    return this.lost ? 'wasm' : chooseDevice(request, info);
  }

  /** After models load on WebGPU: learn when ORT's device is lost. */
  watch(device: DeviceKind): void {
    if (device === 'webgpu') watchGpuDevice((reason) => (this.lost = reason));
  }

  /**
   * Runs a job on the loaded models; when the GPU itself fails under it,
   * moves the models to WASM and runs it once more there. Every other
   * failure is the job's own and leaves the device alone.
   */
  async run<T>(control: JobControl, onEvent: EventSink, job: () => Promise<T>): Promise<T> {
    // The device was lost between jobs: move first.
    if (this.lost && this.deps.modelsDevice() === 'webgpu') await this.moveToWasm(this.lost, control, onEvent);
    try {
      return await job();
    } catch (err) {
      const gpuFault = isGpuFault(err, this.lost !== null);
      if (this.deps.modelsDevice() !== 'webgpu' || isCaptionerError(err, 'CancelledError') || !gpuFault) throw err;
      control.check();
      await this.moveToWasm(this.lost ?? errorText(err), control, onEvent);
      return job();
    }
  }

  private async moveToWasm(reason: string, control: JobControl, onEvent: EventSink): Promise<void> {
    this.lost ??= reason;
    onEvent({ type: 'device-fallback', from: 'webgpu', to: 'wasm', reason });
    onEvent({ type: 'notice', message: `WebGPU failed (${reason}); reloading the models on WASM (CPU) and retrying.` });
    await this.deps.reloadOnWasm(control, onEvent);
  }
}
