/**
 * The OCR tool in the worker on onnxruntime-web (WASM): weights served by
 * the app itself, and the same lines (text and reading direction) as the
 * Node reference for every sample.
 */
import { afterAll, expect, inject, test } from 'vitest';
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
      result.lines.map((l) => ({ text: l.text, angle: l.angle })),
      `sample ${i}`,
    ).toEqual(node);
  }
  const listed = await captioner.cache.list();
  expect(listed.find((m) => m.repo === 'PP-OCRv4 (bundled)')).toMatchObject({ complete: true, files: 4 });
  expect(await commands.takeModelRequests(), 'OCR needs nothing from the model hub').toEqual([]);
}, 300_000);

test(`Chromium (WASM) reads the same text as Node on all ${OCR_SCENES.length} harder scenes`, async () => {
  for (let i = 0; i < OCR_SCENES.length; i++) {
    const { png, name, node } = await commands.ocrScene(i);
    const result = await captioner.readText({ image: pngBlob(png), name: `${name}.png`, device: 'wasm' });
    expect(
      result.lines.map((l) => ({ text: l.text, angle: l.angle })),
      name,
    ).toEqual(node);
  }
}, 300_000);

/**
 * WebGPU here is SwiftShader, a CPU emulation that compiles a pipeline for
 * every new tensor shape: about a minute an image. So CI reads one scene
 * that takes every path the OCR has — labels upside down (the orientation
 * classifier), reading up or down the side (a quarter turn) and tilted (the
 * general resampler) — and `MC_OCR_WEBGPU_ALL=1 npx vitest run --project
 * browser test/browser/ocr.test.ts -t WebGPU` reads all of them (hours).
 */
test('Chromium (WebGPU) reads the same lines as Node', async () => {
  const all = inject('ocrWebgpuAll');
  const scenes = OCR_SCENES.flatMap((scene, i) => (all || WEBGPU_SCENES.includes(scene.name) ? [i] : []));
  const samples = all ? OCR_SAMPLES.map((_, i) => i) : [];
  expect(scenes.length).toBe(all ? OCR_SCENES.length : WEBGPU_SCENES.length);
  const gpu = createCaptioner();
  try {
    for (const read of [...samples.map((i) => () => commands.ocrSample(i)), ...scenes.map((i) => () => commands.ocrScene(i))]) {
      const { png, node } = await read();
      const started = performance.now();
      const result = await gpu.readText({ image: pngBlob(png), name: 'webgpu.png', device: 'webgpu' });
      console.log(`[ocr webgpu] ${node.length} lines in ${Math.round(performance.now() - started)} ms`);
      expect(result.device).toBe('webgpu');
      expect(result.lines.map((l) => ({ text: l.text, angle: l.angle }))).toEqual(node);
    }
  } finally {
    await gpu.dispose();
  }
}, 3_600_000);

/** The scenes CI reads on WebGPU (see above). */
const WEBGPU_SCENES = ['turned-606'];
