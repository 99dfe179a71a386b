/**
 * Videos on the built site: a video recorded by Chromium (canvas +
 * MediaRecorder, as a screen recording is made) is added like any file,
 * its frames are sampled on the device, the card shows a poster and the
 * frames used; a damaged video fails with its own error and the rest of
 * the batch is untouched.
 */
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidPng } from '../support/png';
import {
  type Harness,
  addFiles,
  card,
  forgeParams,
  freshPage,
  redBlueClip,
  screenshot,
  useHarness,
  waitForStatus,
  itemError,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

test('a video is captioned from frames sampled on the device; a damaged one fails alone', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { frames: '4' })));
  const webm = redBlueClip();
  await addFiles(page, [
    { name: 'clip.webm', mimeType: 'video/webm', buffer: webm },
    { name: 'cut.webm', mimeType: 'video/webm', buffer: webm.subarray(0, 200) },
    { name: 'red.png', mimeType: 'image/png', buffer: Buffer.from(solidPng(230, 20, 30)) },
  ]);
  await waitForStatus(page, 'clip.webm', 'done');
  await waitForStatus(page, 'cut.webm', 'failed');
  await waitForStatus(page, 'red.png', 'done');
  const clip = card(page, 'clip.webm');
  // Four even frames; the red-to-blue cut adds none (both halves already have frames).
  expect(await clip.getByTestId('frames').textContent()).toMatch(
    /^\s*4 frames, at \d\.\d s, \d\.\d s, \d\.\d s, \d\.\d s\s*$/,
  );
  expect(await clip.getByTestId('domain').textContent()).toMatch(/^video & temporal/);
  expect(await clip.locator('video.thumb').count()).toBe(1);
  expect(await itemError(page, 'cut.webm')).toMatch(/VideoDecodeError\s+Could not read "cut.webm" as a video: /);
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  await page.setViewportSize({ width: 320, height: 900 });
  await screenshot(page, 'video-320-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'video-320-dark');
  await page.context().close();
});
