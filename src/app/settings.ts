/**
 * The page's settings: which model, from where, on which device. Read from
 * the URL so a configuration can be bookmarked or shared (e.g. pointing at a
 * company mirror), and edited in the settings form.
 */
import type { DeviceRequest } from '../shared/api';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import { DEFAULT_PRESET_ID, PRESETS, type PresetId } from '../shared/presets';
import type { RoleOverrides } from '../shared/roles';

/** Everything the page needs to create a captioner and load a model. */
export interface AppSettings {
  readonly source: ModelSource;
  readonly preset: PresetId;
  readonly overrides: RoleOverrides;
  readonly device: DeviceRequest;
}

const DEVICES: readonly DeviceRequest[] = ['auto', 'webgpu', 'wasm'];

function sourceFromUrl(params: URLSearchParams): ModelSource {
  const host = params.get('host');
  if (host) return { kind: 'host', host, pathTemplate: params.get('template') ?? '{model}/resolve/{revision}/' };
  const local = params.get('local');
  if (local) return { kind: 'local', path: local };
  return HUB_SOURCE;
}

function isPresetId(id: string | null): id is PresetId {
  return id !== null && Object.hasOwn(PRESETS, id);
}

/** Settings from URL parameters `host` + `template` or `local`, `preset`, `vlm` + `revision`, `device`. */
export function settingsFromUrl(params: URLSearchParams): AppSettings {
  const source = sourceFromUrl(params);
  const presetParam = params.get('preset');
  const preset = isPresetId(presetParam) ? presetParam : DEFAULT_PRESET_ID;
  const repo = params.get('vlm');
  const overrides: RoleOverrides = repo
    ? { vlm: { kind: 'repo', repo, revision: params.get('revision') ?? 'main' } }
    : {};
  const requested = params.get('device') ?? 'auto';
  const device = DEVICES.find((d) => d === requested) ?? 'auto';
  return { source, preset, overrides, device };
}

/** The URL parameters that reproduce `settings` (defaults omitted). */
export function settingsToUrl(settings: AppSettings): URLSearchParams {
  const params = new URLSearchParams();
  if (settings.source.kind === 'host') {
    params.set('host', settings.source.host);
    params.set('template', settings.source.pathTemplate);
  } else if (settings.source.kind === 'local') {
    params.set('local', settings.source.path);
  }
  if (settings.preset !== DEFAULT_PRESET_ID) params.set('preset', settings.preset);
  const vlm = settings.overrides.vlm;
  if (vlm?.kind === 'repo') {
    params.set('vlm', vlm.repo);
    params.set('revision', vlm.revision ?? 'main');
  }
  if (settings.device !== 'auto') params.set('device', settings.device);
  return params;
}
