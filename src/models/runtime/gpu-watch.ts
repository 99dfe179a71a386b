/**
 * Watches the GPUDevice onnxruntime-web created (it stores it on
 * `env.webgpu.device` once its WebGPU backend starts) for `device.lost`:
 * driver resets, GPU process crashes, the tab being backgrounded on some
 * mobile GPUs. After a loss nothing more can run on that device.
 */
import { env } from '@huggingface/transformers';

/** ORT's WebGPU device, if a WebGPU session has started it. */
export function ortGpuDevice(): GPUDevice | null {
  const device: unknown = env.backends.onnx.webgpu?.device;
  return typeof GPUDevice !== 'undefined' && device instanceof GPUDevice ? device : null;
}

/** Calls `onLost` with a readable reason when ORT's device is lost; no-op when there is none. */
export function watchGpuDevice(onLost: (reason: string) => void): void {
  const device = ortGpuDevice();
  void device?.lost.then((info) => onLost(info.message || `the device was ${info.reason ?? 'lost'}`));
}

/** Messages of failures that mean the GPU itself gave out (ORT and WebGPU word them variously). */
const GPU_FAULT =
  /device (?:was |is )?lost|out of memory|\bOOM\b|GPUValidationError|GPUOutOfMemoryError|GPUInternalError|validation error|mapAsync|GPUBuffer/i;

/**
 * True when `err` is a GPU fault — the device was lost, ran out of memory,
 * or rejected work as invalid — the only failures worth moving the models
 * to the CPU for. Anything else (a bad image, a preprocessing error, a
 * model bug) would fail on the CPU too, and fails the job alone.
 */
export function isGpuFault(err: unknown, deviceLost: boolean): boolean {
  if (deviceLost) return true;
  if (typeof GPUError !== 'undefined' && err instanceof GPUError) return true;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return GPU_FAULT.test(text);
}
