/**
 * Figure 4 in Node: our OCR on onnxruntime-node (one thread) against
 * tesseract.js's Node build, on the OCR set (clean lines and harder scenes).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OCR_SAMPLES } from '../../test/fixtures/ocr-samples';
import { createNodeOcr } from '../../test/support/ocr-node';
import { decodeRgb, renderPng } from '../../test/support/text-images';
import { OCR_SCENES, type OcrScene, sceneSet } from '../../test/fixtures/ocr-scenes';
import { renderScene } from '../../test/support/ocr-scenes';
import { type OcrSets, benchSample, compareReaders } from './compare';
import { ENG_DATA_FOLDER, createTesseract } from './tesseract';

/**
 * The tuning set and the fresh scenes above `freshBase`; `quick`: every
 * third image of each list (as the Chromium half reads).
 */
export async function nodeOcrComparison(rounds: number, quick: boolean, freshBase: number): Promise<OcrSets> {
  const sampled = (_: unknown, i: number) => !quick || i % 3 === 0;
  const scenes = (list: readonly OcrScene[]) =>
    list.filter(sampled).map(async (s) => benchSample(s, new Uint8Array(await renderScene(s))));
  const tuning = await Promise.all([
    ...OCR_SAMPLES.filter(sampled).map(async (s) => benchSample(s, new Uint8Array(await renderPng(s)))),
    ...scenes(OCR_SCENES),
  ]);
  const fresh = await Promise.all(scenes(sceneSet(freshBase)));
  const ours = await createNodeOcr(1);
  const engData = dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json'));
  const tesseract = await createTesseract({ langPath: join(engData, ENG_DATA_FOLDER) });
  try {
    const compare = (samples: typeof tuning) =>
      compareReaders(
        samples,
        async (png) => (await ours.read(await decodeRgb(Buffer.from(png)))).map((l) => l.text).join('\n'),
        async (png) => (await tesseract.recognize(Buffer.from(png))).data.text,
        rounds,
      );
    return { tuning: await compare(tuning), fresh: await compare(fresh) };
  } finally {
    await tesseract.terminate();
  }
}
