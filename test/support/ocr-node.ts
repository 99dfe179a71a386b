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

/** Loads the detection and recognition sessions once. */
export async function createNodeOcr(): Promise<NodeOcr> {
  const files = ocrModelFiles();
  const det = await ort.InferenceSession.create(files.det);
  const rec = await ort.InferenceSession.create(files.rec);
  const runtime: OcrRuntime = {
    async run(model, input, dims) {
      const session = model === 'det' ? det : rec;
      const out = await session.run({ x: new ort.Tensor('float32', input, [...dims]) });
      const tensor = out[session.outputNames[0] ?? ''];
      if (!tensor) throw new Error('no output');
      return { data: tensor.data as Float32Array, dims: tensor.dims };
    },
  };
  const alphabet = alphabetFrom(readFileSync(files.dictionary, 'utf8'));
  return { read: (image) => readText(image, runtime, alphabet) };
}
