/**
 * Extreme aspect ratios (a 10000×10 strip, a 1×1 pixel, a long screenshot)
 * break the vision models' preprocessing: resized to the model's size, the
 * short side rounds to zero pixels. Letterboxing pads the short side with
 * the image's own mean colour, so nothing is cut or squashed and the
 * image's colour statistics stay as they were.
 */

/** An RGB image (3 bytes a pixel, row-major). */
export interface RgbPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** The widest aspect ratio (long side / short side) passed through as is. */
export const MAX_ASPECT = 8;
/** The smallest short side passed through as is, in pixels. */
export const MIN_SIDE = 16;

/** The padded size for an image, or null when it needs none. */
export function letterboxSize(width: number, height: number): { width: number; height: number } | null {
  const long = Math.max(width, height, MIN_SIDE);
  const short = Math.max(Math.ceil(long / MAX_ASPECT), MIN_SIDE);
  const size =
    width >= height
      ? { width: long, height: Math.max(height, short) }
      : { width: Math.max(width, short), height: long };
  return size.width === width && size.height === height ? null : size;
}

/** The image centred on a canvas of its mean colour, when its shape needs it; else the image itself. */
export function letterbox(image: RgbPixels): RgbPixels {
  const size = letterboxSize(image.width, image.height);
  if (!size) return image;
  const pixels = image.width * image.height;
  const mean = [0, 0, 0];
  for (let i = 0; i < pixels * 3; i++) mean[i % 3] = (mean[i % 3] ?? 0) + (image.data[i] ?? 0);
  const fill = mean.map((sum) => Math.round(sum / Math.max(1, pixels)));
  const data = new Uint8ClampedArray(size.width * size.height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(fill, i);
  const left = Math.floor((size.width - image.width) / 2);
  const top = Math.floor((size.height - image.height) / 2);
  for (let y = 0; y < image.height; y++) {
    const row = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
    data.set(row, ((top + y) * size.width + left) * 3);
  }
  return { width: size.width, height: size.height, data };
}
