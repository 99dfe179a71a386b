import { expect, test } from 'vitest';
import { followFamily, shippedVlmOf } from '../../src/shared/family-plan';
import { PRESETS } from '../../src/shared/presets';
import { applyOverride } from '../../src/shared/roles';

const OVER_BALANCED = applyOverride(PRESETS.balanced.vlm, { kind: 'repo', repo: 'me/student' });

test('a SmolVLM model over a Qwen3.5 tier takes the SmolVLM plan, slot for slot', () => {
  for (const [device, slot] of [
    ['webgpu', 'webgpuF16'],
    ['webgpu', 'webgpu'],
    ['wasm', 'wasm'],
  ] as const) {
    const followed = followFamily(OVER_BALANCED, device, OVER_BALANCED.dtypes[slot], 'idefics3');
    expect(followed.dtype).toEqual(PRESETS.tiny.vlm.dtypes[slot]);
    expect(followed.spec.family).toBe('idefics3');
    expect(followed.spec.repo).toBe('me/student');
    expect(followed.spec.maxImagesPerPrompt).toBe(PRESETS.tiny.vlm.maxImagesPerPrompt);
    expect(followed.spec.planBytes).toBeUndefined();
  }
});

test('the same family, an unknown one, or a family no tier ships as its VLM: unchanged', () => {
  const dtype = OVER_BALANCED.dtypes.wasm;
  for (const family of ['qwen3_5', null, 'clip'] as const) {
    const followed = followFamily(OVER_BALANCED, 'wasm', dtype, family);
    expect(followed.spec).toBe(OVER_BALANCED);
    expect(followed.dtype).toBe(dtype);
  }
  expect(shippedVlmOf('clip')).toBeNull();
  // A tier's own model is pinned with the plan written for it, whatever a config (or a test's stand-in) says.
  const own = PRESETS.balanced.vlm;
  expect(followFamily(own, 'wasm', own.dtypes.wasm, 'idefics3')).toEqual({ spec: own, dtype: own.dtypes.wasm });
});

test('a dtype the user chose (no slot of the tier) is kept', () => {
  expect(followFamily(OVER_BALANCED, 'wasm', 'fp32', 'idefics3').dtype).toBe('fp32');
});
