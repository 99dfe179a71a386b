/**
 * The tier the CLI's local engine loads: `--preset auto` (the default)
 * takes the largest that fits this machine, a named tier that does not fit
 * is refused before anything is downloaded unless `--allow-too-small`.
 * The facts are Node's: the machine's total memory (`os.totalmem()`), on
 * the CPU plan. The local engine runs onnxruntime-node, native code with
 * no 4 GiB WebAssembly memory, so that ceiling is not applied here.
 */
import { type DeviceFacts, autoTierText, chooseAutoTier, fitTier, fitTiers } from '../shared/device-fit';
import { DeviceTooSmallError } from '../shared/errors';
import { DEFAULT_PRESET_ID, PRESETS, type Preset, requirePresetRequest } from '../shared/presets';

/** What decides the CLI's tier. */
export interface PresetContext {
  readonly engine: 'local' | 'openai';
  /** `--vlm` names another model: its sizes are not known to the fit rules. */
  readonly vlmOverridden: boolean;
  /** `os.totalmem()`. */
  readonly totalMemory: number;
  readonly allowTooSmall: boolean;
}

/** The tier, and a line for stderr saying what auto chose (null when nothing needs saying). */
export interface PresetChoice {
  readonly preset: Preset;
  readonly line: string | null;
}

/** The facts of this machine for the fit rules. */
export function nodeFacts(totalMemory: number): DeviceFacts {
  return {
    device: 'wasm',
    shaderF16: false,
    gpu: null,
    memory: { kind: 'total', bytes: totalMemory },
    freeStorage: null,
    wasmCeiling: false,
  };
}

/** The tier `--preset` means on this machine; a mistyped name is an error, never a silent default. */
export function choosePreset(name: string, ctx: PresetContext): PresetChoice {
  const request = requirePresetRequest(name);
  // With --engine openai the VLM runs elsewhere (the tier only names the router, the same in every tier);
  // with --vlm its size is unknown: nothing here to judge.
  if (ctx.engine === 'openai' || ctx.vlmOverridden) {
    return { preset: PRESETS[request === 'auto' ? DEFAULT_PRESET_ID : request], line: null };
  }
  const facts = nodeFacts(ctx.totalMemory);
  if (request === 'auto') {
    const auto = chooseAutoTier(fitTiers(facts));
    if (!auto.fits && !ctx.allowTooSmall) {
      const smallest = fitTier(PRESETS[auto.tier], facts);
      throw new DeviceTooSmallError(auto.tier, smallest.kind === 'doesNot' ? smallest.reasons.map((r) => r.text) : []);
    }
    return { preset: PRESETS[auto.tier], line: `${autoTierText(auto)} (${auto.reason}).` };
  }
  const fit = fitTier(PRESETS[request], facts);
  if (fit.kind === 'doesNot' && !ctx.allowTooSmall) {
    throw new DeviceTooSmallError(
      request,
      fit.reasons.map((r) => r.text),
    );
  }
  return { preset: PRESETS[request], line: null };
}
