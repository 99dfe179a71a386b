/**
 * The pure decisions that make an image fit for an endpoint (size, format,
 * the smaller try after a 413, the summary's words), and the per-image
 * encoder's promise: one encoding per endpoint fit, shared by every step.
 */
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { ImageSender } from '../../src/cli/image-encode';
import {
  DEFAULT_FIT,
  DEFAULT_MAX_PIXELS,
  DEFAULT_MAX_SIDE,
  type ImageFit,
  PNG_BUDGET_BYTES,
  type SourceImage,
  fitSize,
  planImage,
  pngTooBig,
  smallerSize,
} from '../../src/cli/image-fit';
import { countEncoding, emptyImageCounts, imageSummary } from '../../src/cli/image-stats';
import { qwenImageTokens } from '../support/image-server';

const source = (over: Partial<SourceImage>): SourceImage => ({
  format: 'jpeg',
  width: 800,
  height: 600,
  transparent: false,
  frames: 1,
  orientation: 1,
  ...over,
});
const withWebp: ImageFit = { ...DEFAULT_FIT, formats: ['image/jpeg', 'image/png', 'image/webp'] };

describe('size', () => {
  test('the default budget keeps a 24 MP photo, four to a request, within a 16,384-token context with room for prompt and answer', () => {
    // Sent whole, a 24 MP photo alone fills the context (Qwen2.5-VL: max_pixels 12,845,056 = 16,384 tokens).
    expect(qwenImageTokens(6000, 4000)).toBeGreaterThanOrEqual(16_000);
    const fitted = fitSize({ width: 6000, height: 4000 }, DEFAULT_FIT);
    const tokens = qwenImageTokens(fitted.width, fitted.height);
    expect(tokens).toBeLessThanOrEqual(2_100);
    expect(4 * tokens + 3_000 + 1_000).toBeLessThan(16_384);
  });

  test('within both limits, aspect kept, never upscaled, a strip keeps a pixel', () => {
    const photo = fitSize({ width: 6000, height: 4000 }, DEFAULT_FIT);
    expect(photo.width * photo.height).toBeLessThanOrEqual(DEFAULT_MAX_PIXELS);
    expect(photo.width / photo.height).toBeCloseTo(1.5, 2);
    expect(fitSize({ width: 16_000, height: 1_000 }, DEFAULT_FIT)).toEqual({ width: DEFAULT_MAX_SIDE, height: 128 });
    expect(fitSize({ width: 640, height: 480 }, DEFAULT_FIT)).toEqual({ width: 640, height: 480 });
    expect(fitSize({ width: 100_000, height: 2 }, DEFAULT_FIT)).toEqual({ width: DEFAULT_MAX_SIDE, height: 1 });
    expect(fitSize({ width: 1000, height: 1000 }, { maxPixels: 10_000, maxSide: 5000 })).toEqual({
      width: 100,
      height: 100,
    });
  });

  test('after a 413: half the pixels, until that would be tiny', () => {
    expect(smallerSize({ width: 1548, height: 1032 })).toEqual({ width: 1094, height: 729 });
    expect(smallerSize({ width: 80, height: 80 })).toBeNull();
  });
});

describe('format', () => {
  test('the file’s own bytes go only when the endpoint takes the format and nothing must change', () => {
    expect(planImage(source({}), DEFAULT_FIT)).toEqual({ kind: 'original', mime: 'image/jpeg' });
    expect(planImage(source({ format: 'webp' }), withWebp)).toEqual({ kind: 'original', mime: 'image/webp' });
    expect(planImage(source({ format: 'webp' }), DEFAULT_FIT)).toEqual({
      kind: 'encode',
      to: 'jpeg',
      size: { width: 800, height: 600 },
      why: [{ kind: 'format', from: 'webp' }],
    });
  });

  test('PNG where it keeps something: transparency or a lossless source; JPEG for photos', () => {
    const plan = (over: Partial<SourceImage>, fit = DEFAULT_FIT) => {
      const p = planImage(source(over), fit);
      return p.kind === 'encode' ? p.to : p.mime;
    };
    expect(plan({ format: 'webp', transparent: true })).toBe('png');
    expect(plan({ format: 'avif' })).toBe('jpeg');
    expect(plan({ format: 'gif' })).toBe('png');
    expect(plan({ format: 'bmp' })).toBe('png');
    expect(plan({ width: 6000, height: 4000 })).toBe('jpeg');
    expect(plan({ format: 'png', width: 6000, height: 4000 })).toBe('png');
    // An endpoint that takes only one of the two gets that one.
    expect(plan({ format: 'webp', transparent: true }, { ...DEFAULT_FIT, formats: ['image/jpeg'] })).toBe('jpeg');
    expect(plan({ format: 'avif' }, { ...DEFAULT_FIT, formats: ['image/png'] })).toBe('png');
  });

  test('every reason is kept: format, downscale, first frame, orientation', () => {
    const plan = planImage(source({ format: 'gif', width: 4000, height: 3000, frames: 12, orientation: 6 }), withWebp);
    expect(plan.kind === 'encode' && plan.why.map((r) => r.kind)).toEqual([
      'format',
      'downscale',
      'first-frame',
      'orientation',
    ]);
    // An animated WebP the endpoint takes is still re-encoded: what the model sees (one frame) is said.
    expect(planImage(source({ format: 'webp', frames: 3 }), withWebp).kind).toBe('encode');
  });

  test('a PNG of an opaque lossless source over budget goes as JPEG; a transparent one stays PNG', () => {
    expect(pngTooBig(PNG_BUDGET_BYTES + 1, false, DEFAULT_FIT)).toBe(true);
    expect(pngTooBig(PNG_BUDGET_BYTES + 1, true, DEFAULT_FIT)).toBe(false);
    expect(pngTooBig(PNG_BUDGET_BYTES, false, DEFAULT_FIT)).toBe(false);
    expect(pngTooBig(PNG_BUDGET_BYTES + 1, false, { ...DEFAULT_FIT, formats: ['image/png'] })).toBe(false);
  });
});

test('the summary says what was sent, what it cost and what was changed', () => {
  const counts = emptyImageCounts();
  countEncoding(counts, { from: 'jpeg', to: 'jpeg', why: [] });
  const down = { width: 6000, height: 4000 };
  countEncoding(counts, {
    from: 'jpeg',
    to: 'jpeg',
    why: [{ kind: 'downscale', from: down, to: fitSize(down, DEFAULT_FIT) }],
  });
  countEncoding(counts, { from: 'gif', to: 'png', why: [{ kind: 'format', from: 'gif' }] });
  counts.parts = 15;
  counts.bytes = 2_345_678;
  counts.shrunk = 1;
  expect(imageSummary(counts, DEFAULT_FIT)).toEqual([
    'Images: 3 sent 5.0 times each on average (every step re-sends its image), 2.3 MB uploaded; each image was encoded once and reused by its steps.',
    'Re-encoded 2: 1 gif → png (format not taken by the endpoint); 1 jpeg → jpeg (downscaled).',
    `Downscaled 1 to at most ${DEFAULT_MAX_PIXELS} pixels and ${DEFAULT_MAX_SIDE} px a side (largest: 6000×4000 → 1551×1034); --image-max-pixels and --image-max-side set the limits.`,
    "Sent smaller after HTTP 413 (payload too large): 1; lower --image-max-side, or raise the server's limit (TGI: --payload-limit).",
  ]);
  expect(imageSummary(emptyImageCounts(), DEFAULT_FIT)).toEqual([]);
  // Single pass sends each image once: nothing to say about re-sending.
  expect(imageSummary({ ...emptyImageCounts(), images: 2, parts: 2, bytes: 2048 }, DEFAULT_FIT)).toEqual([
    'Images: 2 sent once each, 2 KB uploaded.',
  ]);
});

describe('one image’s encodings', () => {
  const noisy = (width: number, height: number) => {
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    return sharp(data, { raw: { width, height, channels: 3 } });
  };

  test('made once per fit and shared; one smaller image after a 413, shared by steps refused together', async () => {
    const bytes = await noisy(1800, 1200).jpeg().toBuffer();
    const sender = new ImageSender(bytes, 'jpeg');
    const [a, b] = await Promise.all([sender.encoded(DEFAULT_FIT), sender.encoded(DEFAULT_FIT)]);
    expect(a).toBe(b);
    expect(a.size).toEqual(fitSize({ width: 1800, height: 1200 }, DEFAULT_FIT));
    const [s1, s2] = await Promise.all([sender.smaller(DEFAULT_FIT, a), sender.smaller(DEFAULT_FIT, a)]);
    expect(s1).toBe(s2);
    expect(s1?.mime).toBe('image/jpeg');
    expect(s1?.size).toEqual(smallerSize(a.size));
    // Later steps get the smaller one; a 413 on it too: no third try.
    expect(await sender.encoded(DEFAULT_FIT)).toBe(s1);
    expect(s1 && (await sender.smaller(DEFAULT_FIT, s1))).toBeNull();
    sender.noteSent(a, DEFAULT_FIT);
    if (s1) for (let i = 0; i < 3; i++) sender.noteSent(s1, DEFAULT_FIT);
    expect(sender.sent().map((s) => [s.format, s.width, s.sends])).toEqual([
      ['image/jpeg', a.size.width, 1],
      ['image/jpeg', s1?.size.width, 3],
    ]);
  });

  test('a screenshot-like PNG whose PNG would be over budget goes as JPEG, and says so', async () => {
    const bytes = await noisy(1000, 800).png().toBuffer();
    const fit = { ...DEFAULT_FIT, maxPixels: 500_000 };
    const sent = await new ImageSender(bytes, 'png').encoded(fit);
    expect(sent.mime).toBe('image/jpeg');
    expect(sent.why.map((r) => r.kind)).toEqual(['downscale']);
  });
});
