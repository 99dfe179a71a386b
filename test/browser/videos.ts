/**
 * Test videos made in the browser: a canvas painted frame by frame, encoded
 * with WebCodecs (VP8, which Chromium encodes in software everywhere) and
 * muxed into WebM by mediabunny, as a user's screen recording would be.
 */
import {
  AudioSample,
  AudioSampleSource,
  BufferTarget,
  CanvasSource,
  Output,
  QUALITY_LOW,
  WebMOutputFormat,
} from 'mediabunny';

/** A stretch of the video in one CSS colour. */
export interface Segment {
  readonly colour: string;
  readonly seconds: number;
}

/** A WebM video of solid-colour segments at `fps`, a key frame every `keyFrameSeconds`. */
export async function colourVideo(
  segments: readonly Segment[],
  fps = 10,
  width = 64,
  height = 48,
  keyFrameSeconds = 1,
): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec: 'vp8', bitrate: QUALITY_LOW, keyFrameInterval: keyFrameSeconds });
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  let frame = 0;
  for (const { colour, seconds } of segments) {
    for (let i = 0; i < Math.round(seconds * fps); i++, frame++) {
      ctx.fillStyle = colour;
      ctx.fillRect(0, 0, width, height);
      await source.add(frame / fps, 1 / fps);
    }
  }
  await output.finalize();
  return webm(output.target.buffer);
}

/** A WebM file with one second of Opus audio and no video track. */
export async function audioOnly(): Promise<Blob> {
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const source = new AudioSampleSource({ codec: 'opus', bitrate: QUALITY_LOW });
  output.addAudioTrack(source);
  await output.start();
  const rate = 48_000;
  const data = Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate) * 0.2);
  const sample = new AudioSample({ data, format: 'f32', numberOfChannels: 1, sampleRate: rate, timestamp: 0 });
  await source.add(sample);
  sample.close();
  await output.finalize();
  return webm(output.target.buffer);
}

function webm(buffer: ArrayBuffer | null): Blob {
  if (!buffer) throw new Error('the muxer wrote nothing');
  return new Blob([buffer], { type: 'video/webm' });
}
