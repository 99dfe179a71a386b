/**
 * The bundled OCR's download plan needs no network: its files' sizes are
 * recorded when the bundle is built (issue 25: offline, under the service
 * worker, the plan said "Sizes could not be checked" because of the OCR
 * row alone). A model host that cannot be reached is still said.
 */
import { statSync } from 'node:fs';
import { expect, test } from 'vitest';
import { OCR_ASSET_FILES } from '../../src/cli/ocr-files';
import { planDownload, planRole, type PlanContext } from '../../src/models/cache/download-plan';
import type { WeightCache } from '../../src/models/cache/weight-cache';
import { OcrTool } from '../../src/models/ocr/ocr-tool';
import { type AssetLocations, OCR_ASSETS, OCR_ASSET_BYTES } from '../../src/models/runtime/assets';
import { TINY_VLM } from '../fixtures/specs';

const APP = 'http://app.test/';
const assets: AssetLocations = {
  ortMjs: `${APP}assets/ort.mjs`,
  ortWasm: `${APP}assets/ort.wasm`,
  ocr: (n) => `${APP}ocr/${n}`,
};

/** Offline: every request fails as fetch fails without a network; the weight cache holds `stored`. */
function offline(stored: Readonly<Record<string, number>> = {}) {
  const requests: string[] = [];
  const cache = {
    storedSize: async (url: string) => stored[url] ?? null,
    storedFiles: async () => [],
    match: async () => undefined,
  } as unknown as WeightCache;
  const ctx: PlanContext = {
    cache,
    defaultSource: { kind: 'host', host: 'http://hub.test/', pathTemplate: '{model}/resolve/{revision}/' },
    fetch: async (input) => {
      requests.push(String(input));
      throw new TypeError('Failed to fetch');
    },
    sizes: new Map(),
  };
  return { ctx, requests };
}

function ocrTool(): OcrTool {
  return new OcrTool({
    cache: () => {
      throw new Error('planning reads the cache from its context');
    },
    assets: () => assets,
    runtimeReady: async () => {},
    now: () => 0,
  });
}

test('the build records the size of every bundled OCR file, from the files it ships', () => {
  expect(Object.keys(OCR_ASSET_BYTES)).toEqual([...OCR_ASSETS]);
  for (const name of OCR_ASSETS) expect(OCR_ASSET_BYTES[name], name).toBe(statSync(OCR_ASSET_FILES[name]).size);
});

test('offline, the OCR plan is exact without a single request; what the cache holds counts as on this device', async () => {
  const { ctx, requests } = offline({ [`${APP}ocr/keys.txt`]: 26_249 });
  const plan = await ocrTool().plan(ctx);
  expect(requests).toEqual([]);
  expect(plan.problem).toBeNull();
  expect(plan.files).toEqual(
    OCR_ASSETS.map((name) =>
      name === 'keys.txt'
        ? { path: name, bytes: 26_249, cached: true }
        : { path: name, bytes: OCR_ASSET_BYTES[name], cached: false },
    ),
  );
  const total = OCR_ASSETS.reduce((sum, n) => sum + (OCR_ASSET_BYTES[n] ?? 0), 0);
  expect(plan.downloadBytes).toBe(total - 26_249);
  const whole = await planDownload(ctx, 'wasm', [], [Promise.resolve(plan)]);
  expect(whole).toMatchObject({ exact: true, downloadBytes: total - 26_249, cachedBytes: 26_249 });
});

test('a model host that cannot be reached is still said: the plan is not exact', async () => {
  const { ctx, requests } = offline();
  const vlm = planRole(ctx, { role: 'vlm', spec: TINY_VLM }, 'wasm', TINY_VLM.dtypes.wasm);
  const whole = await planDownload(ctx, 'wasm', [], [vlm, ocrTool().plan(ctx)]);
  expect(whole.exact).toBe(false);
  expect(whole.roles.map((r) => [r.role, r.problem])).toEqual([
    ['vlm', expect.stringMatching(/^sizes unknown: .*Failed to fetch/)],
    ['ocr', null],
  ]);
  expect(requests).toEqual(['http://hub.test/forge/tiny-smolvlm/resolve/main/config.json']);
});
