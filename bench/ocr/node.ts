/**
 * Figure 4 in Node: our OCR on onnxruntime-node (one thread) against
 * tesseract.js's Node build, on the OCR set (clean lines and harder scenes).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OCR_SAMPLES } from '../../test/fixtures/ocr-samples';
import { createNodeOcr } from '../../test/support/ocr-node';
import { decodeRgb, renderPng } from '../../test/support/text-images';
import { OCR_SCENES } from '../../test/fixtures/ocr-scenes';
import { renderScene } from '../../test/support/ocr-scenes';
import { type OcrComparison, benchSample, compareReaders } from './compare';
import { ENG_DATA_FOLDER, createTesseract } from './tesseract';

/** `quick`: every third image of each list (as the Chromium half reads). */
export async function nodeOcrComparison(rounds: number, quick: boolean): Promise<OcrComparison> {
  const sampled = (_: unknown, i: number) => !quick || i % 3 === 0;
  const samples = await Promise.all([
    ...OCR_SAMPLES.filter(sampled).map(async (s) => benchSample(s, new Uint8Array(await renderPng(s)))),
    ...OCR_SCENES.filter(sampled).map(async (s) => benchSample(s, new Uint8Array(await renderScene(s)))),
  ]);
  const ours = await createNodeOcr(1);
  const engData = dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json'));
  const tesseract = await createTesseract({ langPath: join(engData, ENG_DATA_FOLDER) });
  try {
    return await compareReaders(
      samples,
      async (png) => (await ours.read(await decodeRgb(Buffer.from(png)))).map((l) => l.text).join('\n'),
      async (png) => (await tesseract.recognize(Buffer.from(png))).data.text,
      rounds,
    );
  } finally {
    await tesseract.terminate();
  }
}
