/**
 * Sampling a video, whatever decodes it: the limits, the scene-detection
 * scan over tiny probe frames, the choice of frames (frame-times.ts), then
 * the chosen frames at the VLM's size, with progress and cancel between
 * frames. A `FrameReader` is the decoder: WebCodecs through mediabunny in
 * the worker (sample-video.ts), or a seeked `<video>` on the page where
 * WebCodecs is missing (seek-video.ts).
 */
import { CancelledError, VideoDecodeError, VideoTooLargeError } from '../../shared/errors';
import type { VideoSampling } from '../../shared/video-sampling';
import { type FrameTime, type Probe, frameTimes, probeTimes } from './frame-times';
import { colourHistogram, histogramDistance } from './histogram';

/** Scene detection: a probe every 0.1 s (a 0.3 s event gets two or three). */
const PROBE_STEP = 0.1;
/** Probe frames are this small: colours survive, decoding and reading them back stays cheap. */
const PROBE_SIDE = 16;
/** Half-L1 histogram distance above which two probes are different scenes. */
const CUT_THRESHOLD = 0.35;

/** RGBA pixels of one drawn frame (an ImageData, or its shape). */
export interface Rgba {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** An opened video and a way to draw its frames. */
export interface FrameReader {
  readonly duration: number;
  readonly width: number;
  readonly height: number;
  /** The codec by its common name (H.264, VP9, …), or what the reader knows of it. */
  readonly codec: string;
  /** At most this many probes for scene detection (seeking is far slower than decoding in order). */
  readonly maxProbes: number;
  /** Each time's frame drawn at `width` × `height`, in order; null where none could be drawn. */
  frames(times: readonly number[], width: number, height: number): AsyncIterable<Rgba | null>;
}

/** Progress: probing for scene cuts, then drawing the chosen frames. */
export interface VideoProgress {
  readonly phase: 'scanning' | 'sampling';
  readonly done: number;
  readonly total: number;
}

/** Options of one sampling run. */
export interface SampleOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: VideoProgress) => void;
  readonly jobId?: string;
}

/** A sampled frame's pixels, time and why it was chosen. */
export interface SampledFrame extends FrameTime {
  readonly rgba: Rgba;
}

/** Refuses a video over the user's limits, before any frame is drawn. */
function checkLimits(
  name: string,
  size: { width: number; height: number; duration: number },
  sampling: VideoSampling,
): void {
  if (size.width * size.height > sampling.maxPixels) {
    throw new VideoTooLargeError(
      `"${name}" is ${size.width} × ${size.height}; the limit is ${sampling.maxPixels.toLocaleString('en')} pixels a frame.`,
    );
  }
  if (size.duration > sampling.maxSeconds) {
    throw new VideoTooLargeError(
      `"${name}" is ${formatSeconds(size.duration)} long; the limit is ${formatSeconds(sampling.maxSeconds)} (change it in the settings).`,
    );
  }
}

function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m ? `${m} min ${s} s` : `${Math.round(seconds * 10) / 10} s`;
}

/** Samples an opened video: check the limits, scan for cuts (when asked), choose the times, draw those frames. */
export async function sampleFrames(
  reader: FrameReader,
  name: string,
  sampling: VideoSampling,
  options: SampleOptions = {},
): Promise<SampledFrame[]> {
  checkLimits(name, reader, sampling);
  const checkCancel = () => {
    if (options.signal?.aborted) throw new CancelledError(options.jobId ?? name);
  };
  const probes: Probe[] = [];
  if (sampling.sceneDetection) {
    const times = probeTimes(reader.duration, PROBE_STEP, reader.maxProbes);
    let previous: Float32Array | null = null;
    for await (const probe of reader.frames(times, PROBE_SIDE, PROBE_SIDE)) {
      checkCancel();
      const histogram: Float32Array | null = probe ? colourHistogram(probe.data) : previous;
      const time = times[probes.length] ?? 0;
      probes.push({ time, change: histogram && previous ? histogramDistance(histogram, previous) : 0 });
      previous = histogram;
      options.onProgress?.({ phase: 'scanning', done: probes.length, total: times.length });
    }
  }
  const chosen = frameTimes(reader.duration, sampling.frames, probes, CUT_THRESHOLD, sampling.frames);
  const scale = Math.min(1, sampling.side / Math.max(reader.width, reader.height));
  const width = Math.max(1, Math.round(reader.width * scale));
  const height = Math.max(1, Math.round(reader.height * scale));
  const frames: SampledFrame[] = [];
  for await (const rgba of reader.frames(
    chosen.map((c) => c.time),
    width,
    height,
  )) {
    checkCancel();
    const at = chosen[frames.length];
    if (!at) break;
    if (!rgba) throw new VideoDecodeError(name, `no frame could be drawn at ${at.time} s`);
    frames.push({ ...at, rgba });
    options.onProgress?.({ phase: 'sampling', done: frames.length, total: chosen.length });
  }
  return frames;
}
