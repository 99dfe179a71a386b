import { describe, expect, test } from 'vitest';
import {
  DEFAULT_SETTINGS,
  captionOptions,
  rolesFor,
  settingsFromUrl,
  urlSettingNotice,
  urlSettingProblems,
  settingsToUrl,
  urlHasSettings,
  videoSamplingOf,
} from '../../src/app/settings';
import { HUB_SOURCE, localModelPath, sourceLocation } from '../../src/shared/model-source';

describe('sourceLocation', () => {
  test('the hub uses transformers.js defaults', () => {
    expect(sourceLocation({ kind: 'hub' })).toEqual({
      host: 'https://huggingface.co/',
      pathTemplate: '{model}/resolve/{revision}/',
    });
  });
  test('a mirror is normalised to trailing slashes and a relative template', () => {
    expect(sourceLocation({ kind: 'host', host: 'https://models.example.org/hf', pathTemplate: '/{model}' })).toEqual({
      host: 'https://models.example.org/hf/',
      pathTemplate: '{model}/',
    });
  });
  test('a local path gets a trailing slash; anything but a site path is an error', () => {
    expect(localModelPath({ kind: 'local', path: '/models' })).toBe('/models/');
    expect(() => localModelPath({ kind: 'local', path: ' ' })).toThrow(/must be a path on this site/);
    expect(() => localModelPath({ kind: 'local', path: 'https://x.org/m/' })).toThrow(/use a custom host/);
  });
  test('bad hosts and templates are rejected with a specific message', () => {
    expect(() => sourceLocation({ kind: 'host', host: 'models', pathTemplate: '{model}/' })).toThrow(/not a URL/);
    expect(() => sourceLocation({ kind: 'host', host: 'ftp://x.org/', pathTemplate: '{model}/' })).toThrow(/http\(s\)/);
    expect(() => sourceLocation({ kind: 'host', host: 'https://x.org/', pathTemplate: 'models/' })).toThrow(
      /\{model\}/,
    );
  });
});

describe('settings in the URL', () => {
  test('defaults: hub, default preset, auto device, single pass, detailed, English, routing, judge once', () => {
    expect(settingsFromUrl(new URLSearchParams())).toEqual({
      source: HUB_SOURCE,
      // Issue 27: the default is the largest tier that fits the device.
      preset: 'auto',
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
      videoFrames: 8,
      videoMinutes: 10,
    });
    expect(settingsToUrl(DEFAULT_SETTINGS).toString()).toBe('');
    expect(urlHasSettings(new URLSearchParams('utm_source=x'))).toBe(false);
    expect(urlHasSettings(new URLSearchParams('lang=German'))).toBe(true);
  });
  test('how to caption round-trips; nonsense falls back to the defaults', () => {
    const params = new URLSearchParams({
      mode: 'capflow',
      style: 'alt',
      prompt: 'List the objects.',
      lang: 'German',
      domain: 'ui',
      attempts: '3',
      minScore: '2',
      maxTokens: '64',
    });
    const settings = settingsFromUrl(params);
    expect(settings).toMatchObject({
      mode: 'capflow',
      style: 'alt',
      language: 'German',
      domain: 'ui',
      attempts: 3,
      minScore: 2,
      maxTokens: 64,
    });
    expect(settingsToUrl(settings).toString()).toBe(params.toString());
    const bad = settingsFromUrl(
      new URLSearchParams({
        mode: 'fast',
        style: 'poem',
        domain: 'video',
        attempts: '99',
        minScore: '4',
        maxTokens: '-5',
        lang: ' ',
      }),
    );
    expect(bad).toMatchObject({
      mode: 'single-pass',
      style: 'detailed',
      domain: 'auto',
      attempts: 5,
      minScore: 3,
      maxTokens: 0,
      language: 'English',
    });
    expect(settingsFromUrl(new URLSearchParams({ mode: 'caption' })).mode).toBe('prompt');
    expect(settingsFromUrl(new URLSearchParams({ vlm: 'imported/my-vlm' })).overrides.vlm).toEqual({
      kind: 'imported',
      repo: 'imported/my-vlm',
    });
  });
  test('each mode loads only the roles it uses and asks the engine for what the settings say', () => {
    const base = DEFAULT_SETTINGS;
    expect(rolesFor({ ...base, mode: 'capflow' })).toEqual(['vlm', 'llm', 'router']);
    expect(rolesFor(base)).toEqual(['vlm', 'router']);
    expect(rolesFor({ ...base, domain: 'code' })).toEqual(['vlm']);
    expect(rolesFor({ ...base, mode: 'prompt' })).toEqual(['vlm']);
    expect(captionOptions({ ...base, mode: 'capflow', attempts: 3, minScore: 2, style: 'short' }, null)).toEqual({
      mode: 'capflow',
      domain: undefined,
      style: 'short',
      language: 'English',
      judge: { attempts: 3, minScore: 2 },
      maxNewTokens: undefined,
    });
    expect(captionOptions({ ...base, mode: 'capflow', attempts: 0 }, 'medical')).toMatchObject({
      judge: null,
      domain: 'medical',
    });
    expect(captionOptions({ ...base, domain: 'ui' }, 'code')).toMatchObject({
      mode: 'single-pass',
      domain: 'code',
      judge: null,
    });
    expect(captionOptions({ ...base, mode: 'prompt', prompt: 'Hi', maxTokens: 9 }, null)).toEqual({
      mode: 'prompt',
      prompt: 'Hi',
      judge: null,
      maxNewTokens: 9,
    });
  });
  test('round-trip a mirror, a custom repo and a device', () => {
    const params = new URLSearchParams({
      host: 'http://127.0.0.1:9/',
      template: '{model}/',
      preset: 'tiny',
      vlm: 'me/vlm',
      revision: 'v2',
      device: 'wasm',
    });
    const settings = settingsFromUrl(params);
    expect(settings.overrides.vlm).toEqual({ kind: 'repo', repo: 'me/vlm', revision: 'v2' });
    expect(settings.preset).toBe('tiny');
    expect(settingsToUrl(settings).toString()).toBe(params.toString());
  });
  test('a saved link to the old "light" preset opens the tiny tier; an unknown preset the default', () => {
    expect(settingsFromUrl(new URLSearchParams({ preset: 'light' })).preset).toBe('tiny');
    expect(settingsFromUrl(new URLSearchParams({ preset: 'quality' })).preset).toBe('quality');
    expect(settingsFromUrl(new URLSearchParams({ preset: 'huge' })).preset).toBe(DEFAULT_SETTINGS.preset);
  });
  test('video frames and length round-trip; a value the page does not offer is the default', () => {
    const settings = settingsFromUrl(new URLSearchParams({ frames: '16', videoMinutes: '30' }));
    expect([settings.videoFrames, settings.videoMinutes]).toEqual([16, 30]);
    expect(videoSamplingOf(settings)).toEqual({ frames: 16, maxSeconds: 1800 });
    expect(settingsToUrl(settings).toString()).toBe('frames=16&videoMinutes=30');
    const odd = settingsFromUrl(new URLSearchParams({ frames: '7', videoMinutes: 'lots' }));
    expect([odd.videoFrames, odd.videoMinutes]).toEqual([8, 10]);
  });
  test('a local models folder', () => {
    const settings = settingsFromUrl(new URLSearchParams({ local: '/models/' }));
    expect(settings.source).toEqual({ kind: 'local', path: '/models/' });
    expect(settingsToUrl(settings).toString()).toBe('local=%2Fmodels%2F');
  });
  test('an unknown device or preset falls back to the default', () => {
    expect(settingsFromUrl(new URLSearchParams({ device: 'tpu' })).device).toBe('auto');
    expect(settingsFromUrl(new URLSearchParams({ preset: 'toString' })).preset).toBe('auto');
  });
});

test('every loadable role can be overridden from the URL', () => {
  const settings = settingsFromUrl(new URLSearchParams({ llm: 'me/llm', router: 'me/clip' }));
  expect(settings.overrides).toEqual({
    llm: { kind: 'repo', repo: 'me/llm', revision: 'main' },
    router: { kind: 'repo', repo: 'me/clip', revision: 'main' },
  });
});

describe('a link with settings the page does not understand', () => {
  test('each one is named in plain words; the settings take their defaults', () => {
    const params = new URLSearchParams('preset=balancd&device=gpu&mode=capflow&frames=7&attempts=two&style=short');
    expect(urlSettingProblems(params)).toEqual([
      'preset "balancd" is not auto, tiny, balanced or quality',
      'device "gpu" is not auto, webgpu or wasm',
      'attempts "two" is not a whole number',
      'frames "7" is not 4, 8, 12 or 16',
    ]);
    expect(urlSettingNotice(params)).toMatch(
      /^This link's settings were not all understood, so the defaults are used for these: preset "balancd"/,
    );
    const settings = settingsFromUrl(params);
    expect([settings.preset, settings.device, settings.mode, settings.style]).toEqual([
      'auto',
      'auto',
      'capflow',
      'short',
    ]);
  });
  test('a link the page understands, or none, says nothing', () => {
    expect(urlSettingNotice(new URLSearchParams('preset=light&mode=caption&domain=auto&minScore=2'))).toBe('');
    expect(urlSettingNotice(new URLSearchParams())).toBe('');
  });
});

describe('preset=auto (issue 27)', () => {
  test('auto is the default and stays out of the URL; an explicit tier, balanced included, stays that tier', () => {
    expect(settingsFromUrl(new URLSearchParams({ preset: 'auto' })).preset).toBe('auto');
    expect(settingsToUrl(DEFAULT_SETTINGS).has('preset')).toBe(false);
    const balanced = settingsFromUrl(new URLSearchParams({ preset: 'balanced' }));
    expect(balanced.preset).toBe('balanced');
    expect(settingsToUrl(balanced).get('preset')).toBe('balanced');
    expect(urlSettingProblems(new URLSearchParams({ preset: 'auto' }))).toEqual([]);
  });
});
