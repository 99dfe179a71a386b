/**
 * The OCR tool in the worker on onnxruntime-web (WASM): weights served by
 * the app itself, and the same text as the Node reference for every sample.
 */
import { afterAll, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { createCaptioner } from '../../src/client/captioner';
import { OCR_SCENES } from '../fixtures/ocr-scenes';
import { OCR_SAMPLES } from '../fixtures/ocr-samples';

const captioner = createCaptioner();
afterAll(() => captioner.dispose());

const pngBlob = (png: string) => new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' });

test(`Chromium (WASM) reads the same text as Node on all ${OCR_SAMPLES.length} samples, from files the app serves`, async () => {
  await commands.takeModelRequests();
  for (let i = 0; i < OCR_SAMPLES.length; i++) {
    const { png, node } = await commands.ocrSample(i);
    const result = await captioner.readText({ image: pngBlob(png), name: `sample-${i}.png`, device: 'wasm' });
    expect(result.device).toBe('wasm');
    expect(
      result.lines.map((l) => l.text),
      `sample ${i}`,
    ).toEqual(node);
  }
  const listed = await captioner.cache.list();
  expect(listed.find((m) => m.repo === 'PP-OCRv4 (bundled)')).toMatchObject({ complete: true, files: 3 });
  expect(await commands.takeModelRequests(), 'OCR needs nothing from the model hub').toEqual([]);
}, 300_000);

test(`Chromium (WASM) reads the same text as Node on all ${OCR_SCENES.length} harder scenes`, async () => {
  for (let i = 0; i < OCR_SCENES.length; i++) {
    const { png, name, node } = await commands.ocrScene(i);
    const result = await captioner.readText({ image: pngBlob(png), name: `${name}.png`, device: 'wasm' });
    expect(
      result.lines.map((l) => l.text),
      name,
    ).toEqual(node);
  }
}, 300_000);
