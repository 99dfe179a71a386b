/**
 * The device-fit rules on the shipped tiers' real sizes: which tiers an
 * adapter's buffer limits, the reported memory, the WASM ceiling and ops, the
 * free storage let run, in plain words, and the tier `preset=auto` takes.
 */
import { describe, expect, test } from 'vitest';
import {
  type DeviceFacts,
  LOAD_PEAK_MULTIPLIER,
  WASM_MEMORY_CEILING,
  chooseAutoTier,
  fitTiers,
  largestBufferOf,
  missingWasmOp,
} from '../../src/shared/device-fit';
import { PRESETS } from '../../src/shared/presets';
import { choosePreset } from '../../src/cli/preset-choice';

const MiB = 2 ** 20;
/** A discrete GPU with room: 2 GiB buffers, shader-f16, a device at Chromium's memory cap. */
const ROOMY: DeviceFacts = {
  device: 'webgpu',
  shaderF16: true,
  gpu: { maxBufferSize: 2048 * MiB, maxStorageBufferBindingSize: 2048 * MiB },
  memory: { kind: 'device-memory', gigabytes: 8 },
  freeStorage: 100e9,
};
/** The WebGPU spec's default limits, what a small adapter (or a wrapped one) reports: 256 MiB buffers, 128 MiB bindings. */
const SMALL_GPU = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB };

const kinds = (facts: DeviceFacts) => fitTiers(facts).map((f) => [f.tier, f.kind]);

describe('device fit', () => {
  test('a roomy GPU runs every tier, and auto takes quality', () => {
    expect(kinds(ROOMY)).toEqual([
      ['tiny', 'fits'],
      ['balanced', 'fits'],
      ['quality', 'fits'],
    ]);
    expect(chooseAutoTier(fitTiers(ROOMY))).toEqual({
      tier: 'quality',
      fits: true,
      reason: 'Quality fits this device',
    });
  });

  test('the largest buffer is the vocab × hidden matrix at the plan’s widest dtype', () => {
    // Qwen3.5-2B q4: 248,320 × 2,048 / 2 B, the 4-bit matrix inside the real 325,795,840 B embed_tokens_q4 data.
    expect(largestBufferOf(PRESETS.quality.vlm, 'webgpuF16')).toBe(254_279_680);
    expect(largestBufferOf(PRESETS.balanced.vlm, 'webgpu')).toBe(127_139_840);
    // SmolVLM's fp32 embeddings without shader-f16 (the hub's 114 MB embed_tokens.onnx).
    expect(largestBufferOf(PRESETS.tiny.vlm, 'webgpu')).toBe(49_280 * 576 * 4);
  });

  test('an adapter with the spec’s small limits refuses quality with the reason, and auto picks balanced', () => {
    const fits = fitTiers({ ...ROOMY, gpu: SMALL_GPU });
    expect(fits.map((f) => f.kind)).toEqual(['fits', 'fits', 'doesNot']);
    const quality = fits[2];
    expect(quality?.kind === 'doesNot' && quality.reasons).toEqual([
      {
        kind: 'buffer',
        limit: 'maxStorageBufferBindingSize',
        needed: 254_279_680,
        allowed: 128 * MiB,
        text: 'Quality needs one 254 MB buffer; this GPU allows 134 MB',
      },
    ]);
    const auto = chooseAutoTier(fits);
    expect(auto.tier).toBe('balanced');
    expect(auto.reason).toBe('Balanced fits this device; Quality needs one 254 MB buffer; this GPU allows 134 MB');
  });

  test('a 256 MB maxBufferSize refuses quality where bindings are as large; 256 MiB lets its 254 MB matrix through', () => {
    const mb256 = fitTiers({ ...ROOMY, gpu: { maxBufferSize: 250e6, maxStorageBufferBindingSize: 250e6 } });
    expect(mb256.map((f) => f.kind)).toEqual(['fits', 'fits', 'doesNot']);
    expect(chooseAutoTier(mb256).tier).toBe('balanced');
    const mib256 = fitTiers({ ...ROOMY, gpu: { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 256 * MiB } });
    expect(mib256.map((f) => f.kind)).toEqual(['fits', 'fits', 'fits']);
  });

  test('a device reporting 2 GB of memory gets tiny', () => {
    for (const device of ['webgpu', 'wasm'] as const) {
      const fits = fitTiers({ ...ROOMY, device, memory: { kind: 'device-memory', gigabytes: 2 } });
      expect(fits.map((f) => f.kind)).toEqual(['fits', 'doesNot', 'doesNot']);
      expect(chooseAutoTier(fits).tier).toBe('tiny');
      const balanced = fits[1];
      expect(balanced?.kind === 'doesNot' && balanced.reasons.find((r) => r.kind === 'memory')?.text).toMatch(
        /^Balanced needs about 4\.\d GB of memory while it loads; this device reports 2 GB$/,
      );
    }
  });

  test('deviceMemory is a lower bound: at Chromium’s cap of 8 nothing is refused for memory', () => {
    const capped = fitTiers({ ...ROOMY, memory: { kind: 'device-memory', gigabytes: 8 } });
    // Quality peaks near 4.5 × 2.39 GB = 10.8 GB, above 8, and still fits: the device may have more.
    expect(capped[2]?.needs.peakBytes).toBeGreaterThan(8 * 2 ** 30);
    expect(capped.every((f) => f.kind === 'fits')).toBe(true);
    // A machine's total (the CLI in Node) is no bound of that kind: it refuses.
    const node = fitTiers({ ...ROOMY, device: 'wasm', memory: { kind: 'total', bytes: 4e9 } });
    expect(node.map((f) => f.kind)).toEqual(['fits', 'doesNot', 'doesNot']);
  });

  test('in the browser’s WASM runtime the Qwen3.5 tiers lack GatherBlockQuantized and quality meets the 4 GiB ceiling: auto takes tiny (the test machines’ choice)', () => {
    const fits = fitTiers({ ...ROOMY, device: 'wasm', shaderF16: false, gpu: null, memory: null });
    expect(fits.map((f) => f.kind)).toEqual(['fits', 'doesNot', 'doesNot']);
    const [, balanced, quality] = fits;
    expect(balanced?.kind === 'doesNot' && balanced.reasons.map((r) => r.text)).toEqual([
      'Balanced needs the GatherBlockQuantized op for its 4-bit embeddings, which the browser’s CPU (WASM) runtime lacks; it runs on WebGPU',
    ]);
    expect(quality?.kind === 'doesNot' && quality.reasons.map((r) => r.kind)).toEqual(['wasm-op', 'wasm-ceiling']);
    expect(quality?.needs.peakBytes).toBe(Math.round((quality?.needs.weightBytes ?? 0) * LOAD_PEAK_MULTIPLIER));
    expect(balanced?.needs.peakBytes).toBeLessThan(WASM_MEMORY_CEILING);
    expect(chooseAutoTier(fits).tier).toBe('tiny');
    // The op is the WASM build's lack only: WebGPU runs it, and so does native onnxruntime (the CLI).
    expect(missingWasmOp(PRESETS.balanced.vlm, 'webgpu')).toBeNull();
    expect(missingWasmOp(PRESETS.tiny.vlm, 'wasm')).toBeNull();
    const native = fitTiers({ ...ROOMY, device: 'wasm', gpu: null, memory: null, wasmCeiling: false });
    expect(native.map((f) => f.kind)).toEqual(['fits', 'fits', 'fits']);
  });

  test('the download is checked against free storage; what is cached needs no space', () => {
    const facts: DeviceFacts = { ...ROOMY, freeStorage: 600e6 };
    const fits = fitTiers(facts);
    expect(fits.map((f) => f.kind)).toEqual(['fits', 'doesNot', 'doesNot']);
    const balanced = fits[1];
    expect(balanced?.kind === 'doesNot' && balanced.reasons[0]?.text).toBe(
      'Balanced downloads 1.0 GB; this browser has 600 MB of storage free',
    );
    const cached = fitTiers({ ...facts, cachedBytes: { balanced: 900e6 } });
    expect(cached[1]?.kind).toBe('fits');
    expect(cached[1]?.needs.downloadBytes).toBe(Math.round(cached[1]?.needs.weightBytes ?? 0) - 900e6);
  });

  test('when no tier fits, auto takes the smallest and says none fits', () => {
    const auto = chooseAutoTier(fitTiers({ ...ROOMY, freeStorage: 1e6 }));
    expect(auto).toMatchObject({ tier: 'tiny', fits: false });
    expect(auto.reason).toMatch(/^no tier fits this device \(Tiny downloads 411 MB; this browser has 1 MB/);
  });
});

describe('the CLI’s --preset on this machine', () => {
  const ctx = { engine: 'local', vlmOverridden: false, totalMemory: 32e9, allowTooSmall: false } as const;

  test('auto takes the largest tier the machine’s memory holds, and says so', () => {
    // onnxruntime-node is native: no 4 GiB WebAssembly ceiling, so 32 GB runs quality.
    expect(choosePreset('auto', ctx)).toEqual({
      preset: PRESETS.quality,
      line: 'Automatic: quality — fits this device (Quality fits this device).',
    });
    expect(choosePreset('auto', { ...ctx, totalMemory: 6e9 }).preset.id).toBe('balanced');
    expect(choosePreset('auto', { ...ctx, totalMemory: 2e9 }).preset.id).toBe('tiny');
  });

  test('a named tier that does not fit is DeviceTooSmallError unless the caller opts in', () => {
    expect(() => choosePreset('quality', { ...ctx, totalMemory: 6e9 })).toThrow(
      /^Quality needs about 8\.7 GB of memory while it loads; this machine has 6\.0 GB\. /,
    );
    expect(choosePreset('quality', { ...ctx, totalMemory: 6e9, allowTooSmall: true }).preset.id).toBe('quality');
    expect(choosePreset('balanced', ctx)).toEqual({ preset: PRESETS.balanced, line: null });
  });

  test('a mistyped name is an error; the OpenAI engine and a --vlm of one’s own are not judged', () => {
    expect(() => choosePreset('balancd', ctx)).toThrow('"balancd" is not a preset: use auto, tiny, balanced, quality.');
    expect(choosePreset('auto', { ...ctx, engine: 'openai', totalMemory: 1e9 }).preset.id).toBe('balanced');
    expect(choosePreset('quality', { ...ctx, vlmOverridden: true, totalMemory: 1e9 }).preset.id).toBe('quality');
  });
});
