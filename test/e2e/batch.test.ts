/**
 * The page as a batch workbench on the built site: a folder with good,
 * corrupt and non-image files, per-file errors that never disturb the
 * others, cancel one, cancel all, retry; drop and paste as ways in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { damagedPng, solidPng } from '../support/png';
import {
  ENDLESS,
  type Harness,
  addFiles,
  card,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  useHarness,
  waitForStatus,
  itemError,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** A folder on disk: three images (one in a subfolder), a corrupt PNG and a text file. */
function writeFolder(): string {
  const dir = join(h.root, 'holiday');
  mkdirSync(join(dir, 'day2'), { recursive: true });
  writeFileSync(join(dir, 'a-red.png'), solidPng(230, 20, 30));
  writeFileSync(join(dir, 'b-green.png'), solidPng(10, 200, 40));
  writeFileSync(join(dir, 'day2', 'c-blue.png'), solidPng(20, 30, 220));
  // A PNG damaged in the middle: passes the header checks, fails to decode.
  writeFileSync(join(dir, 'd-broken.png'), damagedPng());
  // A PNG cut short: refused from its bytes, before any decoding.
  writeFileSync(join(dir, 'e-cut.png'), solidPng(1, 2, 3).subarray(0, 40));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  return dir;
}

const captionOf = (page: Page, name: string) => card(page, name).getByTestId('caption').inputValue();
const errorOf = itemError;

test('a folder of images, a corrupt file and a text file: exact captions, one error per file, cancel and retry', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  await screenshot(page, 'empty');
  await page.getByTestId('folder-input').setInputFiles(writeFolder());
  // Cancel the blue image while it waits for the models.
  await card(page, 'c-blue.png').getByRole('button', { name: 'Cancel c-blue.png' }).click();
  await waitForStatus(page, 'a-red.png', 'done');
  await waitForStatus(page, 'b-green.png', 'done');
  await waitForStatus(page, 'd-broken.png', 'failed');
  expect(await captionOf(page, 'a-red.png')).toBe(TINY_VLM_CAPTIONS.red);
  expect(await captionOf(page, 'b-green.png')).toBe(TINY_VLM_CAPTIONS.green);
  expect(await card(page, 'c-blue.png').getAttribute('data-status')).toBe('cancelled');
  expect(await errorOf(page, 'd-broken.png')).toMatch(
    /ImageDecodeError\s+Could not decode "holiday\/d-broken.png" as a PNG \(.*\); the file may be damaged\./,
  );
  expect(await card(page, 'e-cut.png').getAttribute('data-status')).toBe('refused');
  expect(await errorOf(page, 'e-cut.png')).toMatch(/UnsupportedFileError\s+"e-cut.png" is a truncated PNG/);
  expect(await card(page, 'notes.txt').getAttribute('data-status')).toBe('refused');
  expect(await errorOf(page, 'notes.txt')).toMatch(/"notes.txt" is a text file, not an image\./);
  expect(await page.getByTestId('counts').textContent()).toBe('2 of 6 done · 1 failed · 1 cancelled · 2 refused');
  await screenshot(page, 'results');

  // Retry the cancelled image: it captions; retry the failed one: it runs again and fails the same way.
  await card(page, 'c-blue.png').getByRole('button', { name: 'Retry c-blue.png' }).click();
  await waitForStatus(page, 'c-blue.png', 'done');
  expect(await captionOf(page, 'c-blue.png')).toBe(TINY_VLM_CAPTIONS.blue);
  await page.getByTestId('retry-failed').click();
  await expect.poll(() => page.getByTestId('announcer').textContent()).toMatch(/d-broken.png: failed/);
  await waitForStatus(page, 'd-broken.png', 'failed');
  // The others are undisturbed.
  expect(await captionOf(page, 'a-red.png')).toBe(TINY_VLM_CAPTIONS.red);
  expect(await page.getByTestId('counts').textContent()).toBe('3 of 6 done · 1 failed · 2 refused');
  await page.context().close();
});

test('cancel one running item, then cancel all', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, ENDLESS)));
  await addFiles(page, [
    pngFile('1-one.png', [230, 20, 30]),
    pngFile('2-two.png', [10, 200, 40]),
    pngFile('3-three.png', [20, 30, 220]),
  ]);
  // The endless model keeps writing: cancel the first while its text streams in.
  await expect
    .poll(() => card(page, '1-one.png').getByTestId('streamed').textContent(), { timeout: 60_000 })
    .toContain('RSTUVWXYZ.');
  await screenshot(page, 'running');
  await card(page, '1-one.png').getByRole('button', { name: 'Cancel 1-one.png' }).click();
  await waitForStatus(page, '1-one.png', 'cancelled');
  await waitForStatus(page, '2-two.png', 'running');
  await page.getByTestId('cancel-all').click();
  await waitForStatus(page, '2-two.png', 'cancelled');
  await waitForStatus(page, '3-three.png', 'cancelled');
  expect(await page.getByTestId('counts').textContent()).toMatch(/^0 of 3 done · 3 cancelled/);
  await page.context().close();
});

test('dropping files anywhere on the page and pasting an image add them too', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  const red = [...solidPng(230, 20, 30)];
  const blue = [...solidPng(20, 30, 220)];
  await page.evaluate(
    ({ redBytes, blueBytes }) => {
      const main = document.querySelector('mc-app')?.shadowRoot?.querySelector('main');
      const dropped = new DataTransfer();
      dropped.items.add(new File([new Uint8Array(redBytes)], 'dropped.png', { type: 'image/png' }));
      main?.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      const pasted = new DataTransfer();
      pasted.items.add(new File([new Uint8Array(blueBytes)], 'image.png', { type: 'image/png' }));
      document.body.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }),
      );
    },
    { redBytes: red, blueBytes: blue },
  );
  await waitForStatus(page, 'dropped.png', 'done');
  expect(await card(page, 'dropped.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  const pasted = page
    .locator('li[data-id]')
    .filter({ has: page.getByRole('heading', { name: /^pasted-\d{4}-\d{2}-\d{2}T[\d-]+\.png$/ }) });
  await expect.poll(() => pasted.getAttribute('data-status')).toBe('done');
  expect(await pasted.getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.blue);
  await page.context().close();
});
