/**
 * A video file into timestamped frames for the VLM, with WebCodecs through
 * mediabunny (demuxing MP4/MOV, WebM/MKV and more; decoding whatever codecs
 * this browser's WebCodecs has). Two passes over the file: tiny probe
 * frames for scene cuts (frame-times.ts), then the chosen frames at the
 * VLM's size. Every decoded frame is closed as soon as it is drawn, and
 * canvases are pooled, so memory stays flat however long the video.
 */
import { RawImage } from '@huggingface/transformers';
import { ALL_FORMATS, BlobSource, CanvasSink, Input, type InputVideoTrack, type WrappedCanvas } from 'mediabunny';
import { CancelledError, VideoDecodeError, VideoTooLargeError, errorText } from '../../shared/errors';
import { DEFAULT_VIDEO_SAMPLING, type VideoSampling } from '../../shared/video-sampling';
import { type FrameTime, type Probe, frameTimes, probeTimes } from './frame-times';
import { colourHistogram, histogramDistance } from './histogram';

/** Scene detection: a probe every 0.1 s (a 0.3 s event gets two or three), at most 600 probes. */
const PROBE_STEP = 0.1;
const MAX_PROBES = 600;
/** Probe frames are this small: colours survive, decoding and reading them back stays cheap. */
const PROBE_SIDE = 16;
/** Half-L1 histogram distance above which two probes are different scenes. */
const CUT_THRESHOLD = 0.35;

/** A sampled frame. */
export interface VideoFrameSample extends FrameTime {
  readonly image: RawImage;
}

/** What sampling found. */
export interface SampledVideo {
  readonly frames: readonly VideoFrameSample[];
  readonly duration: number;
  readonly width: number;
  readonly height: number;
  /** The codec by its common name (H.264, VP9, AV1, …). */
  readonly codec: string;
}

/** Progress: probing for scene cuts, then decoding the chosen frames. */
export interface VideoProgress {
  readonly phase: 'scanning' | 'sampling';
  readonly done: number;
  readonly total: number;
}

const CODEC_NAMES: Readonly<Record<string, string>> = Object.freeze({
  avc: 'H.264',
  hevc: 'H.265 (HEVC)',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  prores: 'ProRes',
});

/** Samples `blob` (called `name` in errors); stops with a CancelledError when `signal` aborts. */
export async function sampleVideo(
  blob: Blob,
  name: string,
  sampling: VideoSampling = DEFAULT_VIDEO_SAMPLING,
  options: {
    readonly signal?: AbortSignal;
    readonly onProgress?: (p: VideoProgress) => void;
    readonly jobId?: string;
  } = {},
): Promise<SampledVideo> {
  const input = new Input({ source: new BlobSource(blob), formats: ALL_FORMATS });
  const stop = () => input.dispose();
  options.signal?.addEventListener('abort', stop, { once: true });
  const cancelled = () => new CancelledError(options.jobId ?? name);
  try {
    const { track, codec, duration } = await openTrack(input, name, sampling);
    const width = track.displayWidth;
    const height = track.displayHeight;
    let probes: Probe[] = [];
    if (sampling.sceneDetection) {
      const times = probeTimes(duration, PROBE_STEP, MAX_PROBES);
      const sink = new CanvasSink(track, { width: PROBE_SIDE, height: PROBE_SIDE, fit: 'fill', poolSize: 1 });
      let previous: Float32Array | null = null;
      for await (const canvas of sink.canvasesAtTimestamps(times)) {
        if (options.signal?.aborted) throw cancelled();
        const histogram: Float32Array | null = canvas ? colourHistogram(rgbaOf(canvas).data) : previous;
        const time = times[probes.length] ?? 0;
        probes.push({ time, change: histogram && previous ? histogramDistance(histogram, previous) : 0 });
        previous = histogram;
        options.onProgress?.({ phase: 'scanning', done: probes.length, total: times.length });
      }
    }
    const chosen = frameTimes(duration, sampling.frames, probes, CUT_THRESHOLD, sampling.frames);
    probes = [];
    const scale = Math.min(1, sampling.side / Math.max(width, height));
    const sink = new CanvasSink(track, {
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
      fit: 'fill',
      poolSize: 1,
    });
    const frames: VideoFrameSample[] = [];
    for await (const canvas of sink.canvasesAtTimestamps(chosen.map((c) => c.time))) {
      if (options.signal?.aborted) throw cancelled();
      const at = chosen[frames.length];
      if (!at) break;
      // A time before the first frame (an edit list starting late) shows the first frame.
      const shown = canvas ?? (await sink.getCanvas(await track.getFirstTimestamp()));
      if (!shown) throw new VideoDecodeError(name, `no frame could be decoded at ${at.time} s`);
      frames.push({ ...at, image: imageOf(shown) });
      options.onProgress?.({ phase: 'sampling', done: frames.length, total: chosen.length });
    }
    return { frames, duration, width, height, codec };
  } catch (err) {
    if (options.signal?.aborted) throw cancelled();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    input.dispose();
  }
}

/** The video track, its codec's name and duration, or the specific reason there is none to sample. */
async function openTrack(
  input: Input,
  name: string,
  sampling: VideoSampling,
): Promise<{ track: InputVideoTrack; codec: string; duration: number }> {
  let track: InputVideoTrack | null;
  try {
    track = await input.getPrimaryVideoTrack();
  } catch (err) {
    throw new VideoDecodeError(name, `the file is damaged or not a video container this app reads (${errorText(err)})`);
  }
  if (!track) {
    const audio = await input.getPrimaryAudioTrack().catch(() => null);
    throw new VideoDecodeError(
      name,
      audio ? 'it has only an audio track, no video' : 'it has no video track (it may be damaged or cut short)',
    );
  }
  const codec = CODEC_NAMES[track.codec ?? ''] ?? (await track.getCodecParameterString()) ?? 'unknown';
  if (!(await track.canDecode())) {
    throw new VideoDecodeError(name, `this browser cannot decode its ${codec} video`);
  }
  const pixels = track.displayWidth * track.displayHeight;
  if (pixels > sampling.maxPixels) {
    throw new VideoTooLargeError(
      `"${name}" is ${track.displayWidth} × ${track.displayHeight}; the limit is ${sampling.maxPixels.toLocaleString('en')} pixels a frame.`,
    );
  }
  const duration = await track.computeDuration();
  if (!(duration > 0)) throw new VideoDecodeError(name, 'it has no frames');
  if (duration > sampling.maxSeconds) {
    throw new VideoTooLargeError(
      `"${name}" is ${formatSeconds(duration)} long; the limit is ${formatSeconds(sampling.maxSeconds)} (change it in the settings).`,
    );
  }
  return { track, codec, duration };
}

function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m ? `${m} min ${s} s` : `${Math.round(seconds * 10) / 10} s`;
}

/** The RGBA pixels of a drawn frame (an HTMLCanvasElement on a page, an OffscreenCanvas in a worker: both read alike). */
function rgbaOf(wrapped: WrappedCanvas): { data: Uint8ClampedArray; width: number; height: number } {
  const canvas = wrapped.canvas as OffscreenCanvas;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context on a decoded frame');
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** The frame as packed RGB, copied out of the pooled canvas. */
function imageOf(wrapped: WrappedCanvas): RawImage {
  const { data: rgba, width, height } = rgbaOf(wrapped);
  const rgb = new Uint8ClampedArray((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i] ?? 0;
    rgb[j + 1] = rgba[i + 1] ?? 0;
    rgb[j + 2] = rgba[i + 2] ?? 0;
  }
  return new RawImage(rgb, width, height, 3);
}
