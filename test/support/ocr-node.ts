/** The OCR pipeline on onnxruntime-node, for Node tests and as the reference the browser must match. */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { alphabetFrom } from '../../src/models/ocr/ctc.ts';
import type { RgbImage } from '../../src/models/ocr/image.ts';
import { type OcrLine, type OcrRuntime, readText } from '../../src/models/ocr/ocr.ts';
import { ocrModelFiles } from './ocr-models.ts';

/** A reader over the shipped PP-OCRv4 files. */
export interface NodeOcr {
  read(image: RgbImage): Promise<OcrLine[]>;
}

/**
 * Loads the detection and recognition sessions once; `threads` caps ORT's
 * threads (the bench compares with single-threaded tesseract.js), else ORT
 * chooses.
 */
export async function createNodeOcr(threads?: number): Promise<NodeOcr> {
  const files = ocrModelFiles();
  const options: ort.InferenceSession.SessionOptions = threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {};
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
  return { read: (image) => readText(image, runtime, alphabet) };
}
