/**
 * Offline on the built site. After one online visit the service worker has
 * the app shell, the worker, the ORT runtime and the OCR models, and the
 * weight cache has the models: with the network off the page opens and
 * captions. Without a service worker, a page opened online and then cut
 * off still loads its cached models (the worker fetched the runtime at
 * start, not on first use).
 */
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type Harness, addFiles, card, forgeParams, freshPage, pngFile, useHarness, waitForStatus } from './harness';

let h: Harness;
useHarness((started) => (h = started));

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
