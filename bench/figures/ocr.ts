/**
 * Figure 4: our OCR against tesseract.js on the OCR set (clean rendered
 * lines, small text in photos, 2× screenshots, code, tables), in Node and
 * in Chromium (WASM), one thread each: character error rate, phrase recall
 * per kind and median ms per image (PNG bytes to text, decode included).
 */
import { type Remote, wrap } from 'comlink';
import { expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { OCR_SAMPLES } from '../../test/fixtures/ocr-samples';
import { OCR_SCENES } from '../../test/fixtures/ocr-scenes';
import { type OcrComparison, benchSample, compareReaders } from '../ocr/compare';
import type { OcrScore } from '../ocr/score';
import { ENG_DATA_FOLDER, createTesseract } from '../ocr/tesseract';
import { type BenchRow, ratioRow } from '../rows';
import { record, settings, size } from '../support';
import type { OcrBenchApi } from '../workers/ocr.worker';

/**
 * The rows of one place: over all images, CER (no worse than tesseract's)
 * and time (at most half of it); per kind, phrase recall (at least
 * tesseract's) and time.
 */
function rows(where: string, c: OcrComparison, rounds: number): BenchRow[] {
  const figure = '4 OCR vs tesseract.js';
  const pair = (kind: string, pick: (s: OcrScore) => number) => {
    const ours = c.ours[kind];
    const peer = c.tesseract[kind];
    if (!ours || !peer) throw new Error(`no ${kind} figures`);
    return [
      { label: 'ours', value: pick(ours) },
      { label: 'tesseract.js', value: pick(peer) },
    ] as const;
  };
  const all = c.ours.all;
  const kinds = Object.keys(c.ours).filter((k) => k !== 'all');
  return [
    ratioRow(figure, `CER %, all ${all?.images} images, ${where}, 1 thread`, ...pair('all', (s) => s.cer * 100), 1.0),
    ratioRow(figure, `ms/image, all, median of ${rounds} round(s), ${where}`, ...pair('all', (s) => s.ms), 0.5),
    ...kinds.flatMap((kind) => [
      ratioRow(figure, `phrase recall, ${kind} (${c.ours[kind]?.images} images), ${where}`, ...pair(kind, (s) => s.recall), 1.0, true),
      ratioRow(figure, `ms/image, ${kind}, ${where}`, ...pair(kind, (s) => s.ms), 0.5),
    ]),
  ];
}

/** Which images a run reads: all of them, or every third with `--quick` (every kind still appears). */
export const sampled = (index: number) => !settings.quick || index % 3 === 0;

/** Both readers must read: a broken reader would make any ratio meaningless. */
function checkRead(c: OcrComparison): void {
  expect(c.ours.all?.cer, 'our OCR reads the set (the test suite holds it to 3%)').toBeLessThanOrEqual(0.03);
  expect(c.tesseract.all?.cer, 'tesseract.js reads the set').toBeLessThan(0.25);
}

async function chromiumComparison(rounds: number): Promise<OcrComparison> {
  const decode = (png: string) => Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const samples = [];
  for (const [i, sample] of OCR_SAMPLES.entries()) {
    if (sampled(i)) samples.push(benchSample(sample, decode((await commands.ocrSample(i)).png)));
  }
  for (const [i, scene] of OCR_SCENES.entries()) {
    if (sampled(i)) samples.push(benchSample(scene, decode((await commands.ocrScene(i)).png)));
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
  const node = await commands.benchOcrNode(rounds, settings.quick);
  checkRead(node);
  const chromium = await chromiumComparison(rounds);
  checkRead(chromium);
  await record(...rows('Node', node, rounds), ...rows('Chromium WASM', chromium, rounds));
});
