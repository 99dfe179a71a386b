/**
 * The OCR tool: PP-OCRv4 text detection (DB) + recognition (CTC) with our
 * own pre- and post-processing, over an injected runtime so the same code
 * runs on onnxruntime-web in the worker and onnxruntime-node in tests.
 * Output: lines in reading order with boxes, reading directions and
 * confidences. Regions are rotated rectangles: a crop taller than wide is
 * read turned a quarter (vertical labels), and the orientation classifier
 * turns upside-down crops the other half.
 */
import type { OcrLine } from '../../shared/ocr.ts';
import { ctcGreedy } from './ctc.ts';
import { fixLookalikes } from './lookalikes.ts';
import {
  DB_DEFAULTS,
  type DbOptions,
  type ScoredBox,
  dbBoxes,
  mergeLineBoxes,
  readingOrder,
} from './db-postprocess.ts';
import { type RotatedBox, axisAligned, boundsOf, frameOf, turned } from './geometry.ts';
import { type Normalisation, type RgbImage, resampleToTensor } from './image.ts';
import { upsideDown } from './orientation.ts';

export type { OcrLine };

/** Runs one of the OCR networks (detector, recogniser, orientation classifier) on a batch of CHW float tensors. */
export interface OcrRuntime {
  run(model: 'det' | 'rec' | 'cls', input: Float32Array, dims: readonly number[]): Promise<OcrOutput>;
}

/** A network's output tensor. */
export interface OcrOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** OCR knobs; defaults follow PaddleOCR's PP-OCRv4 settings. */
export interface OcrOptions {
  /**
   * Longest side the detector sees (larger images are scaled down). 1280,
   * not PaddleOCR's 960: 2× screenshots 2000 px wide with 9 px type lost
   * letters at 960 (phrase recall 0.92, CER 0.73%) and read well at 1280
   * (0.975, 0.16%); 1600 added nothing (0.978, 0.22%).
   */
  readonly maxSide: number;
  /** Shortest side the detector sees (small images are scaled up so small text survives). */
  readonly minSide: number;
  /**
   * Images whose short side is below this are enlarged towards it, by at
   * most `maxUpscale` and never past `maxSide` (small text in a small
   * photo gives the detector's map too few pixels to find it; PaddleOCR's
   * newer defaults enlarge to a short side of 736 the same way). Measured
   * on the OCR set without it: sticker photos' CER 0.0% → 7.2% (6–7 px
   * text goes unfound), code's recall 0.82 → 0.80, tables' 1.00 → 0.99;
   * it costs a fifth of the set's time (a larger detector input).
   */
  readonly upscaleShortSideTo: number;
  readonly maxUpscale: number;
  readonly db: DbOptions;
  /** Lines below this recognition confidence are dropped as noise. */
  readonly minConfidence: number;
  /**
   * Crops the recogniser and the orientation classifier read per run
   * (PaddleOCR's default: 6). Not faster on one CPU thread (one at a time
   * the recogniser took 18% less: padding is work too), but fewer runs on
   * a GPU; and padding slightly changes what the recogniser reads, so all
   * devices use the same size and read alike.
   */
  readonly recBatch: number;
  /** A region this many times taller than wide is vertical text, read turned a quarter (PaddleOCR: 1.5). */
  readonly tallRatio: number;
}

/** Defaults. */
export const OCR_DEFAULTS: OcrOptions = Object.freeze({
  maxSide: 1280,
  minSide: 64,
  upscaleShortSideTo: 736,
  maxUpscale: 2,
  db: DB_DEFAULTS,
  minConfidence: 0.5,
  recBatch: 6,
  tallRatio: 1.5,
});

const DET_NORM: Normalisation = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const REC_NORM: Normalisation = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
const REC_HEIGHT = 48;

/**
 * Detector input size: small images enlarged (see `upscaleShortSideTo`),
 * the result kept within [minSide, maxSide], each side a multiple of 32.
 */
export function detectorSize(width: number, height: number, options: OcrOptions = OCR_DEFAULTS): [number, number] {
  const short = Math.min(width, height);
  const enlarge = Math.max(1, Math.min(options.maxUpscale, options.upscaleShortSideTo / short));
  const scale = Math.min(enlarge, options.maxSide / Math.max(width, height));
  // Each side alone: a thin strip keeps its long side within maxSide and is stretched to minSide across.
  const side = (v: number) =>
    Math.max(32, Math.round(Math.min(options.maxSide, Math.max(options.minSide, v * scale)) / 32) * 32);
  return [side(width), side(height)];
}

/** Finds and reads the text lines of an image; `onProgress` is told the lines read of those found, batch by batch. */
export async function readText(
  image: RgbImage,
  runtime: OcrRuntime,
  alphabet: readonly string[],
  options: OcrOptions = OCR_DEFAULTS,
  onProgress?: (done: number, total: number) => void,
): Promise<OcrLine[]> {
  const [detW, detH] = detectorSize(image.width, image.height, options);
  const whole = axisAligned({ x: 0, y: 0, width: image.width, height: image.height });
  const detInput = resampleToTensor(image, whole, detW, detH, DET_NORM);
  const prob = await runtime.run('det', detInput, [1, 3, detH, detW]);
  const [mapH = detH, mapW = detW] = prob.dims.slice(-2);
  const toImage = mapToImage(image.width / mapW, image.height / mapH);
  // Lines are joined before tall regions are turned (a "{" or ")" taller than wide joins its
  // line), then again after (the pieces of a vertical label join along their own direction).
  const joined = mergeLineBoxes(dbBoxes(prob.data, mapW, mapH, options.db).map(toImage));
  const isTall = (r: RotatedBox) => r.height >= options.tallRatio * r.width;
  const regions = readingOrder(mergeLineBoxes(joined.map((r) => (isTall(r) ? turned(r, 1) : r))));
  const flips = await upsideDown(image, regions, runtime, options.recBatch);
  const candidates = regions.flatMap((region, index) =>
    readings(region, flips[index] ?? false, options).map((box) => ({
      index,
      box,
      width: Math.max(REC_HEIGHT / 3, Math.round((REC_HEIGHT * box.width) / box.height)),
    })),
  );
  const read: (OcrLine | null)[] = regions.map(() => null);
  // Crops of similar widths share a run (as PaddleOCR sorts by aspect ratio), so little of it is padding.
  const byWidth = candidates.sort((a, b) => a.width - b.width);
  onProgress?.(0, byWidth.length);
  for (let first = 0; first < byWidth.length; first += options.recBatch) {
    for (const line of await recognise(
      image,
      byWidth.slice(first, first + options.recBatch),
      runtime,
      alphabet,
      options,
    )) {
      const held = read[line.index];
      if (!held || line.line.confidence > held.confidence) read[line.index] = line.line;
    }
    onProgress?.(Math.min(byWidth.length, first + options.recBatch), byWidth.length);
  }
  return read.filter((line): line is OcrLine => line !== null);
}

/**
 * The ways to read a region, best guess first: as the orientation
 * classifier says, and where it may be wrong the others — the unflipped
 * crop when it says "upside down" (it says so of a few upright words:
 * "Support"), and the crop as the detector found it when a short region
 * (under 2 × tallRatio as long as it is high) was turned a quarter (a lone
 * "1" or "l" is taller than wide too). The recogniser's confidence picks.
 */
function readings(region: RotatedBox, flipped: boolean, options: OcrOptions): RotatedBox[] {
  const chosen = flipped ? turned(region, 2) : region;
  const wasTurned = Math.abs(region.angle) > Math.PI / 4;
  const short = region.width < 2 * options.tallRatio * region.height;
  return [
    chosen,
    ...(flipped ? [region] : []),
    ...(wasTurned && short
      ? [turned(chosen, 1), turned(chosen, -1)].filter((r) => Math.abs(r.angle) <= Math.PI / 4)
      : []),
  ];
}

/**
 * Maps detector-map boxes to image pixels. The map's two scales differ
 * little (rounding to multiples of 32; only a thin strip stretched to
 * `minSide` differs more), so a tilted box's sides are scaled along their
 * own directions and it stays close to a rectangle.
 */
function mapToImage(sx: number, sy: number): (box: ScoredBox) => RotatedBox {
  return ({ cx, cy, width, height, angle }) => {
    if (angle === 0) return { cx: cx * sx, cy: cy * sy, width: width * sx, height: height * sy, angle };
    const { ux, uy, vx, vy } = frameOf(angle);
    return {
      cx: cx * sx,
      cy: cy * sy,
      width: width * Math.hypot(ux * sx, uy * sy),
      height: height * Math.hypot(vx * sx, vy * sy),
      angle: Math.atan2(uy * sy, ux * sx),
    };
  };
}

/**
 * Reads crops in one recogniser run, padded to the widest: each crop's
 * text from the steps over the crop itself, its spaces from its own gaps;
 * lines below the confidence floor are left out.
 */
async function recognise(
  image: RgbImage,
  batch: readonly { index: number; box: RotatedBox; width: number }[],
  runtime: OcrRuntime,
  alphabet: readonly string[],
  options: OcrOptions,
): Promise<{ index: number; line: OcrLine }[]> {
  const width = Math.max(...batch.map((crop) => crop.width));
  const plane = REC_HEIGHT * width;
  // Zeros are mid-grey after normalisation: PaddleOCR's padding to the batch's width.
  const input = new Float32Array(batch.length * 3 * plane);
  batch.forEach((crop, b) => {
    const target = { out: input, offset: b * 3 * plane, stride: width, plane };
    resampleToTensor(image, crop.box, crop.width, REC_HEIGHT, REC_NORM, undefined, target);
  });
  const out = await runtime.run('rec', input, [batch.length, 3, REC_HEIGHT, width]);
  const [, steps = 0, classes = 0] = out.dims;
  const stepWidth = width / Math.max(1, steps);
  return batch.flatMap((crop, b) => {
    // Only the steps over the crop itself: the padding after it holds no text.
    const own = Math.min(steps, Math.ceil(crop.width / stepWidth));
    const probs = out.data.subarray(b * steps * classes, (b * steps + own) * classes);
    const gaps = wordGaps(input.subarray(b * 3 * plane, (b + 1) * 3 * plane), width, REC_HEIGHT, crop.width);
    // A gap belongs between two characters when its middle lies between their steps (a narrow
    // character such as "." may be emitted at a step over the gap's start).
    const isWordGap = (a: number, c: number) =>
      gaps.some(
        ([start, end]) => (start + end) / 2 >= (a + 0.5) * stepWidth && (start + end) / 2 <= (c + 0.5) * stepWidth,
      );
    const decoded = ctcGreedy(probs, own, classes, alphabet, isWordGap);
    const text = fixLookalikes(decoded.text.trim());
    if (!text || decoded.confidence < options.minConfidence) return [];
    const line = { text, confidence: decoded.confidence, box: boundsOf(crop.box), angle: degrees(crop.box.angle) };
    return [{ index: crop.index, line }];
  });
}

/** A reading direction in whole degrees clockwise, in (−180, 180]. */
const degrees = (radians: number) => {
  // `+ 0`: a hair below zero rounds to −0, which a structured clone keeps and JSON does not.
  const d = Math.round((radians * 180) / Math.PI) + 0;
  return d <= -180 ? d + 360 : d > 180 ? d - 360 : d;
};

/**
 * A pixel is ink when it differs from the crop's background by this share
 * of the crop's contrast, and by at most 0.5 (a quarter of the normalised
 * range: the old fixed rule, which black on white still gets). The fixed
 * rule missed the faint, blurred strokes of small text on stickers, so
 * their letter gaps looked as wide as spaces ("R E S E T", "Ser ial"):
 * sticker photos' phrase recall 0.75 → 1.00. The set reads best from 0.35
 * to 0.45 (0.40: no miss; either end one).
 */
const INK_SHARE = 0.4;

/**
 * Column ranges of a recogniser input crop (CHW, rows `stride` values
 * apart, the first `width` columns used) that hold no ink (see
 * {@link INK_SHARE}) and are wide enough to be a space between words.
 * "Wide enough" is relative to the line's own gaps (bold type has narrow
 * spaces, monospace wide letter gaps): see {@link wordGapThreshold}.
 */
export function wordGaps(input: Float32Array, stride: number, height: number, width = stride): [number, number][] {
  const plane = stride * height;
  // Grey level per pixel (the three channels averaged); the background is the median.
  const grey = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * stride + x;
      grey[y * width + x] = ((input[i] ?? 0) + (input[i + plane] ?? 0) + (input[i + 2 * plane] ?? 0)) / 3;
    }
  }
  const background = medianOf(grey);
  // The strongest ink's distance from the background: the crop's contrast.
  let contrast = 0;
  for (const v of grey) contrast = Math.max(contrast, Math.abs(v - background));
  const ink = Math.min(0.5, INK_SHARE * contrast);
  const inkColumns = new Uint8Array(width);
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    let rowInk = false;
    for (let x = 0; x < width; x++) {
      if (Math.abs((grey[y * width + x] ?? background) - background) > ink) {
        inkColumns[x] = 1;
        rowInk = true;
      }
    }
    if (rowInk) {
      if (top < 0) top = y;
      bottom = y;
    }
  }
  const runs: [number, number][] = [];
  let start = -1;
  for (let x = inkColumns.indexOf(1); x >= 0 && x <= inkColumns.lastIndexOf(1); x++) {
    if (!inkColumns[x] && start < 0) start = x;
    if (inkColumns[x] && start >= 0) {
      runs.push([start, x]);
      start = -1;
    }
  }
  const threshold = wordGapThreshold(
    runs.map(([a, b]) => b - a),
    bottom - top + 1,
  );
  return runs.filter(([a, b]) => b - a >= threshold);
}

/** Grey levels are binned this finely to find their median (normalised values span about −2 to 2). */
const MEDIAN_BINS = 1024;
const MEDIAN_RANGE = 4;

/**
 * The median of normalised grey levels, to 1/256 of a grey level's range:
 * a histogram, where sorting every crop's pixels cost a third of the
 * pre- and post-processing time.
 */
function medianOf(values: Float32Array): number {
  const counts = new Uint32Array(MEDIAN_BINS);
  const bin = (v: number) =>
    Math.min(MEDIAN_BINS - 1, Math.max(0, Math.floor(((v + MEDIAN_RANGE / 2) / MEDIAN_RANGE) * MEDIAN_BINS)));
  for (const v of values) counts[bin(v)] = (counts[bin(v)] ?? 0) + 1;
  let seen = 0;
  for (let b = 0; b < MEDIAN_BINS; b++) {
    seen += counts[b] ?? 0;
    if (seen > values.length >> 1) return ((b + 0.5) / MEDIAN_BINS) * MEDIAN_RANGE - MEDIAN_RANGE / 2;
  }
  return 0;
}

/**
 * The narrowest ink-free run of a line that is a word gap: where the
 * line's sorted gap widths make their widest step up from gaps between
 * letters to gaps between words — a step of at least ×1.5 and an eighth of
 * the text's height, to a gap of at least a quarter of it (every clean
 * sample's word gaps are 0.3 of it or more; the letters of a capitals-only
 * word, blurred and noisy on a sticker, stay below). The widest step, not
 * the steepest: blur makes a few letter pairs touch, and the step from
 * those to ordinary letter gaps is steep but short. A line with no such
 * step is one word, unless every gap is a third of the height or more
 * (single characters spaced apart, `x = 4`). Infinity: no word gaps.
 */
export function wordGapThreshold(gaps: readonly number[], textHeight: number): number {
  const sorted = [...gaps].sort((a, b) => a - b);
  let threshold = Number.POSITIVE_INFINITY;
  let widest = 0;
  for (let i = 1; i < sorted.length; i++) {
    const upper = sorted[i] ?? 0;
    const lower = sorted[i - 1] ?? 0;
    const step = upper - lower;
    const steep = upper / Math.max(lower, textHeight / 12) >= 1.5;
    if (upper >= textHeight / 4 && steep && step >= textHeight / 8 && step > widest) {
      widest = step;
      threshold = upper;
    }
  }
  const first = sorted[0];
  if (threshold === Number.POSITIVE_INFINITY && first !== undefined && first >= textHeight / 3) return first;
  return threshold;
}
