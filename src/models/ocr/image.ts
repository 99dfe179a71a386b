/** The plain RGB image the OCR pipeline works on (no DOM types, so it runs in Node and workers alike). */

/** Row-major RGB pixels, 3 bytes each. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

import type { Box } from '../../shared/ocr.ts';

export type { Box };

/** Per-output-channel normalisation: `(value0to1 - mean) / std`. */
export interface Normalisation {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * Resamples a region of `image` (bilinear) into a CHW float tensor of size
 * `outW`×`outH`, normalised per output channel, written into `out` at
 * `offset` with rows `stride` values apart (a batch tensor pads crops to a
 * common width), or into a new tensor. Channels are written in `order`
 * (PaddleOCR models were trained on BGR). The column sample positions are
 * computed once per crop, not once per pixel: this loop is OCR's hottest.
 */
export function resampleToTensor(
  image: RgbImage,
  region: Box,
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
  const { out, offset, stride, plane } = target;
  const { data, width, height } = image;
  const sx = region.width / outW;
  const sy = region.height / outH;
  const left = new Int32Array(outW);
  const right = new Int32Array(outW);
  const weight = new Float32Array(outW);
  for (let ox = 0; ox < outW; ox++) {
    const fx = Math.min(Math.max(region.x + (ox + 0.5) * sx - 0.5, 0), width - 1);
    const x0 = Math.floor(fx);
    left[ox] = x0 * 3;
    right[ox] = Math.min(x0 + 1, width - 1) * 3;
    weight[ox] = fx - x0;
  }
  for (let oy = 0; oy < outH; oy++) {
    const fy = Math.min(Math.max(region.y + (oy + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const top = y0 * width * 3;
    const bottom = Math.min(y0 + 1, height - 1) * width * 3;
    const wy = fy - y0;
    for (let c = 0; c < 3; c++) {
      const source = order[c] ?? c;
      const std = norm.std[c] ?? 1;
      const scale = 1 / (255 * std);
      const shift = -(norm.mean[c] ?? 0) / std;
      const row = offset + c * plane + oy * stride;
      for (let ox = 0; ox < outW; ox++) {
        const l = (left[ox] ?? 0) + source;
        const r = (right[ox] ?? 0) + source;
        const wx = weight[ox] ?? 0;
        const upper = (data[top + l] ?? 0) * (1 - wx) + (data[top + r] ?? 0) * wx;
        const lower = (data[bottom + l] ?? 0) * (1 - wx) + (data[bottom + r] ?? 0) * wx;
        out[row + ox] = (upper * (1 - wy) + lower * wy) * scale + shift;
      }
    }
  }
  return out;
}
