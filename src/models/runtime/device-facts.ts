/**
 * The facts the device-fit rules (src/shared/device-fit.ts) judge a tier
 * by, gathered in the worker: the adapter's limits from the probe, the
 * memory the browser reports, the free storage and what each tier already
 * has in the weight cache.
 */
import type { CachedModel } from '../../shared/cached-model';
import type { DeviceInfo } from '../../shared/device';
import type { DeviceFacts } from '../../shared/device-fit';
import type { DeviceKind } from '../../shared/model-spec';
import { PRESETS, type PresetId } from '../../shared/presets';

/**
 * `navigator.deviceMemory` in GB, or null where the browser has none
 * (Firefox, Safari): Chromium rounds it down and caps it at 8, so the fit
 * rules read it as a lower bound.
 */
export function reportedDeviceMemory(): number | null {
  const nav: Navigator & { readonly deviceMemory?: number } = navigator;
  return typeof nav.deviceMemory === 'number' && nav.deviceMemory > 0 ? nav.deviceMemory : null;
}

/** Bytes of each tier's models already complete in the weight cache (a tier's download needs no room for them). */
export function cachedTierBytes(cached: readonly CachedModel[]): Partial<Record<PresetId, number>> {
  const entries = Object.values(PRESETS).map((preset) => {
    const repos = new Set<string>([preset.vlm.repo, preset.router.repo]);
    const bytes = cached.filter((m) => m.complete && repos.has(m.repo)).reduce((sum, m) => sum + m.bytes, 0);
    return [preset.id, bytes] as const;
  });
  return Object.fromEntries(entries);
}

/** The facts for models loaded on `device`. `freeStorage` null: storage is left to the download's own check. */
export function deviceFacts(
  info: DeviceInfo,
  device: DeviceKind,
  memoryGigabytes: number | null,
  freeStorage: number | null,
  cachedBytes: Partial<Record<PresetId, number>> = {},
): DeviceFacts {
  const a = info.adapter;
  return {
    device,
    shaderF16: device === 'webgpu' && (a?.shaderF16 ?? false),
    gpu:
      device === 'webgpu' && a
        ? { maxBufferSize: a.maxBufferSize, maxStorageBufferBindingSize: a.maxStorageBufferBindingSize }
        : null,
    memory: memoryGigabytes === null ? null : { kind: 'device-memory', gigabytes: memoryGigabytes },
    freeStorage,
    cachedBytes,
  };
}
