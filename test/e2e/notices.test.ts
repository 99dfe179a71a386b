/**
 * Fallbacks are said on the page, never quiet: a link with settings the
 * page does not understand and a session that cannot be read back each
 * show a notice in plain words (a plan that fails: test/browser/plan-states.test.ts).
 */
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import {
  type Harness,
  addFiles,
  card,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

test('a mistyped link names each setting it could not use', async () => {
  const page = await freshPage(h, { viewport: { width: 320, height: 640 }, colorScheme: 'dark' });
  await page.goto(h.url(forgeParams(h.models, { preset: 'balancd', frames: '7' })));
  await expect
    .poll(() => page.getByTestId('notice').textContent())
    .toMatch(
      /defaults are used for these: preset "balancd" is not auto, tiny, balanced or quality; frames "7" is not 4, 8, 12 or 16/,
    );
  await screenshot(page, 'notice-link-320-dark');
});

test('a session that cannot be read back is said, and the page still works', async () => {
  const page = await freshPage(h);
  // The session store's reads fail, as with a damaged database.
  await page.addInitScript(() => {
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (...args) {
      if (this.name === 'items') throw new DOMException('The stored items could not be read.', 'DataError');
      return getAll.apply(this, args);
    };
  });
  await page.goto(h.url(forgeParams(h.models)));
  await expect
    .poll(() => page.getByTestId('notice').textContent())
    .toMatch(/Your last session could not be restored \(.*The stored items could not be read\.\)\. It is still stored/);
});

// Issue 25: on SwiftShader an OCR-routed screenshot took 306 s on WebGPU and 10.4 s on WASM.
test('automatic passes over the software WebGPU adapter (SwiftShader here): the device line, a notice and the model status say why', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { device: 'auto' })));
  const why = 'the WebGPU adapter (google swiftshader) is a software fallback adapter, slower than WASM';
  const escaped = why.replace(/[()]/g, '\\$&');
  await expect
    .poll(async () => (await page.getByTestId('device').textContent())?.trim())
    .toBe('Runs on the CPU: the GPU here is a slow software emulation (it stays a choice in the settings)');
  expect(await page.getByTestId('device').getAttribute('title')).toMatch(
    new RegExp(`automatic picks wasm \\(${escaped}\\)$`),
  );
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await waitForStatus(page, 'red.png', 'done');
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  expect(await page.getByTestId('notice').textContent()).toContain(
    `Automatic device: WASM (CPU), because ${why}. Ask for WebGPU to use it anyway.`,
  );
  expect(await page.getByTestId('ready').textContent()).toMatch(
    new RegExp(`running on the CPU\\. Automatic chose it: ${escaped}\\.`),
  );
  await page.context().close();
});
