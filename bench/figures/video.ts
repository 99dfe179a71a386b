/**
 * Figure 7: video sampling. Frames per second our sampler delivers
 * (mediabunny demuxing, WebCodecs decoding, frames drawn small and read
 * back) against the naive way, an HTMLVideoElement seeked to each of the
 * same timestamps and drawn; on the same generated video, with the same
 * probe and frame sizes. Both sides' frames are checked for their colour.
 * Then the whole sampling of the page's fallback where WebCodecs is missing
 * (seek-video.ts: the same frames, at most 120 probes) against ours.
 */
import { expect, test } from 'vitest';
import { probeTimes } from '../../src/media/video/frame-times';
import { sampleVideo } from '../../src/media/video/sample-video';
import { seekVideo } from '../../src/client/seek-video';
import { DEFAULT_VIDEO_SAMPLING } from '../../src/shared/video-sampling';
import { colourVideo } from '../../test/browser/videos';
import { ratioRow, roundsRow, valueRow } from '../rows';
import { alternate, median, record, size } from '../support';

const SECONDS = size(30, 3);
const FPS = size(30, 10);
/** A key frame every 2 s, as screen and phone recordings commonly have: a seek decodes from the one before. */
const KEY_FRAME_SECONDS = 2;

/** Seeks an HTMLVideoElement to each time and draws the frame at `side` (probes at 16 px), as a page without WebCodecs would. */
async function seekEach(
  video: Blob,
  probes: readonly number[],
  frames: readonly number[],
  side: number,
): Promise<number> {
  const element = document.createElement('video');
  element.muted = true;
  element.src = URL.createObjectURL(video);
  await new Promise((resolve, reject) => {
    element.onloadeddata = resolve;
    element.onerror = () => reject(new Error('the video element cannot play the test video'));
  });
  const scale = Math.min(1, side / Math.max(element.videoWidth, element.videoHeight));
  const draw = async (time: number, w: number, h: number) => {
    element.currentTime = time;
    await new Promise((resolve) => element.addEventListener('seeked', resolve, { once: true }));
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(element, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h).data;
  };
  let red = 0;
  for (const time of probes) await draw(time, 16, 16);
  for (const time of frames) {
    const data = await draw(time, Math.round(element.videoWidth * scale), Math.round(element.videoHeight * scale));
    if ((data[0] ?? 0) > 150 && (data[1] ?? 0) < 100) red += 1;
  }
  URL.revokeObjectURL(element.src);
  return red;
}

test(
  'figure 7: video sampling, our sampler against seeking a video element per frame',
  { timeout: 600_000 },
  async () => {
    // Red and blue halves, so each side's frames can be checked.
    const video = await colourVideo(
      [
        { colour: '#e01010', seconds: SECONDS / 2 },
        { colour: '#1020e0', seconds: SECONDS / 2 },
      ],
      FPS,
      320,
      240,
      KEY_FRAME_SECONDS,
    );
    const probes = probeTimes(SECONDS, 0.1, 600);
    let frames: number[] = [];
    const rounds = await alternate(
      size(3, 1),
      async () => {
        const started = performance.now();
        const sampled = await sampleVideo(video, 'bench.webm');
        frames = sampled.frames.map((f) => f.time);
        expect(sampled.frames.filter((f) => f.time < SECONDS / 2)).toHaveLength(4);
        return performance.now() - started;
      },
      async () => {
        const started = performance.now();
        expect(await seekEach(video, probes, frames, DEFAULT_VIDEO_SAMPLING.side)).toBe(4);
        return performance.now() - started;
      },
    );
    // The page's fallback where WebCodecs is missing: the whole sampling by seeking (fewer probes on long videos).
    const fallback: number[] = [];
    for (let i = 0; i < size(3, 1); i++) {
      const started = performance.now();
      const seeked = await seekVideo(video, 'bench.webm');
      expect(seeked.frames.map((f) => f.time)).toEqual(frames);
      fallback.push(performance.now() - started);
    }
    const delivered = probes.length + frames.length;
    const perSecond = (ms: number) => delivered / (ms / 1000);
    await record(
      valueRow(
        '7 video sampling',
        `test video: ${SECONDS} s, ${FPS} fps, 320×240 VP8 WebM, key frame every ${KEY_FRAME_SECONDS} s`,
        {
          label: `frames (${probes.length} probes + ${frames.length} sampled)`,
          value: delivered,
        },
      ),
      roundsRow(
        '7 video sampling',
        `frames/s, median of ${rounds.a.length}`,
        { label: 'ours (WebCodecs)', values: rounds.a.map(perSecond) },
        { label: 'seek per frame', values: rounds.b.map(perSecond) },
        1,
        true,
      ),
      ratioRow(
        '7 video sampling',
        `ms to sample the whole video, median of ${fallback.length}`,
        { label: 'fallback: seeking on the page', value: median(fallback) },
        { label: 'ours (WebCodecs)', value: median(rounds.a) },
        null,
      ),
    );
  },
);
