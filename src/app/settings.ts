/**
 * The page's settings: which model, from where, on which device. Read from
 * the URL so a configuration can be bookmarked or shared (e.g. pointing at a
 * company mirror), and edited in the settings form.
 */
import type { DeviceRequest } from '../shared/api';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import type { ModelSpec } from '../shared/model-spec';
import { DEFAULT_VLM } from '../shared/presets';

/** Everything the page needs to create a captioner and load a model. */
export interface AppSettings {
  readonly source: ModelSource;
  readonly vlm: ModelSpec;
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

/** Settings from URL parameters `host` + `template` or `local`, `vlm`, `revision`, `device`. */
export function settingsFromUrl(params: URLSearchParams): AppSettings {
  const source = sourceFromUrl(params);
  const repo = params.get('vlm');
  const vlm: ModelSpec = repo
    ? { ...DEFAULT_VLM, repo, revision: params.get('revision') ?? 'main' }
    : DEFAULT_VLM;
  const requested = params.get('device') ?? 'auto';
  const device = DEVICES.find((d) => d === requested) ?? 'auto';
  return { source, vlm, device };
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
  if (settings.vlm.repo !== DEFAULT_VLM.repo) {
    params.set('vlm', settings.vlm.repo);
    params.set('revision', settings.vlm.revision);
  }
  if (settings.device !== 'auto') params.set('device', settings.device);
  return params;
}
