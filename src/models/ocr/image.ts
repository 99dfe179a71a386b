/** The plain RGB image the OCR pipeline works on (no DOM types, so it runs in Node and workers alike). */

/** Row-major RGB pixels, 3 bytes each. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

import type { Box } from '../../shared/ocr.ts';

export type { Box };

/**
 * Resamples a region of `image` (bilinear) into a CHW float tensor of size
 * `outW`×`outH`, with `normalize(value0to1, channel)` applied per value.
 * Channels are written in `order` (PaddleOCR models were trained on BGR).
 */
export function resampleToTensor(
  image: RgbImage,
  region: Box,
  outW: number,
  outH: number,
  normalize: (v: number, channel: number) => number,
  order: readonly [number, number, number] = [2, 1, 0],
): Float32Array {
  const out = new Float32Array(3 * outW * outH);
  const sx = region.width / outW;
  const sy = region.height / outH;
  const px = (x: number, y: number, c: number) => image.data[(y * image.width + x) * 3 + c] ?? 0;
  for (let oy = 0; oy < outH; oy++) {
    const fy = Math.min(Math.max(region.y + (oy + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let ox = 0; ox < outW; ox++) {
      const fx = Math.min(Math.max(region.x + (ox + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const wx = fx - x0;
      order.forEach((source, c) => {
        const top = px(x0, y0, source) * (1 - wx) + px(x1, y0, source) * wx;
        const bottom = px(x0, y1, source) * (1 - wx) + px(x1, y1, source) * wx;
        out[c * outW * outH + oy * outW + ox] = normalize((top * (1 - wy) + bottom * wy) / 255, c);
      });
    }
  }
  return out;
}
