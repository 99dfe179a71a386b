/**
 * Images made fit for the endpoint (issue 26, item 3), through the whole
 * CLI against a scripted server that refuses images as Ollama, llama.cpp
 * (stb_image), TGI (payload limit) and vLLM (context length) do
 * (test/support/image-server.ts cites each). No models load: the domain is
 * pinned and the VLM stands in for OCR.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  DEFAULT_FIT,
  DEFAULT_MAX_PIXELS,
  DEFAULT_MAX_SIDE,
  bytesText,
  fitSize,
  sizeText,
  smallerSize,
} from '../../src/cli/image-fit';
import { runCli } from '../support/in-process-cli';
import type { RunLine } from '../../src/cli/run-log';
import { writeImageFixtures } from '../support/image-fixtures';
import { type ImageTestServer, type SeenRequest, startImageServer } from '../support/image-server';

let work: string;
let server: ImageTestServer;
let runs = 0;

/** Runs the CLI in this process from `work`; returns its exit code and what it printed. */
const cli = (...args: string[]) => runCli(args, { cwd: work });

/** Captions `files` against the test server into a fresh output; returns the CLI's result and the lines. */
async function caption(files: readonly string[], ...flags: string[]) {
  const out = `out-${++runs}.jsonl`;
  const result = await cli(
    'caption',
    ...files,
    '--out',
    out,
    '--engine',
    'openai',
    '--endpoint',
    server.url,
    '--vlm-model',
    server.model,
    '--domain',
    'natural',
    '--ocr',
    'vlm',
    ...flags,
  );
  const lines = readFileSync(join(work, out), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLine);
  return { ...result, lines, line: (file: string) => lines.find((l) => l.file === file) };
}

const sha = (file: string) =>
  createHash('sha256')
    .update(readFileSync(join(work, file)))
    .digest('hex');
/** The requests that carried an image, and the images they carried. */
const withImages = (requests: readonly SeenRequest[]) => requests.filter((r) => r.images.length > 0);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mc-images-'));
  server = await startImageServer();
  await writeImageFixtures(work);
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => server.reset());

describe('formats the server decodes', () => {
  test('Ollama: an animated GIF goes as its first frame in PNG (it refuses GIF); a WebP it takes goes as its own bytes', async () => {
    server.behaviour.decoder = 'ollama';
    // What the server-kind registry would give for Ollama: openai/openai.go's jpeg, png, webp.
    const run = await caption(['anim.gif', 'photo.webp'], '--image-formats', 'jpeg,png,webp');
    expect(run.code, run.err).toBe(0);
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
    const sent = withImages(server.requests).flatMap((r) => r.images);
    const gif = sent.filter((i) => i.width === 40);
    expect(gif.length).toBeGreaterThan(0);
    expect(gif.every((i) => i.mime === 'image/png' && i.format === 'png')).toBe(true);
    const webp = sent.filter((i) => i.width === 600);
    expect(webp.every((i) => i.mime === 'image/webp' && i.sha === sha('photo.webp'))).toBe(true);
    const anim = run.line('anim.gif');
    expect(anim?.sent?.[0]).toMatchObject({ format: 'image/png', width: 40, height: 30 });
    expect(anim?.sent?.[0]?.changes).toEqual([
      'gif re-encoded as png: the endpoint takes jpeg, png, webp',
      'first frame of 3 sent (animated)',
    ]);
    expect(run.line('photo.webp')?.sent?.[0]).not.toHaveProperty('changes');
    expect(run.out).toContain('Re-encoded 1: 1 gif → png (format not taken by the endpoint, animated: first frame).');
  });

  test('llama.cpp (stb_image, no WebP): by default a WebP photo goes as JPEG, a transparent one as PNG; naming webp there fails with the way out', async () => {
    server.behaviour.decoder = 'stb';
    const run = await caption(['photo.webp', 'clear.webp']);
    expect(run.code, run.err).toBe(0);
    const sent = withImages(server.requests).flatMap((r) => r.images);
    expect(new Set(sent.filter((i) => i.width === 600).map((i) => i.mime))).toEqual(new Set(['image/jpeg']));
    expect(new Set(sent.filter((i) => i.width === 60).map((i) => i.mime))).toEqual(new Set(['image/png']));
    expect(run.out).toContain(
      'Re-encoded 2: 1 webp → jpeg (format not taken by the endpoint); 1 webp → png (format not taken by the endpoint).',
    );

    server.reset();
    server.behaviour.decoder = 'stb';
    const wrong = await caption(['photo.webp'], '--image-formats', 'jpeg,png,webp');
    expect(wrong.code).toBe(3);
    const failed = wrong.line('photo.webp');
    expect(failed?.ok).toBe(false);
    if (failed?.ok === false) {
      expect(failed.error.message).toContain('Failed to load image or audio file');
      expect(failed.error.message).toContain('the image went as image/webp');
      expect(failed.error.message).toContain('--image-formats jpeg,png');
    }
    // The failure's record still says what was sent.
    expect(failed?.sent?.[0]).toMatchObject({ format: 'image/webp', width: 600, height: 400 });
  });

  test('a photo with EXIF orientation goes upright, as the local router and OCR see it', async () => {
    const run = await caption(['turned.jpg']);
    expect(run.code, run.err).toBe(0);
    const sent = withImages(server.requests).flatMap((r) => r.images);
    expect(sent.every((i) => i.width === 20 && i.height === 60 && i.mime === 'image/jpeg')).toBe(true);
    expect(run.line('turned.jpg')?.sent?.[0]?.changes).toEqual([
      'turned upright (EXIF orientation 6), as the local models see it',
    ]);
  });
});

describe('size', () => {
  test('a 24 MP photo that overflows a 16,384-token context (vLLM --max-model-len 16384) is downscaled within it by default', async () => {
    server.behaviour.maxModelLen = 16_384;
    const run = await caption(['big.jpg', 'small.png']);
    expect(run.code, run.err).toBe(0);
    const sent = withImages(server.requests).flatMap((r) => r.images);
    const big = sent.filter((i) => i.width > 40);
    expect(big.length).toBeGreaterThan(0);
    for (const image of big) {
      expect(image.width * image.height).toBeLessThanOrEqual(DEFAULT_MAX_PIXELS);
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(DEFAULT_MAX_SIDE);
      expect(image.width / image.height).toBeCloseTo(1.5, 2);
    }
    // Never upscaled: the small PNG goes as its own bytes.
    expect(sent.filter((i) => i.width === 40).every((i) => i.sha === sha('small.png'))).toBe(true);
    const { width, height } = big[0] ?? { width: 0, height: 0 };
    expect(run.line('big.jpg')?.sent?.[0]?.changes).toEqual([`downscaled 6000×4000 → ${width}×${height}`]);
    expect(run.out).toContain(`Downscaled 1 to at most ${DEFAULT_MAX_PIXELS} pixels and ${DEFAULT_MAX_SIDE} px a side`);
    expect(run.out).toContain(`(largest: 6000×4000 → ${width}×${height})`);

    // Sent whole, it does not fit, and the failure says what to lower.
    server.reset();
    server.behaviour.maxModelLen = 16_384;
    const whole = await caption(['big.jpg'], '--image-max-pixels', '30000000', '--image-max-side', '8000');
    const failed = whole.line('big.jpg');
    expect(failed?.ok).toBe(false);
    if (failed?.ok === false) {
      expect(failed.error.message).toContain("This model's maximum context length is 16384 tokens");
      expect(failed.error.message).toContain('the request carried 6000×4000 JPEG');
      expect(failed.error.message).toContain('lower --image-max-pixels (now 30000000)');
    }
  });

  test('--image-max-side and --image-max-pixels set the limits', async () => {
    const run = await caption(['photo.jpg'], '--image-max-side', '300', '--image-max-pixels', '50000');
    expect(run.code, run.err).toBe(0);
    const sizes = new Set(withImages(server.requests).flatMap((r) => r.images.map((i) => `${i.width}×${i.height}`)));
    // The side limit first (300×204), then the pixel limit (≤ 50,000 pixels).
    const fit = fitSize({ width: 2200, height: 1500 }, { maxSide: 300, maxPixels: 50_000 });
    expect(fit.width * fit.height).toBeLessThanOrEqual(50_000);
    expect(sizes).toEqual(new Set([sizeText(fit)]));
    expect(fitSize({ width: 2200, height: 1500 }, { maxSide: 300, maxPixels: 1e9 })).toEqual({
      width: 300,
      height: 204,
    });
  });

  test('TGI’s 2 MB payload limit: a photo over 1.5 MB passes once fit; sent whole, the 413 is retried once smaller, then every later step sends the smaller one', async () => {
    const size = statSync(join(work, 'photo.jpg')).size;
    expect(size).toBeGreaterThan(1_500_000);
    expect((size * 4) / 3).toBeGreaterThan(2_000_000);
    server.behaviour.payloadLimit = 2_000_000;
    const fit = await caption(['photo.jpg']);
    expect(fit.code, fit.err).toBe(0);
    expect(server.requests.every((r) => r.status === 200)).toBe(true);

    server.reset();
    server.behaviour.payloadLimit = 2_000_000;
    const whole = await caption(['photo.jpg'], '--image-max-side', '4000', '--image-max-pixels', '10000000');
    expect(whole.code, whole.err).toBe(0);
    const refused = server.requests.filter((r) => r.status === 413);
    expect(refused).toHaveLength(1);
    const answered = withImages(server.requests.filter((r) => r.status === 200)).flatMap((r) => r.images);
    expect(new Set(answered.map((i) => `${i.width}×${i.height} ${i.mime}`))).toEqual(new Set(['1555×1060 image/jpeg']));
    const sent = whole.line('photo.jpg')?.sent ?? [];
    // What went: the file's own bytes once (refused), then the smaller JPEG for every step.
    expect(sent.map((s) => [s.width, s.height, s.sends])).toEqual([
      [2200, 1500, 1],
      [1555, 1060, answered.length],
    ]);
    expect(sent[1]?.changes).toEqual([
      `sent again smaller after HTTP 413: 2200×1500 ${bytesText(size)} → 1555×1060 JPEG`,
    ]);
    expect(whole.out).toContain('Sent smaller after HTTP 413 (payload too large): 1;');
  });

  test('a 413 on the smaller image too fails that image, naming it, the endpoint, the sizes sent and the way out', async () => {
    server.behaviour.payloadLimit = 50_000;
    const run = await caption(['photo.jpg', 'small.png']);
    expect(run.code).toBe(3);
    const failed = run.line('photo.jpg');
    expect(failed?.ok).toBe(false);
    if (failed?.ok !== false) return;
    expect(failed.error.name).toBe('ImagePayloadError');
    const fit = fitSize({ width: 2200, height: 1500 }, DEFAULT_FIT);
    const smaller = smallerSize(fit) ?? fit;
    const sizes = [`${sizeText(fit)} JPEG`, `${sizeText(smaller)} JPEG`];
    for (const part of ['"photo.jpg"', server.url, 'HTTP 413', ...sizes, '--image-max-side', '--payload-limit']) {
      expect(failed.error.message).toContain(part);
    }
    // Two sizes tried, no more; the small image, under the limit, is captioned.
    const tried = new Set(server.requests.filter((r) => r.status === 413).flatMap((r) => r.images.map((i) => i.width)));
    expect(tried.size).toBeLessThanOrEqual(2);
    expect(run.line('small.png')?.ok).toBe(true);
  });
});

test('each image is encoded once and reused by its steps; the summary says what the uploads cost', async () => {
  const run = await caption(['photo.jpg', 'small.png', 'turned.jpg']);
  expect(run.code, run.err).toBe(0);
  const parts = withImages(server.requests).flatMap((r) => r.images);
  for (const line of run.lines) {
    const sent = line.sent?.[0];
    // Every request about one image carried the very same bytes, as many times as its record says.
    const mine = parts.filter((i) => i.width === sent?.width && i.height === sent?.height);
    expect(new Set(mine.map((i) => i.sha)).size, line.file).toBe(1);
    expect(mine[0]?.bytes).toBe(sent?.bytes);
    expect(sent?.sends).toBe(mine.length);
  }
  const bytes = parts.reduce((n, i) => n + i.urlLength, 0);
  const each = (parts.length / 3).toFixed(1);
  expect(run.out).toContain(
    `Images: 3 sent ${each} times each on average (every step re-sends its image), ${bytesText(bytes)} uploaded`,
  );
});

test('--image-file-urls: where the server reads the shared filesystem (vLLM --allowed-local-media-path), images that need no change go by path', async () => {
  server.behaviour.allowedLocalMediaPath = work;
  const run = await caption(['small.png', 'anim.gif'], '--image-file-urls');
  expect(run.code, run.err).toBe(0);
  const sent = withImages(server.requests).flatMap((r) => r.images);
  const byPath = sent.filter((i) => i.mime === 'file');
  expect(byPath.length).toBeGreaterThan(0);
  expect(byPath.every((i) => i.sha === sha('small.png'))).toBe(true);
  // The GIF must change (Ollama-safe formats, first frame): it is still uploaded.
  expect(sent.filter((i) => i.mime === 'image/png').length).toBeGreaterThan(0);
  expect(run.line('small.png')?.sent?.[0]?.fileUrl).toBe(pathToFileURL(join(work, 'small.png')).href);
  expect(run.out).toContain('1 as file:// paths (nothing uploaded)');

  // A server that may not read there refuses; the failure says why and the way out.
  server.reset();
  const refused = await caption(['small.png'], '--image-file-urls');
  expect(refused.code).toBe(3);
  const failed = refused.line('small.png');
  expect(failed?.ok === false && failed.error.message).toContain('Cannot load local files without');
  expect(failed?.ok === false && failed.error.message).toContain('or drop --image-file-urls');
});

test('image flags are checked before anything runs, with the usage', async () => {
  const cases: [string[], string][] = [
    [['--image-max-side', '10'], '--image-max-side must be a whole number ≥ 64; got "10".'],
    [['--image-max-pixels', 'lots'], '--image-max-pixels must be a whole number ≥ 4096'],
    [['--image-formats', 'jpeg,tiff'], '--image-formats takes jpeg, png, webp and gif, comma-separated; got "tiff".'],
    [['--image-formats', 'webp'], '--image-formats needs jpeg or png among them'],
  ];
  for (const [flags, message] of cases) {
    const run = await cli('caption', 'small.png', '--out', 'x.jsonl', '--engine', 'openai', ...flags);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(run.err).toContain('--image-max-pixels N, --image-max-side PX');
  }
  const local = await cli('caption', 'small.png', '--out', 'x.jsonl', '--image-max-side', '512');
  expect(local.code).toBe(2);
  expect(local.err).toContain('--image-max-side applies to --engine openai');
  expect(server.requests).toHaveLength(0);
});
