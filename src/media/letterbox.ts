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

/**
 * The longest side a letterboxed image may have. An image that needs padding and is longer (a 65535×1 strip)
 * is scaled down first, then padded: padding at full size would need gigabytes (65535 × 8192 RGB is 1.6 GB),
 * and the vision models resize to far less than this anyway.
 */
export const MAX_LETTERBOX_SIDE = 4096;

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

/**
 * `image` scaled so its long side is at most {@link MAX_LETTERBOX_SIDE}, each output pixel the mean of the
 * source pixels its box covers (no side below one pixel). Work and memory follow the source's pixel count,
 * which the header checks bound.
 */
export function shrinkToLimit(image: RgbPixels): RgbPixels {
  const long = Math.max(image.width, image.height);
  if (long <= MAX_LETTERBOX_SIDE) return image;
  const scale = MAX_LETTERBOX_SIDE / long;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const sums = new Float64Array(width * height * 3);
  const counts = new Uint32Array(width * height);
  for (let y = 0; y < image.height; y++) {
    const oy = Math.min(height - 1, Math.floor((y * height) / image.height));
    for (let x = 0; x < image.width; x++) {
      const o = oy * width + Math.min(width - 1, Math.floor((x * width) / image.width));
      const i = (y * image.width + x) * 3;
      sums[o * 3] = (sums[o * 3] ?? 0) + (image.data[i] ?? 0);
      sums[o * 3 + 1] = (sums[o * 3 + 1] ?? 0) + (image.data[i + 1] ?? 0);
      sums[o * 3 + 2] = (sums[o * 3 + 2] ?? 0) + (image.data[i + 2] ?? 0);
      counts[o] = (counts[o] ?? 0) + 1;
    }
  }
  const data = new Uint8ClampedArray(width * height * 3);
  for (let o = 0; o < width * height; o++) {
    const n = Math.max(1, counts[o] ?? 0);
    for (let c = 0; c < 3; c++) data[o * 3 + c] = Math.round((sums[o * 3 + c] ?? 0) / n);
  }
  return { width, height, data };
}

/**
 * The image centred on a canvas of its mean colour, when its shape needs it; else the image itself. A long
 * image is scaled down to {@link MAX_LETTERBOX_SIDE} first, so the canvas stays small.
 */
export function letterbox(original: RgbPixels): RgbPixels {
  if (!letterboxSize(original.width, original.height)) return original;
  const pixels = original.width * original.height;
  const mean = [0, 0, 0];
  for (let i = 0; i < pixels * 3; i++) mean[i % 3] = (mean[i % 3] ?? 0) + (original.data[i] ?? 0);
  const fill = mean.map((sum) => Math.round(sum / Math.max(1, pixels)));
  const image = shrinkToLimit(original);
  const size = letterboxSize(image.width, image.height) ?? { width: image.width, height: image.height };
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
