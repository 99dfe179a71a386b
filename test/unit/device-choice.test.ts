import { describe, expect, test } from 'vitest';
import {
  autoDevice,
  autoDeviceNotice,
  autoDeviceReason,
  chooseDevice,
  chooseDtype,
} from '../../src/models/runtime/device-choice';
import type { AdapterInfo, DeviceInfo } from '../../src/shared/device';
import { describeDevice, describeDeviceDetail } from '../../src/shared/device';
import { isFullPrecisionSafe } from '../../src/shared/model-spec';
import { SMOLVLM_256M } from '../../src/shared/presets';

/** SwiftShader (software, no shader-f16) or a hardware GPU with shader-f16. */
const adapter = (shaderF16: boolean): AdapterInfo => ({
  vendor: shaderF16 ? 'nvidia' : 'google',
  architecture: shaderF16 ? 'ada' : 'swiftshader',
  description: '',
  isFallback: !shaderF16,
  shaderF16,
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 27,
});
const info = (a: AdapterInfo | null): DeviceInfo => ({
  adapter: a,
  webgpuError: a ? null : 'navigator.gpu is missing',
  preferred: autoDevice(a).device,
  autoReason: autoDevice(a).reason,
  crossOriginIsolated: true,
  hardwareConcurrency: 8,
});

const SOFTWARE = 'the WebGPU adapter (google swiftshader) is a software fallback adapter, slower than WASM';

describe('autoDevice', () => {
  test('a hardware adapter runs on WebGPU, no adapter on WASM, with nothing to explain', () => {
    expect(autoDevice(adapter(true))).toEqual({ device: 'webgpu', reason: null });
    expect(autoDevice(null)).toEqual({ device: 'wasm', reason: null });
  });
  test('a software fallback adapter (SwiftShader) runs on WASM, and says why', () => {
    expect(autoDevice(adapter(false))).toEqual({ device: 'wasm', reason: SOFTWARE });
    // Without shader-f16 but on real hardware, WebGPU still wins: only the fallback flag decides.
    expect(autoDevice({ ...adapter(false), vendor: 'intel', architecture: '', isFallback: false }).device).toBe(
      'webgpu',
    );
    expect(autoDevice({ ...adapter(false), vendor: '', architecture: '' }).reason).toBe(
      'the WebGPU adapter is a software fallback adapter, slower than WASM',
    );
  });
});

describe('chooseDevice', () => {
  test('auto picks WebGPU on a hardware adapter, WASM on a software one or without an adapter', () => {
    expect(chooseDevice('auto', info(adapter(true)))).toBe('webgpu');
    expect(chooseDevice('auto', info(adapter(false)))).toBe('wasm');
    expect(chooseDevice('auto', info(null))).toBe('wasm');
  });
  test('an explicit WebGPU request still gets a software adapter', () => {
    expect(chooseDevice('webgpu', info(adapter(false)))).toBe('webgpu');
  });
  test('the reason is given only when auto passed over an adapter', () => {
    expect(autoDeviceReason('auto', 'wasm', info(adapter(false)))).toBe(SOFTWARE);
    expect(autoDeviceReason('wasm', 'wasm', info(adapter(false)))).toBeNull();
    expect(autoDeviceReason('webgpu', 'webgpu', info(adapter(false)))).toBeNull();
    expect(autoDeviceReason('auto', 'webgpu', info(adapter(true)))).toBeNull();
    expect(autoDeviceReason('auto', 'wasm', info(null))).toBeNull();
    expect(autoDeviceNotice(SOFTWARE)).toBe(
      `Automatic device: WASM (CPU), because ${SOFTWARE}. Ask for WebGPU to use it anyway.`,
    );
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

test('describeDevice says where the models run in plain words, and why automatic passes over a software adapter', () => {
  expect(describeDevice(info(adapter(false)))).toBe(
    'Runs on the CPU: the GPU here is a slow software emulation (it stays a choice in the settings)',
  );
  expect(describeDevice(info(adapter(true)))).toBe('Runs on the GPU');
  // Chosen explicitly, the software adapter is what runs, and the line says what it is.
  expect(describeDevice(info(adapter(false)), 'webgpu')).toBe(
    'Runs on the GPU, a slow software emulation (chosen in the settings)',
  );
  expect(describeDevice(info(adapter(true)), 'wasm')).toBe('Runs on the CPU (chosen in the settings)');
  expect(describeDevice(info(null))).toBe('Runs on the CPU (this browser offers no GPU)');
  // The technical form, for the tooltip, keeps the adapter, its features and the reason.
  expect(describeDeviceDetail(info(adapter(false)))).toBe(
    `WebGPU: google swiftshader (software fallback adapter), no shader-f16 (no half-precision weights); WASM (CPU, 8 threads); automatic picks wasm (${SOFTWARE})`,
  );
  expect(describeDeviceDetail(info(null))).toBe('WASM (CPU, 8 threads) — WebGPU unavailable: navigator.gpu is missing');
});
