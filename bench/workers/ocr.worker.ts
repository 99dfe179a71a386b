/**
 * Our side of figure 4 in Chromium: the app's OCR engine (the same class,
 * files and pre/post-processing the worker uses) on onnxruntime-web's WASM
 * backend with one thread, as tesseract.js has, reading PNG bytes decoded
 * the way the engine decodes images.
 */
import { expose } from 'comlink';
import * as ort from 'onnxruntime-web/webgpu';
import { decodeImage, rgbOf } from '../../src/media/decode';
import { WeightCache } from '../../src/models/cache/weight-cache';
import { OcrEngine } from '../../src/models/ocr/ocr-engine';
import { assetLocations } from '../../src/models/runtime/assets';

let engine: OcrEngine | null = null;

const api = {
  async load(): Promise<void> {
    const shipped = assetLocations();
    ort.env.wasm.wasmPaths = { mjs: shipped.ortMjs, wasm: shipped.ortWasm };
    ort.env.wasm.numThreads = 1;
    const cache = await WeightCache.open({ storage: navigator.storage, dbName: 'mc-bench-ocr' });
    // The dev server serves the OCR files at /ocr/ (the build puts them beside the worker).
    const assets = { ...shipped, ocr: (name: string) => new URL(`/ocr/${name}`, self.location.href).href };
    engine = await OcrEngine.load(cache, 'wasm', assets);
  },
  async read(png: Uint8Array<ArrayBuffer>): Promise<string> {
    if (!engine) throw new Error('load() first');
    const image = await decodeImage(new Blob([png], { type: 'image/png' }), 'sample.png');
    return (await engine.read(rgbOf(image))).map((l) => l.text).join('\n');
  },
};

/** The worker's API. */
export type OcrBenchApi = typeof api;

expose(api);
