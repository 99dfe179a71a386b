/**
 * Figure 4 in Node: our OCR on onnxruntime-node (one thread) against
 * tesseract.js's Node build, on the rendered OCR samples.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OCR_SAMPLES } from '../../test/fixtures/ocr-samples';
import { createNodeOcr } from '../../test/support/ocr-node';
import { decodeRgb, renderPng } from '../../test/support/text-images';
import { type OcrComparison, compareReaders } from './compare';
import { ENG_DATA_FOLDER, createTesseract } from './tesseract';

export async function nodeOcrComparison(rounds: number): Promise<OcrComparison> {
  const samples = await Promise.all(
    OCR_SAMPLES.map(async (s) => ({ png: new Uint8Array(await renderPng(s)), truth: s.lines.join('\n') })),
  );
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
