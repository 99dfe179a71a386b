/**
 * The page's settings: how to caption (mode, style, language, domain,
 * judge), which models, from where, on which device. They live in the URL,
 * so a setup can be bookmarked or shared (e.g. pointing at a company
 * mirror), and in the session store, so a plain reload keeps them. The URL
 * form is also the stored form: one parser validates both.
 */
import type { CaptionMode, DomainId, CaptionStyle, CapflowOptions } from '../shared/record';
import { DOMAIN_IDS } from '../capflow/spec';
import { CAPTION_STYLE_IDS, isCaptionStyle } from '../capflow/styles';
import type { DeviceRequest } from '../shared/api';
import { HUB_PATH_TEMPLATE, HUB_SOURCE, type ModelSource } from '../shared/model-source';
import { DEFAULT_PRESET_REQUEST, PRESETS, type PresetId, type PresetRequest, presetIdOf } from '../shared/presets';
import type { LoadableRole, RoleOverride, RoleOverrides } from '../shared/roles';
import { DEFAULT_VIDEO_SAMPLING, type VideoSampling } from '../shared/video-sampling';

const ROLES: readonly LoadableRole[] = ['vlm', 'llm', 'router'];

/** Everything the page needs to load models and caption. */
export interface AppSettings {
  readonly source: ModelSource;
  /** `auto` (the default): the largest tier that fits this device, chosen when the models load. */
  readonly preset: PresetRequest;
  readonly overrides: RoleOverrides;
  readonly device: DeviceRequest;
  readonly mode: CaptionMode;
  readonly style: CaptionStyle;
  /** The instruction of `prompt` mode. */
  readonly prompt: string;
  readonly language: string;
  /** A pinned image domain, or `auto` (routing decides). */
  readonly domain: DomainId | 'auto';
  /** CapFlow's judge: how many attempts (best-of-N); 0 turns the judge off. */
  readonly attempts: number;
  /** The judge's bar for `accepted`, the same on every dimension: 3 is the paper's, 1 accepts any score. */
  readonly minScore: 1 | 2 | 3;
  /** Token budget of the caption-writing step; 0: the style's own. */
  readonly maxTokens: number;
  /** Frames spread evenly over a video (scene changes add theirs). */
  readonly videoFrames: number;
  /** Longest video accepted, in minutes. */
  readonly videoMinutes: number;
}

/** The defaults a fresh page starts with. */
export const DEFAULT_SETTINGS: AppSettings = Object.freeze({
  source: HUB_SOURCE,
  preset: DEFAULT_PRESET_REQUEST,
  overrides: {},
  device: 'auto',
  mode: 'single-pass',
  style: 'detailed',
  prompt: 'Describe this image in detail.',
  language: 'English',
  domain: 'auto',
  attempts: 1,
  minScore: 3,
  maxTokens: 0,
  videoFrames: DEFAULT_VIDEO_SAMPLING.frames,
  videoMinutes: DEFAULT_VIDEO_SAMPLING.maxSeconds / 60,
});

/** The video choices the page offers. */
export const VIDEO_FRAME_CHOICES: readonly number[] = Object.freeze([4, 8, 12, 16]);
export const VIDEO_MINUTE_CHOICES: readonly number[] = Object.freeze([1, 5, 10, 30, 60]);

/** How videos are sampled under these settings. */
export function videoSamplingOf(settings: AppSettings): Partial<VideoSampling> {
  return { frames: settings.videoFrames, maxSeconds: settings.videoMinutes * 60 };
}

/** The most judge attempts the page offers. */
export const MAX_ATTEMPTS = 5;

const DEVICES: readonly DeviceRequest[] = ['auto', 'webgpu', 'wasm'];
const MODES: readonly CaptionMode[] = ['single-pass', 'capflow', 'prompt'];
/** Domains a still image can be pinned to. */
export const IMAGE_DOMAIN_IDS: readonly DomainId[] = DOMAIN_IDS.filter((d) => d !== 'video');
/** URL parameters these settings read; a URL with none of them leaves the stored settings in charge. */
export const SETTING_PARAMS: readonly string[] = Object.freeze([
  'host',
  'template',
  'local',
  'preset',
  'vlm',
  'llm',
  'router',
  'revision',
  'device',
  'mode',
  'style',
  'prompt',
  'lang',
  'domain',
  'attempts',
  'minScore',
  'maxTokens',
  'frames',
  'videoMinutes',
]);

function sourceFromUrl(params: URLSearchParams): ModelSource {
  const host = params.get('host');
  if (host) return { kind: 'host', host, pathTemplate: params.get('template') ?? HUB_PATH_TEMPLATE };
  const local = params.get('local');
  if (local) return { kind: 'local', path: local };
  return HUB_SOURCE;
}

/** `auto`, or the shipped preset a name means (an earlier name included); null for anything else. */
export function presetRequestOf(name: string | null): PresetRequest | null {
  return name === 'auto' ? 'auto' : presetIdOf(name);
}

/** True when `id` names a shipped preset. */
export function isPresetId(id: string | null): id is PresetId {
  return id !== null && Object.hasOwn(PRESETS, id);
}

function overrideFromUrl(repo: string, revision: string): RoleOverride {
  // Folders imported from disk live under "imported/<name>" in the weight cache.
  return repo.startsWith('imported/') ? { kind: 'imported', repo } : { kind: 'repo', repo, revision };
}

function modeFromUrl(value: string | null): CaptionMode {
  if (value === 'caption') return 'prompt'; // the plain caption of earlier versions
  return MODES.find((m) => m === value) ?? DEFAULT_SETTINGS.mode;
}

/** A number the page offers, from a URL parameter; anything else is the default. */
function choice(choices: readonly number[], value: string | null, fallback: number): number {
  return choices.find((c) => String(c) === value) ?? fallback;
}

/** Settings from URL parameters (see {@link SETTING_PARAMS}); anything unknown falls back to the default. */
export function settingsFromUrl(params: URLSearchParams): AppSettings {
  const presetParam = params.get('preset');
  const revision = params.get('revision') ?? 'main';
  const overrides: Partial<Record<LoadableRole, RoleOverride>> = {};
  for (const role of ROLES) {
    const repo = params.get(role);
    if (repo) overrides[role] = overrideFromUrl(repo, revision);
  }
  const style = params.get('style');
  const domain = params.get('domain');
  const attempts = Number(params.get('attempts') ?? DEFAULT_SETTINGS.attempts);
  const maxTokens = Number(params.get('maxTokens') ?? 0);
  const minScore = Number(params.get('minScore'));
  return {
    source: sourceFromUrl(params),
    preset: presetRequestOf(presetParam) ?? DEFAULT_PRESET_REQUEST,
    overrides,
    device: DEVICES.find((d) => d === params.get('device')) ?? 'auto',
    mode: modeFromUrl(params.get('mode')),
    style: isCaptionStyle(style) ? style : DEFAULT_SETTINGS.style,
    prompt: params.get('prompt')?.trim() || DEFAULT_SETTINGS.prompt,
    language: params.get('lang')?.trim().slice(0, 40) || DEFAULT_SETTINGS.language,
    domain: IMAGE_DOMAIN_IDS.find((d) => d === domain) ?? 'auto',
    attempts: Number.isInteger(attempts) ? Math.min(MAX_ATTEMPTS, Math.max(0, attempts)) : DEFAULT_SETTINGS.attempts,
    minScore: minScore === 1 || minScore === 2 || minScore === 3 ? minScore : DEFAULT_SETTINGS.minScore,
    maxTokens: Number.isInteger(maxTokens) && maxTokens > 0 ? maxTokens : 0,
    videoFrames: choice(VIDEO_FRAME_CHOICES, params.get('frames'), DEFAULT_SETTINGS.videoFrames),
    videoMinutes: choice(VIDEO_MINUTE_CHOICES, params.get('videoMinutes'), DEFAULT_SETTINGS.videoMinutes),
  };
}

/** What each validated URL parameter accepts, in words, and a test for a value. */
const ACCEPTED: Readonly<
  Record<string, { readonly values: readonly string[] | string; readonly ok: (v: string) => boolean }>
> = Object.freeze({
  preset: { values: ['auto', ...Object.keys(PRESETS)], ok: (v) => presetRequestOf(v) !== null },
  device: { values: DEVICES, ok: (v) => DEVICES.some((d) => d === v) },
  mode: { values: MODES, ok: (v) => v === 'caption' || MODES.some((m) => m === v) },
  style: { values: CAPTION_STYLE_IDS, ok: isCaptionStyle },
  domain: { values: ['auto', ...IMAGE_DOMAIN_IDS], ok: (v) => v === 'auto' || IMAGE_DOMAIN_IDS.some((d) => d === v) },
  // More than MAX_ATTEMPTS is taken as the most (the settings panel shows it).
  attempts: { values: 'a whole number', ok: (v) => /^\d+$/.test(v) },
  minScore: { values: ['1', '2', '3'], ok: (v) => ['1', '2', '3'].includes(v) },
  maxTokens: { values: 'a whole number of tokens', ok: (v) => /^\d+$/.test(v) },
  frames: { values: VIDEO_FRAME_CHOICES.map(String), ok: (v) => VIDEO_FRAME_CHOICES.some((c) => String(c) === v) },
  videoMinutes: {
    values: VIDEO_MINUTE_CHOICES.map(String),
    ok: (v) => VIDEO_MINUTE_CHOICES.some((c) => String(c) === v),
  },
});

/** "a, b or c". */
function oneOf(values: readonly string[] | string): string {
  if (typeof values === 'string') return values;
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/**
 * The URL parameters whose values the page does not understand, in plain
 * words, so a mistyped link is said rather than quietly replaced by the
 * defaults (the settings themselves take the default for each).
 */
export function urlSettingProblems(params: URLSearchParams): string[] {
  return Object.entries(ACCEPTED).flatMap(([name, accepted]) => {
    const value = params.get(name);
    if (value === null || accepted.ok(value)) return [];
    return [`${name} "${value}" is not ${oneOf(accepted.values)}`];
  });
}

/** The notice for a link with settings the page does not understand, or '' when it understood them all. */
export function urlSettingNotice(params: URLSearchParams): string {
  const problems = urlSettingProblems(params);
  if (problems.length === 0) return '';
  return `This link's settings were not all understood, so the defaults are used for these: ${problems.join('; ')}.`;
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
  // An explicit tier stays in the URL (balanced too, since the default became `auto`), so it stays that tier.
  if (settings.preset !== DEFAULT_PRESET_REQUEST) params.set('preset', settings.preset);
  for (const role of ROLES) {
    const override = settings.overrides[role];
    if (!override || override.kind === 'host') continue;
    params.set(role, override.repo);
    if (override.kind === 'repo') params.set('revision', override.revision ?? 'main');
  }
  const d = DEFAULT_SETTINGS;
  if (settings.device !== d.device) params.set('device', settings.device);
  if (settings.mode !== d.mode) params.set('mode', settings.mode);
  if (settings.style !== d.style) params.set('style', settings.style);
  if (settings.prompt !== d.prompt) params.set('prompt', settings.prompt);
  if (settings.language !== d.language) params.set('lang', settings.language);
  if (settings.domain !== d.domain) params.set('domain', settings.domain);
  if (settings.attempts !== d.attempts) params.set('attempts', String(settings.attempts));
  if (settings.minScore !== d.minScore) params.set('minScore', String(settings.minScore));
  if (settings.maxTokens !== d.maxTokens) params.set('maxTokens', String(settings.maxTokens));
  if (settings.videoFrames !== d.videoFrames) params.set('frames', String(settings.videoFrames));
  if (settings.videoMinutes !== d.videoMinutes) params.set('videoMinutes', String(settings.videoMinutes));
  return params;
}

/** True when the URL carries any setting (it then wins over the stored settings). */
export function urlHasSettings(params: URLSearchParams): boolean {
  return SETTING_PARAMS.some((p) => params.has(p));
}

/** The roles a mode needs loaded: CapFlow all three; single pass the router only while routing; prompt the VLM. */
export function rolesFor(settings: AppSettings): LoadableRole[] {
  switch (settings.mode) {
    case 'capflow':
      return ['vlm', 'llm', 'router'];
    case 'single-pass':
      return settings.domain === 'auto' ? ['vlm', 'router'] : ['vlm'];
    case 'prompt':
      return ['vlm'];
  }
}

/** The engine options for one item under these settings (`pinned` overrides the domain for a re-run). */
export function captionOptions(settings: AppSettings, pinned: DomainId | null): CapflowOptions {
  const domain = pinned ?? (settings.domain === 'auto' ? undefined : settings.domain);
  const maxNewTokens = settings.maxTokens || undefined;
  switch (settings.mode) {
    case 'capflow':
      return {
        mode: 'capflow',
        domain,
        style: settings.style,
        language: settings.language,
        judge: settings.attempts > 0 ? { attempts: settings.attempts, minScore: settings.minScore } : null,
        maxNewTokens,
      };
    case 'single-pass':
      return {
        mode: 'single-pass',
        domain,
        style: settings.style,
        language: settings.language,
        judge: null,
        maxNewTokens,
      };
    case 'prompt':
      return { mode: 'prompt', prompt: settings.prompt, judge: null, maxNewTokens };
  }
}
