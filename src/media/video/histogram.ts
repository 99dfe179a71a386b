/**
 * Colour histograms of small frames, for scene-change detection: a coarse
 * RGB histogram ignores noise and small motion but moves when the colours
 * of the picture change, which is what a new scene or a flash does.
 */

/** Levels per channel: 4 × 4 × 4 = 64 bins. */
const LEVELS = 4;

/** The normalised histogram (sums to 1) of RGBA pixels. */
export function colourHistogram(rgba: Uint8ClampedArray): Float32Array {
  const bins = new Float32Array(LEVELS ** 3);
  const pixels = rgba.length / 4;
  if (pixels === 0) return bins;
  const shift = 8 - Math.log2(LEVELS);
  for (let i = 0; i < rgba.length; i += 4) {
    const r = (rgba[i] ?? 0) >> shift;
    const g = (rgba[i + 1] ?? 0) >> shift;
    const b = (rgba[i + 2] ?? 0) >> shift;
    const bin = (r * LEVELS + g) * LEVELS + b;
    bins[bin] = (bins[bin] ?? 0) + 1 / pixels;
  }
  return bins;
}

/** Half the L1 distance of two normalised histograms: 0 for the same colours, 1 for no colour in common. */
export function histogramDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / 2;
}
