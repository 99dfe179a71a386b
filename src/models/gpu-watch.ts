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
