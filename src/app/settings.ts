/**
 * The page's settings: which model, from where, on which device. Read from
 * the URL so a configuration can be bookmarked or shared (e.g. pointing at a
 * company mirror), and edited in the settings form.
 */
import type { DeviceRequest } from '../shared/api';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import { DEFAULT_PRESET_ID, PRESETS, type PresetId } from '../shared/presets';
import type { LoadableRole, RoleOverride, RoleOverrides } from '../shared/roles';

const ROLES: readonly LoadableRole[] = ['vlm', 'llm', 'router'];

/** Everything the page needs to create a captioner and load a model. */
export interface AppSettings {
  readonly source: ModelSource;
  readonly preset: PresetId;
  readonly overrides: RoleOverrides;
  readonly device: DeviceRequest;
  /** Plain caption (one VLM call) or the CapFlow workflow. */
  readonly mode: 'caption' | 'capflow';
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

/** Settings from URL parameters `host` + `template` or `local`, `preset`, `vlm`/`llm`/`router` + `revision`, `device`, `mode`. */
export function settingsFromUrl(params: URLSearchParams): AppSettings {
  const source = sourceFromUrl(params);
  const presetParam = params.get('preset');
  const preset = isPresetId(presetParam) ? presetParam : DEFAULT_PRESET_ID;
  const revision = params.get('revision') ?? 'main';
  const overrides: Partial<Record<LoadableRole, RoleOverride>> = {};
  for (const role of ROLES) {
    const repo = params.get(role);
    if (repo) overrides[role] = { kind: 'repo', repo, revision };
  }
  const requested = params.get('device') ?? 'auto';
  const device = DEVICES.find((d) => d === requested) ?? 'auto';
  const mode = params.get('mode') === 'capflow' ? 'capflow' : 'caption';
  return { source, preset, overrides, device, mode };
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
  for (const role of ROLES) {
    const override = settings.overrides[role];
    if (override?.kind !== 'repo') continue;
    params.set(role, override.repo);
    params.set('revision', override.revision ?? 'main');
  }
  if (settings.device !== 'auto') params.set('device', settings.device);
  if (settings.mode === 'capflow') params.set('mode', 'capflow');
  return params;
}
