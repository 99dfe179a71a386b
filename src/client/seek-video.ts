/**
 * The fallback where WebCodecs is missing: a video's frames read on the page
 * by seeking a hidden `<video>` and drawing it, so any video this browser
 * can play can be captioned. Slower than decoding in order (every seek
 * decodes from the keyframe before it), so scene detection takes fewer
 * probes on long videos. Frames come out as PNG files (lossless) for the
 * worker, which handles them like frames a caller gave.
 */
import { CancelledError, VideoDecodeError } from '../shared/errors';
import { DEFAULT_VIDEO_SAMPLING, type VideoSampling } from '../shared/video-sampling';
import type { FrameTime } from '../media/video/frame-times';
import { type FrameReader, type SampleOptions, sampleFrames } from '../media/video/sample-frames';

/**
 * How long a seek's frame is waited for after `seeked` before it is drawn
 * anyway: frames come within 20 ms on a busy two-core machine; this only
 * bounds the rare seek whose frame Chromium presents without calling back.
 */
const PRESENT_WAIT_MS = 1000;

/** At most 120 seeks for scene detection: a probe every 0.1 s up to 12 s, sparser after. */
const MAX_PROBES = 120;

/** A frame read by seeking, as a PNG. */
export interface SeekedFrame extends FrameTime {
  readonly image: Blob;
}

/** Can this page decode video with WebCodecs? Where not, videos are sampled with {@link seekVideo}. */
export function hasWebCodecs(): boolean {
  return typeof globalThis.VideoDecoder === 'function';
}

/** Can this context seek a `<video>` (a page, not a worker)? */
export function canSeekVideo(): boolean {
  return typeof document !== 'undefined' && typeof document.createElement === 'function';
}

/** Resolves when the target fires `event`; rejects on its `error`, or when `signal` aborts. */
function once(target: HTMLVideoElement, event: string, signal: AbortSignal | undefined, cancel: () => Error) {
  return new Promise<void>((resolve, reject) => {
    const done = (fn: () => void) => {
      target.removeEventListener(event, onEvent);
      target.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onEvent = () => done(resolve);
    const onError = () => done(() => reject(new Error(target.error?.message || `media error ${target.error?.code}`)));
    const onAbort = () => done(() => reject(cancel()));
    target.addEventListener(event, onEvent, { once: true });
    target.addEventListener('error', onError, { once: true });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Samples `blob` on the page by seeking a `<video>`: the same frames, limits and errors as the worker's sampler. */
export async function seekVideo(
  blob: Blob,
  name: string,
  sampling: VideoSampling = DEFAULT_VIDEO_SAMPLING,
  options: SampleOptions = {},
): Promise<{ frames: SeekedFrame[]; duration: number; width: number; height: number; partial: string | null }> {
  const cancel = () => new CancelledError(options.jobId ?? name);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  const url = URL.createObjectURL(blob);
  const seek = async (time: number) => {
    const seeked = once(video, 'seeked', options.signal, cancel);
    video.currentTime = time;
    await seeked;
  };
  const presentations = watchPresentations(video, options.signal, cancel);
  /**
   * Seeks and waits until the frame at `time` is the one on show: `seeked`
   * alone can come before the decoder has a picture (the first seek of a
   * busy page drew a blank frame, which read as a scene change), so the
   * frame is drawn once the element has presented a frame after the seek.
   * The element presents its first frame once after load, by itself: that
   * one is waited for before any seek, so it is never taken for a seek's.
   * It is counted from the start, as it can come before the first seek or
   * after it, by the page's load. A paused element asked for the time it is
   * already at presents nothing new (Chromium elides that seek), so there
   * the frame on show is the one. On a loaded machine Chromium now and then
   * presents a seek's frame without calling back (a hang in about one
   * run in five of the browser tests under load): after {@link PRESENT_WAIT_MS} with the frame's data in
   * the element, it is drawn anyway, rather than waiting forever. Browsers
   * without the video frame callback wait until the element has the current
   * frame's data.
   */
  const seekFrame = async (time: number) => {
    if (presentations) await presentations.after(0, PRESENT_WAIT_MS);
    if (presentations && time === video.currentTime && !video.seeking) return;
    const before = presentations?.count ?? 0;
    await seek(time);
    if (presentations) await presentations.after(before, PRESENT_WAIT_MS);
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) await once(video, 'loadeddata', options.signal, cancel);
  };
  try {
    video.src = url;
    await once(video, 'loadedmetadata', options.signal, cancel).catch((err: unknown) => {
      if (options.signal?.aborted) throw err;
      throw new VideoDecodeError(name, 'this browser cannot play it (it may be damaged, or in a format it lacks)');
    });
    if (video.videoWidth === 0 || video.videoHeight === 0) {
      throw new VideoDecodeError(name, 'it has no video picture (only sound, or nothing this browser can show)');
    }
    let duration = video.duration;
    if (!Number.isFinite(duration)) {
      // Recordings (MediaRecorder WebM) carry no duration: seeking far past the end makes the browser find it.
      await seek(1e9);
      duration = video.duration;
    }
    if (!(duration > 0) || !Number.isFinite(duration)) throw new VideoDecodeError(name, 'it has no frames');
    const canvas = new OffscreenCanvas(1, 1);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas context on this page');
    const reader: FrameReader = {
      duration,
      width: video.videoWidth,
      height: video.videoHeight,
      codec: blob.type || 'video',
      maxProbes: MAX_PROBES,
      async *frames(times, width, height) {
        canvas.width = width;
        canvas.height = height;
        for (const time of times) {
          // The last instant of a file may have no frame to show: stay a little inside it.
          await seekFrame(Math.min(time, Math.max(0, duration - 0.001)));
          ctx.drawImage(video, 0, 0, width, height);
          yield ctx.getImageData(0, 0, width, height);
        }
      },
    };
    const { frames: sampled, partial } = await sampleFrames(reader, name, sampling, options);
    const frames: SeekedFrame[] = [];
    for (const { rgba, ...at } of sampled) {
      canvas.width = rgba.width;
      canvas.height = rgba.height;
      ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.data), rgba.width, rgba.height), 0, 0);
      frames.push({ ...at, image: await canvas.convertToBlob({ type: 'image/png' }) });
    }
    return { frames, duration, width: reader.width, height: reader.height, partial };
  } finally {
    presentations?.stop();
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

/** Counts the frames `video` presents, from now on, and waits for the next ones; null without the video frame callback. */
function watchPresentations(video: HTMLVideoElement, signal: AbortSignal | undefined, cancel: () => Error) {
  if (typeof video.requestVideoFrameCallback !== 'function') return null;
  let count = 0;
  let waiters: { above: number; resolve: () => void }[] = [];
  let id = 0;
  const watch = () => {
    id = video.requestVideoFrameCallback(() => {
      count += 1;
      const ready = waiters.filter((w) => count > w.above);
      waiters = waiters.filter((w) => count <= w.above);
      for (const w of ready) w.resolve();
      watch();
    });
  };
  watch();
  return {
    get count() {
      return count;
    },
    /**
     * Resolves once more than `above` frames have been presented, or after
     * `boundMs` without; rejects when `signal` aborts.
     */
    after(above: number, boundMs: number) {
      if (count > above) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const settle = (fn: () => void) => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== waiter);
          signal?.removeEventListener('abort', onAbort);
          fn();
        };
        const onAbort = () => settle(() => reject(cancel()));
        const waiter = { above, resolve: () => settle(resolve) };
        const timer = setTimeout(() => settle(resolve), boundMs);
        if (signal?.aborted) return onAbort();
        waiters.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stop: () => video.cancelVideoFrameCallback(id),
  };
}
