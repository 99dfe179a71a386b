/**
 * Figure 4: our OCR against tesseract.js on the rendered OCR samples, in
 * Node and in Chromium (WASM), one thread each: character error rate and
 * median ms per image (PNG bytes to text, decode included).
 */
import { type Remote, wrap } from 'comlink';
import { expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { OCR_SAMPLES } from '../../test/fixtures/ocr-samples';
import { type OcrComparison, compareReaders } from '../ocr/compare';
import { ENG_DATA_FOLDER, createTesseract } from '../ocr/tesseract';
import { type BenchRow, ratioRow } from '../rows';
import { record, size } from '../support';
import type { OcrBenchApi } from '../workers/ocr.worker';

/** The two rows of one place: CER (no worse than tesseract's) and time (at most half of it). */
function rows(where: string, c: OcrComparison, rounds: number): BenchRow[] {
  const what = `${c.ours.images} rendered images, ${where}, 1 thread`;
  return [
    ratioRow(
      '4 OCR vs tesseract.js',
      `CER %, ${what}`,
      { label: 'ours', value: c.ours.cer * 100 },
      { label: 'tesseract.js', value: c.tesseract.cer * 100 },
      1.0,
    ),
    ratioRow(
      '4 OCR vs tesseract.js',
      `ms/image, median of ${rounds} round(s), ${where}`,
      { label: 'ours', value: c.ours.ms },
      { label: 'tesseract.js', value: c.tesseract.ms },
      0.5,
    ),
  ];
}

/** Both readers must read: a broken reader would make any ratio meaningless. */
function checkRead(c: OcrComparison): void {
  expect(c.ours.cer, 'our OCR reads the rendered samples (the test suite holds it to 3%)').toBeLessThanOrEqual(0.03);
  expect(c.tesseract.cer, 'tesseract.js reads the rendered samples').toBeLessThan(0.2);
}

async function chromiumComparison(rounds: number): Promise<OcrComparison> {
  const samples = [];
  for (let i = 0; i < OCR_SAMPLES.length; i++) {
    const { png, truth } = await commands.ocrSample(i);
    samples.push({ png: Uint8Array.from(atob(png), (c) => c.charCodeAt(0)), truth: truth.join('\n') });
  }
  const worker = new Worker(new URL('../workers/ocr.worker.ts', import.meta.url), { type: 'module' });
  const ours: Remote<OcrBenchApi> = wrap(worker);
  // Same-origin files from node_modules: tesseract.js's worker, its wasm core and the English data.
  const tesseract = await createTesseract({
    workerPath: '/node_modules/tesseract.js/dist/worker.min.js',
    corePath: '/node_modules/tesseract.js-core',
    langPath: `/node_modules/@tesseract.js-data/eng/${ENG_DATA_FOLDER}`,
  });
  try {
    await ours.load();
    return await compareReaders(
      samples,
      (png) => ours.read(png),
      async (png) => (await tesseract.recognize(new Blob([png], { type: 'image/png' }))).data.text,
      rounds,
    );
  } finally {
    worker.terminate();
    await tesseract.terminate();
  }
}

test('4 OCR vs tesseract.js, in Node and in Chromium', async () => {
  const rounds = size(3, 1);
  const node = await commands.benchOcrNode(rounds);
  checkRead(node);
  const chromium = await chromiumComparison(rounds);
  checkRead(chromium);
  await record(...rows('Node', node, rounds), ...rows('Chromium WASM', chromium, rounds));
});
