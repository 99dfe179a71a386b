/** The plain RGB image the OCR pipeline works on (no DOM types, so it runs in Node and workers alike). */

/** Row-major RGB pixels, 3 bytes each. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

import type { Box } from '../../shared/ocr.ts';
import { type RotatedBox, boundsOf, frameOf } from './geometry.ts';

export type { Box, RotatedBox };

/** Per-output-channel normalisation: `(value0to1 - mean) / std`. */
export interface Normalisation {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * Resamples a region of `image` (bilinear) into a CHW float tensor of size
 * `outW`×`outH`, normalised per output channel, written into `out` at
 * `offset` with rows `stride` values apart (a batch tensor pads crops to a
 * common width), or into a new tensor. The region is read in its own frame
 * (a turned or tilted line comes out upright); pixels outside the image
 * repeat its edge. Channels are written in `order` (PaddleOCR models were
 * trained on BGR). This loop is OCR's hottest: for upright regions the
 * column sample positions are computed once per crop, not once per pixel.
 */
export function resampleToTensor(
  image: RgbImage,
  region: RotatedBox,
  outW: number,
  outH: number,
  norm: Normalisation,
  order: readonly [number, number, number] = [2, 1, 0],
  target: { out: Float32Array; offset: number; stride: number; plane: number } = {
    out: new Float32Array(3 * outW * outH),
    offset: 0,
    stride: outW,
    plane: outW * outH,
  },
): Float32Array {
  const scale = [0, 1, 2].map((c) => 1 / (255 * (norm.std[c] ?? 1)));
  const shift = [0, 1, 2].map((c) => -(norm.mean[c] ?? 0) / (norm.std[c] ?? 1));
  if (region.angle !== 0) {
    resampleTurned(image, region, outW, outH, order, target, scale, shift);
    return target.out;
  }
  const { out, offset, stride, plane } = target;
  const { data, width, height } = image;
  const box = boundsOf(region);
  const sx = box.width / outW;
  const sy = box.height / outH;
  const left = new Int32Array(outW);
  const right = new Int32Array(outW);
  const weight = new Float32Array(outW);
  for (let ox = 0; ox < outW; ox++) {
    const fx = Math.min(Math.max(box.x + (ox + 0.5) * sx - 0.5, 0), width - 1);
    const x0 = Math.floor(fx);
    left[ox] = x0 * 3;
    right[ox] = Math.min(x0 + 1, width - 1) * 3;
    weight[ox] = fx - x0;
  }
  for (let oy = 0; oy < outH; oy++) {
    const fy = Math.min(Math.max(box.y + (oy + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const top = y0 * width * 3;
    const bottom = Math.min(y0 + 1, height - 1) * width * 3;
    const wy = fy - y0;
    for (let c = 0; c < 3; c++) {
      const source = order[c] ?? c;
      const k = scale[c] ?? 1;
      const b = shift[c] ?? 0;
      const row = offset + c * plane + oy * stride;
      for (let ox = 0; ox < outW; ox++) {
        const l = (left[ox] ?? 0) + source;
        const r = (right[ox] ?? 0) + source;
        const wx = weight[ox] ?? 0;
        const upper = (data[top + l] ?? 0) * (1 - wx) + (data[top + r] ?? 0) * wx;
        const lower = (data[bottom + l] ?? 0) * (1 - wx) + (data[bottom + r] ?? 0) * wx;
        out[row + ox] = (upper * (1 - wy) + lower * wy) * k + b;
      }
    }
  }
  return out;
}

/** {@link resampleToTensor} for a turned or tilted region: each output pixel maps through the region's frame. */
function resampleTurned(
  image: RgbImage,
  region: RotatedBox,
  outW: number,
  outH: number,
  order: readonly [number, number, number],
  target: { out: Float32Array; offset: number; stride: number; plane: number },
  scale: readonly number[],
  shift: readonly number[],
): void {
  const { out, offset, stride, plane } = target;
  const { data, width, height } = image;
  const { ux, uy, vx, vy } = frameOf(region.angle);
  // One output pixel's step across (a) and down (b) the crop, in image pixels.
  const ax = (ux * region.width) / outW;
  const ay = (uy * region.width) / outW;
  const bx = (vx * region.height) / outH;
  const by = (vy * region.height) / outH;
  // The image position of output pixel (0, 0)'s centre, less half a pixel (bilinear samples between centres).
  const x0 = region.cx - (ux * region.width + vx * region.height) / 2 + (ax + bx) / 2 - 0.5;
  const y0 = region.cy - (uy * region.width + vy * region.height) / 2 + (ay + by) / 2 - 0.5;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const fx = Math.min(Math.max(x0 + ox * ax + oy * bx, 0), width - 1);
      const fy = Math.min(Math.max(y0 + ox * ay + oy * by, 0), height - 1);
      const px = Math.floor(fx);
      const py = Math.floor(fy);
      const wx = fx - px;
      const wy = fy - py;
      const tl = (py * width + px) * 3;
      const tr = (py * width + Math.min(px + 1, width - 1)) * 3;
      const down = (Math.min(py + 1, height - 1) - py) * width * 3;
      for (let c = 0; c < 3; c++) {
        const s = order[c] ?? c;
        const upper = (data[tl + s] ?? 0) * (1 - wx) + (data[tr + s] ?? 0) * wx;
        const lower = (data[tl + down + s] ?? 0) * (1 - wx) + (data[tr + down + s] ?? 0) * wx;
        out[offset + c * plane + oy * stride + ox] =
          (upper * (1 - wy) + lower * wy) * (scale[c] ?? 1) + (shift[c] ?? 0);
      }
    }
  }
}
