/**
 * Videos on the built site: a video recorded in this Chromium (canvas +
 * MediaRecorder, as a screen recording is made) is added like any file,
 * its frames are sampled on the device, the card shows a poster and the
 * frames used; a damaged video fails with its own error and the rest of
 * the batch is untouched.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidPng } from '../support/png';
import { type Harness, addFiles, card, forgeParams, freshPage, screenshot, useHarness, waitForStatus } from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** Records about `seconds` of a canvas turning from red to blue, as WebM (VP8). */
async function recordedWebm(page: Page, seconds: number): Promise<Buffer> {
  const bytes = await page.evaluate(async (ms) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    const paint = (colour: string) => {
      ctx.fillStyle = colour;
      ctx.fillRect(0, 0, 64, 48);
    };
    paint('#e01010');
    const recorder = new MediaRecorder(canvas.captureStream(20), { mimeType: 'video/webm;codecs=vp8' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    const started = performance.now();
    recorder.start();
    // Repainted often, so the stream keeps producing frames.
    const timer = setInterval(() => paint(performance.now() - started < ms / 2 ? '#e01010' : '#1020e0'), 25);
    await new Promise((resolve) => setTimeout(resolve, ms));
    clearInterval(timer);
    recorder.stop();
    await stopped;
    return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
  }, seconds * 1000);
  return Buffer.from(bytes);
}

test('a video is captioned from frames sampled on the device; a damaged one fails alone', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { frames: '4' })));
  const webm = await recordedWebm(page, 2);
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
  expect(await card(page, 'cut.webm').getByTestId('item-error').textContent()).toMatch(
    /VideoDecodeError\s+Could not read "cut.webm" as a video: /,
  );
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  await page.setViewportSize({ width: 320, height: 900 });
  await screenshot(page, 'video-320-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'video-320-dark');
  await page.context().close();
});
