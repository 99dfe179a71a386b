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

/** What sampling read: the frames, and what went wrong when the video could only partly be read. */
export interface SampledFrames {
  readonly frames: readonly SampledFrame[];
  /** Null when every frame was read; else why not, for the user (the caption uses the frames read). */
  readonly partial: string | null;
}

/**
 * What went wrong while demuxing or decoding, in words, from what WebCodecs and mediabunny raise: a frame
 * marked as a key frame that is not one, data the decoder rejects, a sample table that points past the
 * file. The original message follows, for a bug report.
 */
export function decodeFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (/key ?frame/i.test(text)) return `a frame marked as a key frame is not one, so the file is damaged (${text})`;
  if (name === 'EncodingError' || /decod/i.test(text)) {
    return `its frames could not be decoded: the file is damaged (${text})`;
  }
  if (name === 'RangeError' || /tried reading/i.test(text)) {
    return `its index points past the data in the file: it is damaged or cut short (${text})`;
  }
  return `reading it failed (${text})`;
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

/**
 * Samples an opened video: check the limits, scan for cuts (when asked), choose the times, draw those frames.
 * A video that breaks part-way is used as far as it could be read: a scan that fails falls back to evenly
 * spaced frames, and a frame that cannot be drawn ends sampling with the frames before it; `partial` says
 * what happened. Only a video with no frame read at all fails, with a {@link VideoDecodeError}.
 */
export async function sampleFrames(
  reader: FrameReader,
  name: string,
  sampling: VideoSampling,
  options: SampleOptions = {},
): Promise<SampledFrames> {
  checkLimits(name, reader, sampling);
  const checkCancel = () => {
    if (options.signal?.aborted) throw new CancelledError(options.jobId ?? name);
  };
  const problems: string[] = [];
  let probes: Probe[] = [];
  if (sampling.sceneDetection) {
    const times = probeTimes(reader.duration, PROBE_STEP, reader.maxProbes);
    let previous: Float32Array | null = null;
    try {
      for await (const probe of reader.frames(times, PROBE_SIDE, PROBE_SIDE)) {
        checkCancel();
        const histogram: Float32Array | null = probe ? colourHistogram(probe.data) : previous;
        const time = times[probes.length] ?? 0;
        probes.push({ time, change: histogram && previous ? histogramDistance(histogram, previous) : 0 });
        previous = histogram;
        options.onProgress?.({ phase: 'scanning', done: probes.length, total: times.length });
      }
    } catch (err) {
      checkCancel();
      const at = times[probes.length] ?? 0;
      problems.push(
        `the scan for scene changes stopped at ${at.toFixed(1)} s, so frames are evenly spaced (${decodeFailure(err)})`,
      );
      probes = [];
    }
  }
  const chosen = frameTimes(reader.duration, sampling.frames, probes, CUT_THRESHOLD, sampling.frames);
  const scale = Math.min(1, sampling.side / Math.max(reader.width, reader.height));
  const width = Math.max(1, Math.round(reader.width * scale));
  const height = Math.max(1, Math.round(reader.height * scale));
  const frames: SampledFrame[] = [];
  const stopped = (why: string) => {
    // Nothing read: what went wrong earlier (a scan that failed) says more about the file than the last step.
    if (frames.length === 0) throw new VideoDecodeError(name, [why, ...problems].join('; '));
    problems.push(`only ${frames.length} of ${chosen.length} frames could be read (${why})`);
  };
  try {
    for await (const rgba of reader.frames(
      chosen.map((c) => c.time),
      width,
      height,
    )) {
      checkCancel();
      const at = chosen[frames.length];
      if (!at) break;
      if (!rgba) {
        stopped(`no frame could be drawn at ${at.time} s (the file may be damaged)`);
        break;
      }
      frames.push({ ...at, rgba });
      options.onProgress?.({ phase: 'sampling', done: frames.length, total: chosen.length });
    }
  } catch (err) {
    checkCancel();
    if (err instanceof Error && err.name === 'VideoDecodeError') throw err;
    stopped(decodeFailure(err));
  }
  return { frames, partial: problems.length ? problems.join('; ') : null };
}
