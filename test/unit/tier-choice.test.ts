/**
 * The worker's tier choice (src/models/tier-choice.ts) on injected device
 * facts: `auto` is judged once, with storage, and a load refuses the tier
 * it falls back to only for what the device cannot run; storage alone is
 * the download's to say. A named tier is judged without storage.
 */
import { describe, expect, test } from 'vitest';
import { type TierChoiceDeps, chooseTier, refuseTooSmall } from '../../src/models/tier-choice';
import type { DeviceInfo } from '../../src/shared/device';
import { DeviceTooSmallError } from '../../src/shared/errors';
import { DEFAULT_PRESET_ID, PRESETS } from '../../src/shared/presets';

const WASM: DeviceInfo = {
  adapter: null,
  webgpuError: 'navigator.gpu is missing',
  preferred: 'wasm',
  autoReason: null,
  crossOriginIsolated: true,
  hardwareConcurrency: 8,
};

/** A device with `memory` GB reported and `free` bytes of storage, counting its storage estimates. */
function device(memory: number, free: number): TierChoiceDeps & { estimates: number } {
  const deps = {
    estimates: 0,
    storage: {
      estimate: async () => {
        deps.estimates += 1;
        return { quota: free, usage: 0 };
      },
    },
    deviceMemory: () => memory,
    cache: () => ({ list: async () => [] }),
  };
  return deps;
}

const AUTO = { preset: 'auto', overrides: {} } as const;

describe('auto', () => {
  test('no tier fits for storage alone: the smallest, not refused (the download says what is missing)', async () => {
    const chosen = await chooseTier(device(16, 1e6), AUTO, WASM, 'wasm');
    expect(chosen.preset).toBe(PRESETS.tiny);
    expect(chosen.auto).toMatchObject({ tier: 'tiny', fits: false });
    expect(chosen.fit?.kind).toBe('doesNot');
    expect(() => refuseTooSmall(chosen, false)).not.toThrow();
  });

  test('no tier fits the memory: the smallest is refused for the memory (not the storage), unless allowed', async () => {
    const chosen = await chooseTier(device(0.25, 1e6), AUTO, WASM, 'wasm');
    expect(chosen.auto).toMatchObject({ tier: 'tiny', fits: false });
    const refusal = (() => {
      try {
        refuseTooSmall(chosen, false);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(DeviceTooSmallError);
    expect((refusal as DeviceTooSmallError).tier).toBe('tiny');
    expect((refusal as DeviceTooSmallError).reasons).toEqual([
      expect.stringMatching(/^Tiny needs about .* of memory while it loads; this device reports 0\.25 GB$/),
    ]);
    expect(() => refuseTooSmall(chosen, true)).not.toThrow();
  });

  test("the largest tier that fits, judged once; with a VLM of one's own, the default tier unjudged", async () => {
    const deps = device(16, 1e12);
    const chosen = await chooseTier(deps, AUTO, WASM, 'wasm');
    expect(chosen.auto).toMatchObject({ fits: true });
    expect(chosen.fit?.kind).toBe('fits');
    expect(deps.estimates).toBe(1);
    const own = await chooseTier(deps, { ...AUTO, overrides: { vlm: { kind: 'repo', repo: 'me/vlm' } } }, WASM, 'wasm');
    expect(own).toEqual({ preset: PRESETS[DEFAULT_PRESET_ID], fit: null });
    expect(deps.estimates).toBe(1);
  });
});

describe('a named tier', () => {
  test('is judged without storage: refused only for what the device cannot run', async () => {
    const deps = device(16, 1e6);
    const named = await chooseTier(deps, { preset: PRESETS.tiny, overrides: {} }, WASM, 'wasm');
    expect(named.fit?.kind).toBe('fits');
    expect(deps.estimates).toBe(0);
    const small = await chooseTier(device(0.25, 1e12), { preset: PRESETS.tiny, overrides: {} }, WASM, 'wasm');
    expect(() => refuseTooSmall(small, false)).toThrow(DeviceTooSmallError);
  });

  test("an overridden VLM or a preset of one's own is not judged (its sizes are unknown)", async () => {
    const deps = device(0.25, 1e6);
    const overridden = { preset: PRESETS.tiny, overrides: { vlm: { kind: 'repo', repo: 'me/vlm' } } } as const;
    expect((await chooseTier(deps, overridden, WASM, 'wasm')).fit).toBeNull();
    const mine = { ...PRESETS.tiny, vlm: { ...PRESETS.tiny.vlm, repo: 'me/vlm' } };
    expect((await chooseTier(deps, { preset: mine, overrides: {} }, WASM, 'wasm')).fit).toBeNull();
  });
});
