/**
 * The app's OCR pipeline (PP-OCRv4, the same code as in the worker) on
 * onnxruntime-node: the CLI's OCR tool, and the reference the browser's
 * OCR must match in the tests.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { alphabetFrom } from '../models/ocr/ctc.ts';
import type { RgbImage } from '../models/ocr/image.ts';
import { type OcrLine, type OcrRuntime, readText } from '../models/ocr/ocr.ts';
import { OCR_ASSET_FILES } from './ocr-files.ts';

/** A reader over the shipped PP-OCRv4 files. */
export interface NodeOcr {
  read(image: RgbImage, onProgress?: (done: number, total: number) => void): Promise<OcrLine[]>;
}

/**
 * Loads the detection and recognition sessions once; `threads` caps ORT's
 * threads (the bench compares with single-threaded tesseract.js), else ORT
 * chooses.
 */
export async function createNodeOcr(threads?: number): Promise<NodeOcr> {
  const files = {
    det: OCR_ASSET_FILES['det.onnx'],
    rec: OCR_ASSET_FILES['rec.onnx'],
    cls: OCR_ASSET_FILES['cls.onnx'],
    dictionary: OCR_ASSET_FILES['keys.txt'],
  };
  const options: ort.InferenceSession.SessionOptions = threads
    ? { intraOpNumThreads: threads, interOpNumThreads: 1 }
    : {};
  const sessions = {
    det: await ort.InferenceSession.create(files.det, options),
    rec: await ort.InferenceSession.create(files.rec, options),
    cls: await ort.InferenceSession.create(files.cls, options),
  };
  const runtime: OcrRuntime = {
    async run(model, input, dims) {
      const session = sessions[model];
      const out = await session.run({ x: new ort.Tensor('float32', input, [...dims]) });
      const tensor = out[session.outputNames[0] ?? ''];
      if (!tensor) throw new Error('no output');
      return { data: tensor.data as Float32Array, dims: tensor.dims };
    },
  };
  const alphabet = alphabetFrom(readFileSync(files.dictionary, 'utf8'));
  return { read: (image, onProgress) => readText(image, runtime, alphabet, undefined, onProgress) };
}
