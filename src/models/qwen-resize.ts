/**
 * How the Qwen2-VL image processor resizes, as the reference does. The
 * size: both round each side to a multiple of 32 (patch × merge), but
 * Python's `round()` sends halves to the even neighbour while
 * transformers.js 4.3.2's `smart_resize` (image_processors_utils.js) uses
 * `Math.round`, which sends them up: a 1280×720 photo (720 / 32 = 22.5)
 * becomes 736×1280 instead of 704×1280, a different grid, different image
 * tokens and a different picture. Recorded by the reference
 * (test/fixtures/real/reference/pixel_values.json, `detail_1280x720.png`).
 * The resampling: antialiased bicubic, as the reference's (resample.ts).
 * Both methods are replaced on the loaded image processor.
 */
import { RawImage } from '@huggingface/transformers';
import { resizeBicubic } from './resample';

/** Python's `round()`: to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The reference `smart_resize` (transformers 5.18 `models/qwen2_vl/image_processing_qwen2_vl.py`): `[height, width]`. */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number) {
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new Error(
      `absolute aspect ratio must be smaller than 200, got ${Math.max(height, width) / Math.min(height, width)}`,
    );
  }
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return [h, w] as const;
}

/** Makes a loaded Qwen2-VL-family image processor (one with `min_pixels`/`max_pixels` and a merge size) resize as the reference. */
export function resizeAsReference(images: unknown): boolean {
  if ((typeof images !== 'object' && typeof images !== 'function') || images === null) return false;
  const fields = ['patch_size', 'merge_size', 'min_pixels', 'max_pixels'] as const;
  if (!fields.every((f) => typeof Reflect.get(images, f) === 'number')) return false;
  // Read at call time: the tier's pixel cap (capImagePixels) changes min/max after loading.
  const size = (image: { height: number; width: number }) => {
    const get = (f: (typeof fields)[number]) => Number(Reflect.get(images, f));
    const factor = get('patch_size') * get('merge_size');
    const [h, w] = smartResize(image.height, image.width, factor, get('min_pixels'), get('max_pixels'));
    return [w, h] as const;
  };
  const resize = async (image: RawImage) => {
    const [width, height] = size(image);
    if (width === image.width && height === image.height) return image;
    const pixels = resizeBicubic(image.data, image.width, image.height, image.channels, width, height);
    return new RawImage(pixels, width, height, image.channels);
  };
  Reflect.set(images, 'get_resize_output_image_size', size);
  Reflect.set(images, 'resize', resize);
  return true;
}
