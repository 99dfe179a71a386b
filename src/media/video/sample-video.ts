/**
 * A video file into timestamped frames for the VLM, in the worker, with
 * WebCodecs through mediabunny (demuxing MP4/MOV, WebM/MKV and more;
 * decoding whatever codecs this browser's WebCodecs has). Frames are drawn
 * through one pooled canvas per size and each decoded frame is closed as
 * soon as it is drawn, so memory stays flat however long the video. What to
 * sample is sample-frames.ts's.
 */
import { RawImage } from '@huggingface/transformers';
import { ALL_FORMATS, BlobSource, CanvasSink, Input, type InputVideoTrack, type WrappedCanvas } from 'mediabunny';
import { CancelledError, VideoDecodeError, errorText, isCaptionerError } from '../../shared/errors';
import { DEFAULT_VIDEO_SAMPLING, type VideoSampling } from '../../shared/video-sampling';
import type { FrameTime } from './frame-times';
import { type FrameReader, type Rgba, type SampleOptions, decodeFailure, sampleFrames } from './sample-frames';

export { decodeFailure } from './sample-frames';
export type { VideoProgress } from './sample-frames';

/** Decoding in order is cheap: a probe every 0.1 s up to 600 of them (a minute at full rate). */
const MAX_PROBES = 600;

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
  /** Null when the whole video could be read; else what went wrong (the frames are those read). */
  readonly partial: string | null;
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
  options: SampleOptions = {},
): Promise<SampledVideo> {
  const input = new Input({ source: new BlobSource(blob), formats: ALL_FORMATS });
  const stop = () => input.dispose();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const reader = await openReader(input, name);
    const { frames, partial } = await sampleFrames(reader, name, sampling, options);
    return {
      frames: frames.map(({ rgba, ...at }) => ({ ...at, image: rgbImage(rgba) })),
      partial,
      duration: reader.duration,
      width: reader.width,
      height: reader.height,
      codec: reader.codec,
    };
  } catch (err) {
    if (options.signal?.aborted) throw new CancelledError(options.jobId ?? name);
    if (isCaptionerError(err, 'VideoDecodeError') || isCaptionerError(err, 'VideoTooLargeError')) throw err;
    throw new VideoDecodeError(name, decodeFailure(err));
  } finally {
    options.signal?.removeEventListener('abort', stop);
    input.dispose();
  }
}

/** The video track as a frame reader, or the specific reason there is none to sample. */
async function openReader(input: Input, name: string): Promise<FrameReader> {
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
  const duration = await track.computeDuration();
  if (!(duration > 0)) throw new VideoDecodeError(name, 'it has no frames');
  const video = track;
  return {
    duration,
    width: video.displayWidth,
    height: video.displayHeight,
    codec,
    maxProbes: MAX_PROBES,
    async *frames(times, width, height) {
      const sink = new CanvasSink(video, { width, height, fit: 'fill', poolSize: 1 });
      for await (const canvas of sink.canvasesAtTimestamps(times)) {
        // A time before the first frame (an edit list starting late) shows the first frame.
        const shown = canvas ?? (await sink.getCanvas(await video.getFirstTimestamp()));
        yield shown ? rgbaOf(shown) : null;
      }
    },
  };
}

/** The RGBA pixels of a drawn frame (an HTMLCanvasElement on a page, an OffscreenCanvas in a worker: both read alike). */
function rgbaOf(wrapped: WrappedCanvas): Rgba {
  const canvas = wrapped.canvas as OffscreenCanvas;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context on a decoded frame');
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** The frame as packed RGB (what the VLM processors take). */
function rgbImage({ data: rgba, width, height }: Rgba): RawImage {
  const rgb = new Uint8ClampedArray((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i] ?? 0;
    rgb[j + 1] = rgba[i + 1] ?? 0;
    rgb[j + 2] = rgba[i + 2] ?? 0;
  }
  return new RawImage(rgb, width, height, 3);
}
