/**
 * Which way up a text crop reads: PP-OCR's text-orientation classifier
 * (ch_ppocr_mobile_v2.0_cls, shipped beside the detector and recogniser)
 * tells upright text from text turned 180° — upside-down labels, and
 * vertical axis labels, which a crop turned a quarter either way cannot
 * tell apart by shape alone.
 */
import type { RotatedBox } from './geometry.ts';
import { type Normalisation, type RgbImage, resampleToTensor } from './image.ts';
import type { OcrRuntime } from './ocr.ts';

/** The classifier's input: 48 rows, up to 192 columns (PaddleOCR's cls_image_shape). */
const CLS_HEIGHT = 48;
const CLS_WIDTH = 192;
const CLS_NORM: Normalisation = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
/** A crop is turned only when the classifier is this sure (PaddleOCR's cls_thresh). */
export const UPSIDE_DOWN_THRESHOLD = 0.9;

/** For each region, whether its text reads upside down in the region's frame. */
export async function upsideDown(
  image: RgbImage,
  regions: readonly RotatedBox[],
  runtime: OcrRuntime,
  batchSize: number,
): Promise<boolean[]> {
  const flags: boolean[] = [];
  const plane = CLS_HEIGHT * CLS_WIDTH;
  for (let first = 0; first < regions.length; first += batchSize) {
    const batch = regions.slice(first, first + batchSize);
    // Each crop keeps its aspect ratio up to the full width; zeros (mid-grey) pad the rest, as in PaddleOCR.
    const input = new Float32Array(batch.length * 3 * plane);
    batch.forEach((region, b) => {
      const width = Math.max(1, Math.min(CLS_WIDTH, Math.ceil((CLS_HEIGHT * region.width) / region.height)));
      const target = { out: input, offset: b * 3 * plane, stride: CLS_WIDTH, plane };
      resampleToTensor(image, region, width, CLS_HEIGHT, CLS_NORM, undefined, target);
    });
    const out = await runtime.run('cls', input, [batch.length, 3, CLS_HEIGHT, CLS_WIDTH]);
    // Two classes per crop: 0° and 180°.
    batch.forEach((_, b) => flags.push((out.data[b * 2 + 1] ?? 0) > UPSIDE_DOWN_THRESHOLD));
  }
  return flags;
}
