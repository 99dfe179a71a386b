/**
 * A model that replaces a tier's VLM may be of another family: a SmolVLM
 * student imported over a Qwen3.5 tier. Its files are its own family's, so
 * the dtype plan must be too: the Qwen3.5 plan asks for `_q4` files of
 * every session, which a SmolVLM export does not publish, and the load
 * would fail on a file that was never meant to exist. Its config.json
 * (model_type) tells the family; the plan and per-family settings then
 * come from the shipped model of that family, taken from the same plan slot
 * (WASM, WebGPU, WebGPU with f16) the tier's dtype came from on that device.
 */
import {
  type DeviceKind,
  type DtypeChoice,
  type DtypePlan,
  type ModelFamily,
  type ModelSpec,
  sameChoice,
} from './model-spec';
import { PRESETS } from './presets';

/**
 * The plan slot `dtype` came from on `device`. On WebGPU the full-precision
 * slot is tried first: where a tier's two WebGPU slots name the same files,
 * nothing says the adapter has shader-f16, and the full-precision plan runs
 * on any adapter.
 */
function slotOf(spec: ModelSpec, device: DeviceKind, dtype: DtypeChoice): keyof DtypePlan | undefined {
  const slots = device === 'wasm' ? (['wasm'] as const) : (['webgpu', 'webgpuF16'] as const);
  return slots.find((s) => sameChoice(spec.dtypes[s], dtype));
}

/** The shipped VLM of `family` (its dtype plan and settings), or null when no tier runs that family as its VLM. */
export function shippedVlmOf(family: ModelFamily): ModelSpec | null {
  return Object.values(PRESETS).find((p) => p.vlm.family === family)?.vlm ?? null;
}

/**
 * `spec` and `dtype` for the family its config names. Unchanged for a
 * tier's own model (pinned, with the plan written for it), and when the
 * family is the spec's, unknown, or not one a tier ships as the VLM; a
 * dtype that is no slot of the tier's plan (one the user chose) is kept.
 */
export function followFamily(
  spec: ModelSpec,
  device: DeviceKind,
  dtype: DtypeChoice,
  family: ModelFamily | null,
): { readonly spec: ModelSpec; readonly dtype: DtypeChoice } {
  const shipped = spec.familyFromConfig && family && family !== spec.family ? shippedVlmOf(family) : null;
  if (!shipped) return { spec, dtype };
  const slot = slotOf(spec, device, dtype);
  const followed: ModelSpec = {
    ...spec,
    family: shipped.family,
    dtypes: shipped.dtypes,
    // The tier's exact plan sizes are its own model's; the other family's model is sized by estimate only.
    planBytes: undefined,
    maxImagePixels: shipped.maxImagePixels,
    maxImagesPerPrompt: shipped.maxImagesPerPrompt,
    requires: shipped.requires,
  };
  return { spec: followed, dtype: slot ? shipped.dtypes[slot] : dtype };
}
