/**
 * The OCR tool in the worker on onnxruntime-web (WASM): weights served by
 * the app itself, and the same lines (text and reading direction) as the
 * Node reference for every sample.
 */
import { afterAll, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { createCaptioner } from '../../src/client/captioner';
import { OCR_SCENES, compactTurnedScene } from '../fixtures/ocr-scenes';
import { OCR_SAMPLES } from '../fixtures/ocr-samples';

const captioner = createCaptioner();
afterAll(() => captioner.dispose());

const pngBlob = (png: string) => new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' });

/**
 * Each of `count` Node readings in order, the next one asked for before the
 * caller's browser reading of this one: Node renders and reads the next
 * image on the other core meanwhile (CI has two), instead of both sides
 * waiting for each other in turn.
 */
async function* ahead<T>(count: number, read: (i: number) => Promise<T>): AsyncGenerator<[number, T]> {
  let next = count > 0 ? read(0) : null;
  for (let i = 0; next; i++) {
    const current = await next;
    next = i + 1 < count ? read(i + 1) : null;
    // When the caller stops at a failed reading, the one asked for ahead must not surface as unhandled.
    next?.catch(() => undefined);
    yield [i, current];
  }
}

test(`Chromium (WASM) reads the same text as Node on all ${OCR_SAMPLES.length} samples, from files the app serves`, async () => {
  await commands.takeModelRequests();
  for await (const [i, { png, node }] of ahead(OCR_SAMPLES.length, (i) => commands.ocrSample(i))) {
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
  for await (const [, { png, name, node }] of ahead(OCR_SCENES.length, (i) => commands.ocrScene(i))) {
    const result = await captioner.readText({ image: pngBlob(png), name: `${name}.png`, device: 'wasm' });
    expect(
      result.lines.map((l) => ({ text: l.text, angle: l.angle })),
      name,
    ).toEqual(node);
  }
}, 300_000);

/**
 * WebGPU here is SwiftShader, a CPU emulation that compiles a pipeline for
 * every new tensor shape: a minute or two an image. So CI reads one small
 * scene that takes every path the OCR has — a label upside down (the
 * orientation classifier), one reading down the side (a quarter turn), one
 * tilted (the general resampler) — and `MC_OCR_WEBGPU_ALL=1 npx vitest run
 * --project browser test/browser/ocr.test.ts -t WebGPU` reads every sample
 * and scene as well (hours).
 */
test('Chromium (WebGPU) reads the same lines as Node', async () => {
  const all = inject('ocrWebgpuAll');
  const compact = compactTurnedScene();
  const reads = [
    () => commands.ocrRender(compact),
    ...(all ? OCR_SAMPLES.map((_, i) => () => commands.ocrSample(i)) : []),
    ...(all ? OCR_SCENES.map((_, i) => () => commands.ocrScene(i)) : []),
  ];
  const gpu = createCaptioner();
  try {
    for (const [i, read] of reads.entries()) {
      const { png, node } = await read();
      if (i === 0) {
        // The reference itself reads each label, in the direction it was drawn (within 1.6°).
        const drawn = compact.texts.map((t) => ({ text: t.text, angle: expect.closeTo(t.turn?.degrees ?? 0, -0.5) }));
        expect(node).toEqual(drawn);
      }
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
