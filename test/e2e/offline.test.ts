/**
 * Offline on the built site. After one online visit the service worker has
 * the app shell, the worker, the ORT runtime and the OCR models, and the
 * weight cache has the models: with the network off the page opens and
 * captions. Without a service worker, a page opened online and then cut
 * off still loads its cached models (the worker fetched the runtime at
 * start, not on first use).
 */
import { statSync } from 'node:fs';
import { expect, test } from 'vitest';
import { OCR_ASSET_FILES } from '../../src/cli/ocr-files';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type Harness, addFiles, card, forgeParams, freshPage, pngFile, useHarness, waitForStatus } from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** The bundled OCR model's files, as the build ships them. */
const OCR_BYTES = Object.values(OCR_ASSET_FILES).reduce((sum, file) => sum + statSync(file).size, 0);

test('after one online visit the page opens and captions with the network off', async () => {
  const page = await freshPage(h);
  const url = h.url(forgeParams(h.models));
  await page.goto(url);
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await waitForStatus(page, 'red.png', 'done');
  // The service worker controls the page once it has precached the shell.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
  expect(await page.evaluate(() => fetch('/manifest.webmanifest').then((r) => r.json()))).toMatchObject({
    name: expect.stringContaining('MetaCaptioner'),
    icons: expect.arrayContaining([expect.objectContaining({ sizes: '512x512' })]),
  });
  await expect.poll(() => page.locator('mc-app[data-plans="settled"]:not([data-planning])').count()).toBe(1);

  await page.context().setOffline(true);
  const before = h.models.requests.length;
  await page.reload();
  await expect.poll(() => page.getByRole('heading', { name: 'MetaCaptioner' }).count()).toBe(1);
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  await addFiles(page, [pngFile('green.png', [10, 200, 40])]);
  await waitForStatus(page, 'green.png', 'done');
  expect(await card(page, 'green.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.green);
  expect(await page.getByTestId('ready').textContent()).toContain('loaded from this device');
  expect(h.models.requests.slice(before), 'nothing reached the model server').toEqual([]);
  await page.context().close();
});

test('a page opened online and then cut off still loads its cached models, without a service worker', async () => {
  const page = await freshPage(h, { serviceWorkers: 'block' });
  const url = h.url(forgeParams(h.models));
  await page.goto(url);
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await waitForStatus(page, 'red.png', 'done');
  // A new visit: a new worker, models not loaded yet, weights in the cache. Then the network goes.
  await page.reload();
  await expect.poll(async () => (await page.getByTestId('device').textContent())?.trim()).toMatch(/^Runs on the /);
  // The page probes every preset's download size on open; those requests must end before the cut.
  await expect.poll(() => page.locator('mc-app[data-plans="settled"]:not([data-planning])').count()).toBe(1);
  await page.context().setOffline(true);
  const before = h.models.requests.length;
  await addFiles(page, [pngFile('blue.png', [20, 30, 220])]);
  await waitForStatus(page, 'blue.png', 'done');
  expect(await card(page, 'blue.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.blue);
  expect(h.models.requests.slice(before)).toEqual([]);
  await page.context().close();
});

test('offline under the service worker, the CapFlow plan knows the bundled OCR’s size: no false “could not be checked”', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow' })));
  // A CapFlow caption puts the VLM, the summary LLM and the router in the weight cache; the OCR loads only
  // for domains that read text, so its files stay to download, and only their size can tell the plan.
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await waitForStatus(page, 'red.png', 'done');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
  await expect.poll(() => page.locator('mc-app[data-plans="settled"]:not([data-planning])').count()).toBe(1);

  await page.context().setOffline(true);
  await page.reload();
  await expect.poll(() => page.locator('mc-app[data-plans="settled"]:not([data-planning])').count()).toBe(1);
  await page.getByTestId('settings-toggle').click();
  const ocr = page.getByTestId('plan').locator('li[data-role="ocr"] [data-bytes]');
  await expect.poll(() => ocr.getAttribute('data-bytes')).toBe(String(OCR_BYTES));
  const total = page.getByTestId('plan-total');
  expect(await total.getAttribute('data-bytes')).toBe(String(OCR_BYTES));
  expect(await total.textContent()).not.toMatch(/could not be checked/);
  expect(await total.textContent()).toMatch(/This choice downloads\s+16 MB\s+once/);
  await page.context().close();
});
