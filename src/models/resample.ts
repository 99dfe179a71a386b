/**
 * Antialiased bicubic resizing, as the reference image processors resize:
 * PIL's `Image.resize(BICUBIC)` and torchvision's `resize(antialias=True)`
 * (the same separable algorithm: a cubic kernel with a = −0.5, stretched
 * by the scale when shrinking so every source pixel counts; a horizontal
 * then a vertical pass, each rounded to 8 bits).
 *
 * transformers.js 4.3.2 resizes with sharp's affine transform in Node and
 * with a canvas in browsers (`RawImage.resize`, utils/image.js), neither
 * antialiased when shrinking: a fine pattern shrunk to 768 px aliases into
 * stripes and blocks the model never saw in training (recorded against the
 * reference in test/fixtures/real/reference/pixel_values.json). This runs
 * the same on both, in plain TypeScript.
 */

const A = -0.5;
const SUPPORT = 2;

/** The bicubic kernel. */
function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

/** For each output index: the first input index and the normalised weights (PIL's `precompute_coeffs`). */
function coefficients(
  inSize: number,
  outSize: number,
): { start: Int32Array; count: Int32Array; weights: Float64Array; taps: number } {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = SUPPORT * stretch;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = cubic((i - centre + 0.5) / stretch);
      weights[o * taps + i - lo] = w;
      total += w;
    }
    for (let i = 0; i < hi - lo; i++) weights[o * taps + i] = total === 0 ? 0 : (weights[o * taps + i] ?? 0) / total;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, taps };
}

const clamp8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/**
 * Resizes interleaved 8-bit pixels (`channels` per pixel) from
 * `width`×`height` to `outWidth`×`outHeight`.
 */
export function resizeBicubic(
  data: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8ClampedArray {
  // Horizontal pass: width → outWidth, every row.
  const h = coefficients(width, outWidth);
  const across = new Uint8ClampedArray(outWidth * height * channels);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let o = 0; o < outWidth; o++) {
      const first = h.start[o] ?? 0;
      const n = h.count[o] ?? 0;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++)
          sum += (h.weights[o * h.taps + k] ?? 0) * (data[row + (first + k) * channels + c] ?? 0);
        across[(y * outWidth + o) * channels + c] = clamp8(sum);
      }
    }
  }
  // Vertical pass: height → outHeight, every column.
  const v = coefficients(height, outHeight);
  const out = new Uint8ClampedArray(outWidth * outHeight * channels);
  for (let o = 0; o < outHeight; o++) {
    const first = v.start[o] ?? 0;
    const n = v.count[o] ?? 0;
    for (let x = 0; x < outWidth * channels; x++) {
      let sum = 0;
      for (let k = 0; k < n; k++)
        sum += (v.weights[o * v.taps + k] ?? 0) * (across[(first + k) * outWidth * channels + x] ?? 0);
      out[o * outWidth * channels + x] = clamp8(sum);
    }
  }
  return out;
}
