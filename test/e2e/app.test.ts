/**
 * The built site, served by the same preview server `npm start` uses, in
 * headless Chromium: the page reports the device it found and captions an
 * image end to end from a local model server, with no request leaving
 * localhost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forgeAll } from '../fixtures/forge/models';
import { TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { chromiumArgs, chromiumPath } from '../support/chromium';
import { type ModelServer, startModelServer } from '../support/model-server';
import { type NetworkGuard, startNetworkGuard } from '../support/network-guard';
import { solidPng } from '../support/png';
import { serveFolder } from '../support/serve-folder';

let root: string;
let models: ModelServer;
let guard: NetworkGuard;
let site: PreviewServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-e2e-'));
  forgeAll(join(root, 'forge'), { dtypes: ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] });
  models = await startModelServer(root);
  guard = await startNetworkGuard();
  site = await preview({
    preview: { port: 0, host: '127.0.0.1' },
    logLevel: 'warn',
    // Models self-hosted next to the app, for the `local` source: <site>/models/<org>/<name>/…
    plugins: [serveFolder('/models/', root)],
  });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(guard.port) });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await models?.close();
  await guard?.close();
  rmSync(root, { recursive: true, force: true });
  expect(guard.appRequests(), 'requests to non-localhost hosts').toEqual([]);
});

/** Picks an image file of one colour in the page's file input. */
function dropImage(on: Page, name: string, [r, g, b]: readonly [number, number, number]): Promise<void> {
  return on.getByTestId('file-input').setInputFiles({ name, mimeType: 'image/png', buffer: solidPng(r, g, b) });
}

/** The load status line ("Ready on … in … s"), trimmed. */
function readyText(on: Page): Promise<string | undefined> {
  return on
    .getByTestId('ready')
    .textContent()
    .then((t) => t?.trim());
}

function appUrl(params: Record<string, string>): string {
  const base = site.resolvedUrls?.local[0];
  if (!base) throw new Error('preview server has no local URL');
  return `${base}?${new URLSearchParams(params)}`;
}

test('the page shows the device it found and captions a dropped image', async () => {
  const resp = await page.goto(appUrl({ host: models.url, vlm: TINY_VLM.repo, revision: 'main' }));
  // Cross-origin isolation (threaded WASM) needs these; Playwright's Chromium flags keep
  // site isolation off, so `crossOriginIsolated` itself stays false here.
  expect(await resp?.allHeaders()).toMatchObject({
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  await expect
    .poll(() =>
      page
        .getByTestId('device')
        .textContent()
        .then((t) => t?.trim()),
    )
    .toMatch(/^WebGPU: .*no shader-f16/);

  await dropImage(page, 'red.png', [230, 20, 30]);
  const caption = page.getByTestId('caption');
  await expect.poll(() => caption.inputValue(), { timeout: 120_000 }).toBe(TINY_VLM_CAPTIONS.red);
  await expect.poll(() => readyText(page)).toContain('webgpu');
  // The default preset's WebGPU plan without shader-f16: fp32 vision/embeddings, q4 decoder.
  const fetched = models.requests.map((r) => r.path.split('/').pop());
  expect(fetched).toEqual(
    expect.arrayContaining(['vision_encoder.onnx', 'embed_tokens.onnx', 'decoder_model_merged_q4.onnx']),
  );
  expect(fetched.filter((f) => f?.includes('f16'))).toEqual([]);
});

test('a file that is not an image gets a clear error and keeps earlier captions', async () => {
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hi') });
  await expect.poll(() => page.getByRole('alert').textContent()).toContain('"notes.txt" is not an image');
  expect(await page.getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
});

test('a second visit works offline from the cache, and the cache panel lists and deletes the model', async () => {
  models.faults.offline = true;
  const before = models.requests.length;
  try {
    await page.reload();
    await dropImage(page, 'green.png', [10, 200, 40]);
    await expect
      .poll(() => page.getByTestId('caption').first().inputValue(), { timeout: 60_000 })
      .toBe(TINY_VLM_CAPTIONS.green);
    await expect.poll(() => readyText(page)).toMatch(/\(from cache\)$/);
    expect(models.requests.slice(before), 'no request reached the model server').toEqual([]);

    await page.getByText('Models on this device').click();
    const listed = page.getByTestId('cached-models').locator('li');
    await expect.poll(() => listed.allTextContents()).toEqual([expect.stringContaining(TINY_VLM.repo)]);
    await listed.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => listed.count()).toBe(0);
  } finally {
    models.faults.offline = false;
  }
});

test('a running caption can be cancelled from the page', async () => {
  const endless = await browser.newPage();
  try {
    await endless.goto(appUrl({ host: models.url, vlm: 'forge/tiny-smolvlm-endless', device: 'wasm' }));
    await dropImage(endless, 'red.png', [230, 20, 30]);
    await expect.poll(() => endless.getByTestId('caption').inputValue(), { timeout: 60_000 }).toContain('RSTUVWXYZ.');
    await endless.getByTestId('cancel').click();
    await expect.poll(() => endless.locator('li[data-status]').getAttribute('data-status')).toBe('cancelled');
  } finally {
    await endless.close();
  }
});

test('CapFlow mode on the page: routing, agents, summary and judge for a dropped image', async () => {
  const capflow = await browser.newPage();
  try {
    await capflow.goto(
      appUrl({
        host: models.url,
        vlm: TINY_VLM.repo,
        llm: 'forge/tiny-qwen3',
        router: 'forge/tiny-clip',
        mode: 'capflow',
        device: 'wasm',
      }),
    );
    await dropImage(capflow, 'red.png', [230, 20, 30]);
    // Every agent of the chosen workflow notes "RSTUVWXYZ." for red; the tiny summary LLM follows the R's.
    await expect
      .poll(() => capflow.getByTestId('caption').inputValue(), { timeout: 90_000 })
      .toBe(TINY_VLM_CAPTIONS.red);
    await expect
      .poll(() => capflow.locator('li[data-status] small').textContent())
      .toMatch(/\((zero-shot|vlm|zero-shot-fallback)\) · \d+ steps · [\d.]+ s · judge/);
  } finally {
    await capflow.close();
  }
});

test('models self-hosted next to the app load through the local source', async () => {
  const local = await browser.newPage();
  try {
    await local.goto(appUrl({ local: '/models/', vlm: TINY_VLM.repo, device: 'wasm' }));
    await dropImage(local, 'blue.png', [20, 30, 220]);
    await expect
      .poll(() => local.getByTestId('caption').inputValue(), { timeout: 60_000 })
      .toBe(TINY_VLM_CAPTIONS.blue);
    await expect.poll(() => readyText(local)).toContain('wasm');
  } finally {
    await local.close();
  }
});

test('the network guard really records and refuses requests that leave localhost', async () => {
  const probe = await browser.newPage();
  try {
    await probe.goto(appUrl({}));
    const outcome = await probe.evaluate(() =>
      fetch('https://cdn.jsdelivr.net/npm/onnxruntime-web/package.json').then(
        (r) => `status ${r.status}`,
        (e: unknown) => `failed: ${String(e)}`,
      ),
    );
    expect(outcome).toMatch(/^failed/);
    expect(guard.takeAppRequests()).toEqual(['cdn.jsdelivr.net:443']);
  } finally {
    await probe.close();
  }
});
