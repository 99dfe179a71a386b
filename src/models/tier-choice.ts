/**
 * Which tier a load or a plan runs, judged in the worker once per request:
 * `preset=auto` takes the largest shipped tier that fits this device (from
 * the adapter, the reported memory, the free storage and what is cached),
 * and a load refuses a tier that cannot run here, before anything is
 * fetched, unless the caller opted in. Resolving `auto` and refusing from
 * one judgement keeps a load from judging the device twice (once to choose,
 * again to refuse the choice).
 */
import type { FitReport } from '../shared/api';
import type { DeviceInfo } from '../shared/device';
import { type AutoTier, type TierFit, chooseAutoTier, fitTier, fitTiers } from '../shared/device-fit';
import { DeviceTooSmallError } from '../shared/errors';
import type { DeviceKind } from '../shared/model-spec';
import { DEFAULT_PRESET_ID, PRESETS, type Preset } from '../shared/presets';
import type { RoleOverrides } from '../shared/roles';
import type { StorageAccess, WeightCache } from './cache/weight-cache';
import { cachedTierBytes, deviceFacts } from './runtime/device-facts';

/** What judging a device needs from the worker. */
export interface TierChoiceDeps {
  readonly storage: Pick<StorageAccess, 'estimate'>;
  readonly deviceMemory?: () => number | null;
  readonly cache: () => Pick<WeightCache, 'list'>;
}

/** A preset as the worker is asked for it: a tier (shipped or the caller's own), or `auto`. */
export type PresetChoice = Preset | 'auto';

/** What a request runs: its preset, how `auto` chose it, and the judgement a load refuses by (null: none). */
export interface ChosenTier {
  readonly preset: Preset;
  readonly auto?: AutoTier;
  readonly fit: TierFit | null;
}

/** Which shipped tiers fit this device on `device`, storage and the weight cache included, and `auto`'s choice. */
export async function fitReport(deps: TierChoiceDeps, info: DeviceInfo, device: DeviceKind): Promise<FitReport> {
  const { quota = 0, usage = 0 } = await deps.storage.estimate();
  const cached = cachedTierBytes(await deps.cache().list());
  const memory = deps.deviceMemory?.() ?? null;
  const tiers = fitTiers(deviceFacts(info, device, memory, Math.max(0, quota - usage), cached));
  return { device, tiers, auto: chooseAutoTier(tiers) };
}

/**
 * The tier a request runs, judged once. With a VLM of one's own the tiers'
 * sizes say nothing about the download, so `auto` is then the default tier,
 * unjudged; so is a named tier whose VLM is overridden or a preset of
 * one's own (sizes the rules do not know). A named shipped tier is judged
 * without storage: the download's own check knows file by file what is
 * cached and says it as a QuotaExceededError.
 */
export async function chooseTier(
  deps: TierChoiceDeps,
  request: { readonly preset: PresetChoice; readonly overrides: RoleOverrides },
  info: DeviceInfo,
  device: DeviceKind,
): Promise<ChosenTier> {
  if (request.preset === 'auto') {
    if (request.overrides.vlm) return { preset: PRESETS[DEFAULT_PRESET_ID], fit: null };
    const { tiers, auto } = await fitReport(deps, info, device);
    return { preset: PRESETS[auto.tier], auto, fit: tiers.find((t) => t.tier === auto.tier) ?? null };
  }
  const preset = request.preset;
  const shipped = Object.values(PRESETS).find((p) => p.id === preset.id);
  if (request.overrides.vlm || !shipped || shipped.vlm.repo !== preset.vlm.repo) return { preset, fit: null };
  return { preset, fit: fitTier(shipped, deviceFacts(info, device, deps.deviceMemory?.() ?? null, null)) };
}

/**
 * Refuses a chosen tier that cannot run on this device, unless the caller
 * opted in. Storage is no refusal here (see {@link chooseTier}): where
 * `auto` found no tier fits for storage alone, the smallest loads and the
 * download says what is missing.
 */
export function refuseTooSmall(chosen: ChosenTier, allowTooSmall: boolean | undefined): void {
  if (allowTooSmall || chosen.fit?.kind !== 'doesNot') return;
  const reasons = chosen.fit.reasons.filter((r) => r.kind !== 'storage');
  if (reasons.length)
    throw new DeviceTooSmallError(
      chosen.fit.tier,
      reasons.map((r) => r.text),
    );
}
