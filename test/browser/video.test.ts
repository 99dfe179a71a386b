/**
 * Videos into frames in real Chromium (WebCodecs + mediabunny): videos the
 * test makes itself, the sampled timestamps, scene detection catching a
 * short flash between even samples, and the specific errors for a damaged
 * file, an audio-only file and a video over the limit, and cancelling.
 */
import { RawImage } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Captioner, createCaptioner } from '../../src/client/captioner';
import type { CaptionEvent } from '../../src/shared/events';
import { TINY_PRESET, TINY_QWEN35_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';
import { type VideoProgress, sampleVideo } from '../../src/media/video/sample-video';
import { DEFAULT_VIDEO_SAMPLING } from '../../src/shared/video-sampling';
import { audioOnly, colourVideo } from './videos';
import { seekVideo } from '../../src/client/seek-video';
import { RGB_CAPTION, RGB_FRAMES, RGB_REASONING, VIDEO_PRESET } from '../fixtures/video-script';

/** The colour a frame mostly is. */
function colourOf(image: RawImage): string {
  const { data } = image;
  let [r, g, b] = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) {
    r += data[i] ?? 0;
    g += data[i + 1] ?? 0;
    b += data[i + 2] ?? 0;
  }
  const n = data.length / 3;
  [r, g, b] = [r / n, g / n, b / n];
  if (r > 200 && g > 200 && b > 200) return 'white';
  if (r > 150 && g < 100 && b < 100) return 'red';
  if (g > 150 && r < 100 && b < 100) return 'green';
  if (b > 150 && r < 100 && g < 100) return 'blue';
  if (Math.abs(r - g) < 20 && Math.abs(g - b) < 20) return 'grey';
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

let rgb: Blob;
let flash: Blob;
beforeAll(async () => {
  rgb = await colourVideo([
    { colour: '#e01010', seconds: 2 },
    { colour: '#10d020', seconds: 2 },
    { colour: '#1020e0', seconds: 2 },
  ]);
  flash = await colourVideo([
    { colour: '#808080', seconds: 2.1 },
    { colour: '#ffffff', seconds: 0.3 },
    { colour: '#808080', seconds: 3.6 },
  ]);
});

describe('sampling', () => {
  test('2 s red, 2 s green, 2 s blue: eight even frames, in order, each its colour', async () => {
    const progress: VideoProgress[] = [];
    const video = await sampleVideo(rgb, 'rgb.webm', DEFAULT_VIDEO_SAMPLING, { onProgress: (p) => progress.push(p) });
    expect(video).toMatchObject({ duration: 6, width: 64, height: 48, codec: 'VP8' });
    expect(video.frames.map((f) => [f.time, f.reason, colourOf(f.image)])).toEqual([
      [0.375, 'uniform', 'red'],
      [1.125, 'uniform', 'red'],
      [1.875, 'uniform', 'red'],
      [2.625, 'uniform', 'green'],
      [3.375, 'uniform', 'green'],
      [4.125, 'uniform', 'blue'],
      [4.875, 'uniform', 'blue'],
      [5.625, 'uniform', 'blue'],
    ]);
    expect(progress.at(-1)).toEqual({ phase: 'sampling', done: 8, total: 8 });
    expect(progress.filter((p) => p.phase === 'scanning')).toHaveLength(60);
  });

  test('a 0.3 s white flash between two even samples is caught by scene detection, and only by it', async () => {
    const seen = await sampleVideo(flash, 'flash.webm');
    expect(seen.frames.filter((f) => f.reason === 'scene').map((f) => [f.time, colourOf(f.image)])).toEqual([
      [2.2, 'white'],
    ]);
    expect(seen.frames.filter((f) => f.reason === 'uniform').every((f) => colourOf(f.image) === 'grey')).toBe(true);
    const blind = await sampleVideo(flash, 'flash.webm', { ...DEFAULT_VIDEO_SAMPLING, sceneDetection: false });
    expect(blind.frames.map((f) => colourOf(f.image))).toEqual(Array(8).fill('grey'));
  });

  test('frames are downscaled to the longest side asked for; K is configurable', async () => {
    const video = await sampleVideo(rgb, 'rgb.webm', { ...DEFAULT_VIDEO_SAMPLING, frames: 3, side: 32 });
    expect(video.frames.map((f) => [f.time, f.image.width, f.image.height])).toEqual([
      [1, 32, 24],
      [3, 32, 24],
      [5, 32, 24],
    ]);
  });
});

describe('errors', () => {
  test('a damaged file, an audio-only file and a video over the limits each get their own message', async () => {
    const damaged = new Blob([new Uint8Array(await rgb.arrayBuffer()).slice(0, 40)], { type: 'video/webm' });
    await expect(sampleVideo(damaged, 'damaged.webm')).rejects.toMatchObject({
      name: 'VideoDecodeError',
      message: expect.stringMatching(/^Could not read "damaged.webm" as a video: /),
    });
    await expect(sampleVideo(new Blob(['not a video at all']), 'notes.webm')).rejects.toMatchObject({
      name: 'VideoDecodeError',
    });
    await expect(sampleVideo(await audioOnly(), 'song.webm')).rejects.toMatchObject({
      name: 'VideoDecodeError',
      message: 'Could not read "song.webm" as a video: it has only an audio track, no video.',
    });
    await expect(sampleVideo(rgb, 'rgb.webm', { ...DEFAULT_VIDEO_SAMPLING, maxSeconds: 5 })).rejects.toMatchObject({
      name: 'VideoTooLargeError',
      message: '"rgb.webm" is 6 s long; the limit is 5 s (change it in the settings).',
    });
    await expect(sampleVideo(rgb, 'rgb.webm', { ...DEFAULT_VIDEO_SAMPLING, maxPixels: 1000 })).rejects.toMatchObject({
      name: 'VideoTooLargeError',
      message: '"rgb.webm" is 64 × 48; the limit is 1,000 pixels a frame.',
    });
  });

  test('cancelling during the scan stops it with CancelledError', async () => {
    const abort = new AbortController();
    let probes = 0;
    const sampled = sampleVideo(rgb, 'rgb.webm', DEFAULT_VIDEO_SAMPLING, {
      signal: abort.signal,
      jobId: 'job-7',
      onProgress: (p) => {
        probes += 1;
        if (p.done === 5) abort.abort();
      },
    });
    await expect(sampled).rejects.toMatchObject({ name: 'CancelledError', message: 'Job job-7 was cancelled.' });
    expect(probes).toBe(5);
  });
});

describe('where WebCodecs is missing: seeking a <video> on the page', () => {
  test('the same frames, times and colours as decoding; the flash is caught; the same limits', async () => {
    const seeked = await seekVideo(rgb, 'rgb.webm');
    const decoded = await sampleVideo(rgb, 'rgb.webm');
    const colours = await Promise.all(
      seeked.frames.map(async (f) => colourOf((await RawImage.fromBlob(f.image)).rgb())),
    );
    expect(seeked.frames.map((f, i) => [f.time, f.reason, colours[i]])).toEqual(
      decoded.frames.map((f) => [f.time, f.reason, colourOf(f.image)]),
    );
    expect(seeked).toMatchObject({ duration: 6, width: 64, height: 48 });
    const flashed = await seekVideo(flash, 'flash.webm');
    const scenes = flashed.frames.filter((f) => f.reason === 'scene');
    expect(scenes.map((f) => f.time)).toEqual([2.2]);
    expect(colourOf((await RawImage.fromBlob(scenes[0]?.image ?? new Blob())).rgb())).toBe('white');
    await expect(seekVideo(rgb, 'rgb.webm', { ...DEFAULT_VIDEO_SAMPLING, maxSeconds: 5 })).rejects.toMatchObject({
      name: 'VideoTooLargeError',
      message: '"rgb.webm" is 6 s long; the limit is 5 s (change it in the settings).',
    });
  });

  /** The [time, colour] of each frame seekVideo reads from `video`; a hang fails the test. */
  async function seekedWithoutHang(video: Blob) {
    let hung: ReturnType<typeof setTimeout> | undefined;
    const seeked = await Promise.race([
      seekVideo(video, 'rgb.webm'),
      // Only a bound on the failure: the reading itself takes about two seconds.
      new Promise<never>((_, reject) => {
        hung = setTimeout(() => reject(new Error('the seeking reader hung')), 60_000);
      }),
    ]).finally(() => clearTimeout(hung));
    const colours = await Promise.all(
      seeked.frames.map(async (f) => colourOf((await RawImage.fromBlob(f.image)).rgb())),
    );
    return seeked.frames.map((f, i) => [f.time, colours[i]]);
  }

  test('on a page so busy that the first frame is shown before the first seek: the same frames, no hang', async () => {
    // Chromium elides a seek to the time a paused element is at: it presents no frame. When the element's
    // first frame came before the reader asked for one (a busy page), waiting for a frame after seeking to 0
    // hung. Here every video's 'loadedmetadata' reaches its listeners only once the first frame was presented.
    const add = HTMLMediaElement.prototype.addEventListener;
    HTMLMediaElement.prototype.addEventListener = function (
      this: HTMLMediaElement,
      type: string,
      listener: EventListenerOrEventListenerObject,
      opts?: boolean | AddEventListenerOptions,
    ) {
      if (type !== 'loadedmetadata' || !(this instanceof HTMLVideoElement) || typeof listener !== 'function')
        return add.call(this, type, listener, opts);
      const video = this;
      const presented = new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));
      return add.call(this, type, (e: Event) => void presented.then(() => listener.call(video, e)), opts);
    } as typeof add;
    try {
      expect(await seekedWithoutHang(rgb)).toEqual(RGB_FRAMES);
    } finally {
      HTMLMediaElement.prototype.addEventListener = add;
    }
  });

  test('a seek whose frame is presented without its callback (seen under load) is drawn after a bound, not waited for forever', async () => {
    // Under load Chromium now and then presents a seek's frame without calling the video frame callback;
    // waiting for it hung. Here the tenth presentation of each video is swallowed (the callback is kept
    // for the next one), as that did.
    const request = HTMLVideoElement.prototype.requestVideoFrameCallback;
    const presented = new WeakMap<HTMLVideoElement, number>();
    HTMLVideoElement.prototype.requestVideoFrameCallback = function (
      this: HTMLVideoElement,
      callback: VideoFrameRequestCallback,
    ): number {
      const forward: VideoFrameRequestCallback = (now, metadata) => {
        const n = (presented.get(this) ?? 0) + 1;
        presented.set(this, n);
        if (n === 10) request.call(this, forward);
        else callback(now, metadata);
      };
      return request.call(this, forward);
    };
    try {
      expect(await seekedWithoutHang(rgb)).toEqual(RGB_FRAMES);
    } finally {
      HTMLVideoElement.prototype.requestVideoFrameCallback = request;
    }
  });

  test('a damaged file and an audio-only file get their own messages; cancelling stops the seeking', async () => {
    const damaged = new Blob([new Uint8Array(await rgb.arrayBuffer()).slice(0, 40)], { type: 'video/webm' });
    await expect(seekVideo(damaged, 'damaged.webm')).rejects.toMatchObject({
      name: 'VideoDecodeError',
      message: expect.stringMatching(/^Could not read "damaged.webm" as a video: this browser cannot play it/),
    });
    await expect(seekVideo(await audioOnly(), 'song.webm')).rejects.toMatchObject({
      name: 'VideoDecodeError',
      message: expect.stringMatching(/^Could not read "song.webm" as a video: it has no video picture/),
    });
    const abort = new AbortController();
    let seen = 0;
    const seeking = seekVideo(rgb, 'rgb.webm', DEFAULT_VIDEO_SAMPLING, {
      signal: abort.signal,
      jobId: 'job-9',
      onProgress: () => {
        seen += 1;
        if (seen === 4) abort.abort();
      },
    });
    await expect(seeking).rejects.toMatchObject({ name: 'CancelledError', message: 'Job job-9 was cancelled.' });
    expect(seen).toBe(4);
  });
});

/** A single-pass job on `video` whose caller cancels it at its third progress step. */
function cancelledAtFrame3(captioner: Captioner, video: Blob) {
  const abort = new AbortController();
  return captioner.capflow({
    video,
    options: { mode: 'single-pass' },
    signal: abort.signal,
    onEvent: (e) => {
      if (e.type === 'video-frames' && e.done === 3) abort.abort();
    },
  });
}

describe('through the captioner and its worker', () => {
  const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;
  let captioner: Captioner;
  beforeAll(async () => {
    captioner = createCaptioner({ source });
    await captioner.load({ preset: TINY_PRESET, roles: ['vlm', 'router'], device: 'wasm' });
  });
  afterAll(() => captioner.dispose());

  test('a video file is sampled in the worker, with progress; its frame times reach the record', async () => {
    const events: CaptionEvent[] = [];
    const record = await captioner.capflow({
      video: rgb,
      name: 'rgb.webm',
      options: { mode: 'single-pass', judge: null },
      onEvent: (e) => events.push(e),
    });
    expect(record.timestamps).toEqual([0.375, 1.125, 1.875, 2.625, 3.375, 4.125, 4.875, 5.625]);
    expect(record.domain?.id).toBe('video');
    const frames = events.filter((e) => e.type === 'video-frames');
    expect(frames.at(0)).toMatchObject({ phase: 'scanning', done: 1, total: 60 });
    expect(frames.at(-1)).toMatchObject({ phase: 'sampling', done: 8, total: 8 });
  });

  test('a bad video fails alone: the next job runs; a cancelled sampling stops', async () => {
    const [songFile, red] = [await audioOnly(), await solidImage('#e01020')];
    const song = captioner.capflow({ video: songFile, name: 'song.webm', options: { mode: 'single-pass' } });
    const image = captioner.capflow({ image: red, options: { mode: 'single-pass' } });
    await expect(song).rejects.toMatchObject({ name: 'VideoDecodeError' });
    expect((await image).caption).toBe(TINY_VLM_CAPTIONS.red);

    const cancelled = cancelledAtFrame3(captioner, flash);
    await expect(cancelled).rejects.toMatchObject({ name: 'CancelledError' });
  });

  test('on a Qwen3.5 VLM too (its processor would stack the frames as one image): all eight frames reach it', async () => {
    const qwen = createCaptioner({ source });
    try {
      await qwen.load({ preset: { ...TINY_PRESET, vlm: TINY_QWEN35_VLM }, roles: ['vlm'], device: 'wasm' });
      const record = await qwen.capflow({ video: rgb, options: { mode: 'single-pass', domain: 'video', judge: null } });
      expect(record.timestamps).toHaveLength(8);
      expect(record.caption.length).toBeGreaterThan(0);
    } finally {
      qwen.dispose();
    }
  });

  test('CapFlow on a known video, frame by frame: the exact caption, from the timeline in time order', async () => {
    const frameByFrame = createCaptioner({ source });
    try {
      await frameByFrame.load({ preset: VIDEO_PRESET, roles: ['vlm', 'llm', 'router'], device: 'wasm' });
      const events: CaptionEvent[] = [];
      const record = await frameByFrame.capflow({
        video: rgb,
        name: 'rgb.webm',
        options: { mode: 'capflow', judge: null },
        onEvent: (e) => events.push(e),
      });
      const perception = record.trace.filter((t) => t.role === 'perception');
      expect(perception.map((t) => [t.agent, t.frames, t.output])).toEqual(
        RGB_FRAMES.map(([time, colour], i) => [`video-perception@${i + 1}`, [time], TINY_VLM_CAPTIONS[colour]]),
      );
      expect(record.trace.find((t) => t.agent === 'video-reasoning')?.output).toBe(RGB_REASONING);
      expect(record.caption).toBe(RGB_CAPTION);
      // Live stages in the order they run: the frames in time order, then the overview, then the reasoning.
      const started = events.flatMap((e) => (e.type === 'agent-start' ? [e.agent] : []));
      expect(started.filter((a) => a.startsWith('video-'))).toEqual([
        ...RGB_FRAMES.map((_, i) => `video-perception@${i + 1}`),
        'video-guideline',
        'video-reasoning',
      ]);
    } finally {
      frameByFrame.dispose();
    }
  });

  test('a page without WebCodecs reads the frames by seeking, says so, and the record shows it; cancel stops it', async () => {
    const page = globalThis as { VideoDecoder?: unknown };
    const decoder = page.VideoDecoder;
    delete page.VideoDecoder;
    try {
      const events: CaptionEvent[] = [];
      const record = await captioner.capflow({
        video: rgb,
        name: 'rgb.webm',
        options: { mode: 'single-pass', judge: null },
        onEvent: (e) => events.push(e),
      });
      expect(record.sampledBy).toBe('seeking');
      expect(record.timestamps).toEqual(RGB_FRAMES.map(([t]) => t));
      expect(events.find((e) => e.type === 'notice')).toMatchObject({
        message: expect.stringMatching(/^This browser has no WebCodecs: the frames of "rgb.webm" are read by seeking/),
      });
      expect(events.filter((e) => e.type === 'video-frames').at(-1)).toMatchObject({ phase: 'sampling', done: 8 });

      const cancelled = cancelledAtFrame3(captioner, flash);
      const next = captioner.capflow({ image: await solidImage('#1020e0'), options: { mode: 'single-pass' } });
      await expect(cancelled).rejects.toMatchObject({ name: 'CancelledError' });
      expect((await next).caption).toBe(TINY_VLM_CAPTIONS.blue);
    } finally {
      page.VideoDecoder = decoder;
    }
    const decoded = await captioner.capflow({ video: rgb, options: { mode: 'single-pass', judge: null } });
    expect(decoded.sampledBy).toBe('webcodecs');
  });

  test('a sampling setting out of bounds is refused before any work', async () => {
    await expect(captioner.capflow({ video: rgb, videoSampling: { frames: 0 } })).rejects.toThrow(
      'The video setting frames must be 1–32, a whole number; got 0.',
    );
  });
});
