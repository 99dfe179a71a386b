/**
 * A video that breaks part-way, made here: a real WebM re-muxed with the
 * bytes of one frame replaced by noise, which the decoder rejects when it
 * reaches it (as it does a file damaged on disk or in transfer). Sampling
 * uses the frames it could read and says what happened; the record keeps
 * it; a video with no readable frame at all fails by name.
 */
import {
  ALL_FORMATS,
  BlobSource,
  BufferTarget,
  EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  Output,
  WebMOutputFormat,
} from 'mediabunny';
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import { sampleVideo } from '../../src/media/video/sample-video';
import type { CaptionEvent } from '../../src/shared/events';
import { DEFAULT_VIDEO_SAMPLING } from '../../src/shared/video-sampling';
import { TINY_PRESET } from '../fixtures/specs';
import { colourVideo } from './videos';

const host = inject('modelHost');
const source = { kind: 'host', host, pathTemplate: '{model}/resolve/{revision}/' } as const;

/** Bytes no decoder takes for a frame: a fixed pattern, so every run damages the file alike. */
function noise(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 151 + 89) & 255);
}

/** `video` re-muxed with the data of its first packet at or after `at` seconds replaced by noise. */
async function damaged(video: Blob, at: number): Promise<Blob> {
  const input = new Input({ source: new BlobSource(video), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error('no video track');
  const decoderConfig = (await track.getDecoderConfig()) ?? undefined;
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const packets = new EncodedVideoPacketSource('vp8');
  output.addVideoTrack(packets, { frameRate: 10 });
  await output.start();
  let hit = false;
  let first = true;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    const spoil: boolean = !hit && packet.timestamp >= at;
    hit ||= spoil;
    const sent = spoil
      ? new EncodedPacket(noise(Math.max(64, packet.data.length)), packet.type, packet.timestamp, packet.duration)
      : packet;
    await packets.add(sent, first && decoderConfig ? { decoderConfig } : undefined);
    first = false;
  }
  await output.finalize();
  input.dispose();
  if (!hit || !output.target.buffer) throw new Error('no packet to damage');
  return new Blob([output.target.buffer], { type: 'video/webm' });
}

test('a video that breaks part-way is captioned from the frames read, and says so; one with none read fails by name', async () => {
  const whole = await colourVideo(
    [
      { colour: '#e01010', seconds: 2 },
      { colour: '#1020e0', seconds: 2 },
    ],
    10,
    64,
    48,
    1,
  );
  const broken = await damaged(whole, 3.45);
  const sampling = { ...DEFAULT_VIDEO_SAMPLING, frames: 4 };
  const sampled = await sampleVideo(broken, 'broken.webm', sampling);
  expect(sampled.frames.length).toBeGreaterThan(0);
  expect(sampled.frames.length).toBeLessThan(4);
  expect(sampled.partial).toMatch(
    /only \d of 4 frames could be read \(its frames could not be decoded: the file is damaged/,
  );
  // The whole video, read the same way, has no such note: the damage is what the note reports.
  expect((await sampleVideo(whole, 'whole.webm', sampling)).partial).toBeNull();

  const c = createCaptioner({ source });
  try {
    await c.load({ preset: TINY_PRESET, device: 'wasm' });
    const events: CaptionEvent[] = [];
    const record = await c.capflow({
      video: broken,
      videoSampling: { frames: 4 },
      name: 'broken.webm',
      options: { mode: 'single-pass', judge: null },
      onEvent: (e) => events.push(e),
    });
    expect(record.partialVideo).toBe(sampled.partial);
    expect(record.timestamps).toHaveLength(sampled.frames.length);
    expect(events.find((e) => e.type === 'notice')).toMatchObject({
      message: expect.stringMatching(
        /^"broken\.webm" could only partly be read: the scan for scene changes stopped at 3\.5 s, .*only 3 of 4 frames could be read/,
      ),
    });
    // The first key frame damaged: nothing can be read, and the error names the file.
    const hopeless = await damaged(whole, 0);
    await expect(
      c.capflow({ video: hopeless, name: 'hopeless.webm', options: { mode: 'single-pass', judge: null } }),
    ).rejects.toThrow(
      /^Could not read "hopeless\.webm" as a video: no frame could be drawn at [\d.]+ s \(the file may be damaged\)/,
    );
  } finally {
    c.dispose();
  }
});
