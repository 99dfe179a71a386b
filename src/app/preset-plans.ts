/**
 * The download plan of every preset under the current settings (mode,
 * device, the chosen preset's overrides), for the preset menu's figures,
 * the plan panel, and the presets offered when the model host is down.
 */
import type { Captioner } from '../client/captioner';
import type { DownloadPlan } from '../shared/api';
import { PRESETS, type PresetId } from '../shared/presets';
import { errorMessage } from './format';
import { type AppSettings, rolesFor } from './settings';

/** A preset's plan, none yet, or why it could not be made. */
export type PlanState =
  | { readonly kind: 'plan'; readonly plan: DownloadPlan }
  | { readonly kind: 'pending' }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Plans every preset; a plan that fails says why (never "checking" for
 * ever). `tier` is the tier the settings mean (what `auto` takes): the
 * user's overrides apply to it.
 */
export async function planPresets(
  captioner: Captioner,
  s: AppSettings,
  autoTier: PresetId,
): Promise<Map<PresetId, PlanState>> {
  const roles = rolesFor(s);
  const tier = s.preset === 'auto' ? autoTier : s.preset;
  const entries = await Promise.all(
    Object.values(PRESETS).map(async (p): Promise<[PresetId, PlanState]> => {
      const overrides = p.id === tier ? s.overrides : {};
      try {
        const plan = await captioner.plan({
          preset: p.id,
          overrides,
          roles,
          device: s.device,
          ocr: s.mode === 'capflow',
        });
        return [p.id, { kind: 'plan', plan }];
      } catch (err) {
        return [p.id, { kind: 'failed', reason: errorMessage(err) }];
      }
    }),
  );
  return new Map(entries);
}

/** Presets other than `current` whose every file is on this device. */
export function cachedPresets(
  plans: ReadonlyMap<PresetId, PlanState>,
  current: PresetId,
): { readonly id: PresetId; readonly label: string }[] {
  return Object.values(PRESETS).flatMap((p) => {
    const state = plans.get(p.id);
    const cached =
      state?.kind === 'plan' &&
      state.plan.roles.every((r) => r.sharedWith || (r.files.length > 0 && r.files.every((f) => f.cached)));
    return cached && p.id !== current ? [{ id: p.id, label: p.label }] : [];
  });
}
