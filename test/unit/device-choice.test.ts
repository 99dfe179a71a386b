import { describe, expect, test } from 'vitest';
import { chooseDevice, chooseDtype } from '../../src/models/runtime/device-choice';
import type { AdapterInfo, DeviceInfo } from '../../src/shared/device';
import { describeDevice, describeDeviceDetail } from '../../src/shared/device';
import { isFullPrecisionSafe } from '../../src/shared/model-spec';
import { SMOLVLM_256M } from '../../src/shared/presets';

const adapter = (shaderF16: boolean): AdapterInfo => ({
  vendor: 'google',
  architecture: 'swiftshader',
  description: '',
  isFallback: !shaderF16,
  shaderF16,
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 27,
});
const info = (a: AdapterInfo | null): DeviceInfo => ({
  adapter: a,
  webgpuError: a ? null : 'navigator.gpu is missing',
  preferred: a ? 'webgpu' : 'wasm',
  crossOriginIsolated: true,
  hardwareConcurrency: 8,
});

describe('chooseDevice', () => {
  test('auto picks WebGPU when an adapter exists, WASM otherwise', () => {
    expect(chooseDevice('auto', info(adapter(false)))).toBe('webgpu');
    expect(chooseDevice('auto', info(null))).toBe('wasm');
  });
  test('an explicit WebGPU request without an adapter is a named, actionable error', () => {
    expect(() => chooseDevice('webgpu', info(null))).toThrow(
      expect.objectContaining({ name: 'WebGpuUnavailableError', message: expect.stringContaining('"wasm" or "auto"') }),
    );
  });
  test('WASM is always available', () => expect(chooseDevice('wasm', info(adapter(true)))).toBe('wasm'));
});

describe('chooseDtype', () => {
  test('half precision only with shader-f16', () => {
    expect(chooseDtype(SMOLVLM_256M, 'webgpu', info(adapter(true)))).toEqual(SMOLVLM_256M.dtypes.webgpuF16);
    const noF16 = chooseDtype(SMOLVLM_256M, 'webgpu', info(adapter(false)));
    expect(noF16).toEqual(SMOLVLM_256M.dtypes.webgpu);
    expect(isFullPrecisionSafe(noF16)).toBe(true);
    expect(isFullPrecisionSafe(SMOLVLM_256M.dtypes.webgpuF16)).toBe(false);
  });
  test('WASM gets its own plan', () => {
    expect(chooseDtype(SMOLVLM_256M, 'wasm', info(adapter(true)))).toEqual(SMOLVLM_256M.dtypes.wasm);
  });
});

test('describeDevice says where the models run in plain words; describeDeviceDetail gives the technical form', () => {
  expect(describeDevice(info(adapter(false)))).toBe('Runs on the GPU (software emulation: slow)');
  expect(describeDevice({ ...info(adapter(false)), preferred: 'wasm' })).toBe(
    'Runs on the CPU (the GPU here is only a slow software emulation)',
  );
  expect(describeDevice(info(null))).toBe('Runs on the CPU (this browser offers no GPU)');
  expect(describeDeviceDetail(info(adapter(false)))).toBe(
    'WebGPU: google swiftshader (software fallback adapter), no shader-f16 (no half-precision weights); automatic picks webgpu',
  );
  expect(describeDeviceDetail(info(null))).toBe('WASM (CPU, 8 threads) — WebGPU unavailable: navigator.gpu is missing');
});
