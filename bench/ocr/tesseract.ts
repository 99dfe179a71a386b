/**
 * tesseract.js as figure 4's peer: English LSTM data from its npm package
 * (`@tesseract.js-data/eng`, the "best_int" models tesseract.js itself
 * downloads by default), loaded from local files, never from its CDN, and
 * never cached into the working folder.
 */
import { type Worker, createWorker, OEM } from 'tesseract.js';

/** The folder of `@tesseract.js-data/eng` that tesseract.js uses by default for LSTM-only reading. */
export const ENG_DATA_FOLDER = '4.0.0_best_int';

/** Where tesseract.js finds its files (a local folder in Node, same-origin URLs in Chromium). */
export interface TesseractPaths {
  readonly langPath: string;
  readonly workerPath?: string;
  readonly corePath?: string;
}

/**
 * A tesseract.js worker (single-threaded: its wasm core has no threads) ready to read English. Our PNGs
 * carry no resolution, so Tesseract guessed 25 dpi, warned "Invalid resolution 25 dpi. Using 70 instead"
 * on every image and read at 70: stating 70 (its documented `user_defined_dpi` parameter) reads the same
 * and keeps the bench's output quiet.
 */
export async function createTesseract(paths: TesseractPaths): Promise<Worker> {
  const worker = await createWorker('eng', OEM.LSTM_ONLY, { ...paths, cacheMethod: 'none', workerBlobURL: false });
  await worker.setParameters({ user_defined_dpi: '70' });
  return worker;
}
