import { describe, expect, test } from 'vitest';
import { settingsFromUrl, settingsToUrl } from '../../src/app/settings';
import { HUB_SOURCE, sourceLocation } from '../../src/shared/model-source';
import { DEFAULT_VLM } from '../../src/shared/presets';

describe('sourceLocation', () => {
  test('the hub uses transformers.js defaults', () => {
    expect(sourceLocation(HUB_SOURCE)).toEqual({
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
  test('bad hosts and templates are rejected with a specific message', () => {
    expect(() => sourceLocation({ kind: 'host', host: 'models', pathTemplate: '{model}/' })).toThrow(/not a URL/);
    expect(() => sourceLocation({ kind: 'host', host: 'ftp://x.org/', pathTemplate: '{model}/' })).toThrow(/http\(s\)/);
    expect(() => sourceLocation({ kind: 'host', host: 'https://x.org/', pathTemplate: 'models/' })).toThrow(/\{model\}/);
  });
});

describe('settings in the URL', () => {
  test('defaults: hub, default VLM, auto device', () => {
    expect(settingsFromUrl(new URLSearchParams())).toEqual({ source: HUB_SOURCE, vlm: DEFAULT_VLM, device: 'auto' });
  });
  test('round-trip a mirror, a custom repo and a device', () => {
    const params = new URLSearchParams({ host: 'http://127.0.0.1:9/', template: '{model}/', vlm: 'me/vlm', revision: 'v2', device: 'wasm' });
    const settings = settingsFromUrl(params);
    expect(settings.vlm).toMatchObject({ repo: 'me/vlm', revision: 'v2', family: DEFAULT_VLM.family });
    expect(settingsToUrl(settings).toString()).toBe(params.toString());
  });
  test('an unknown device falls back to auto', () => {
    expect(settingsFromUrl(new URLSearchParams({ device: 'tpu' })).device).toBe('auto');
  });
});
