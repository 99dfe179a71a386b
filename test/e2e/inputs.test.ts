/**
 * Bad and unusual input on the built site, every file generated here: each
 * gets a correct caption or its own specific error, and the rest of the
 * batch is untouched. Then a thousand files at once, with the page's long
 * tasks measured while they arrive.
 */
import sharp from 'sharp';
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { damagedPng, solidPng } from '../support/png';
import { renderPng } from '../support/text-images';
import { type Harness, card, cardMenu, forgeParams, freshPage, itemError, useHarness, waitForStatus } from './harness';

let h: Harness;
useHarness((started) => (h = started));

const RED = { r: 230, g: 20, b: 30 };
const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: RED } });

/** A PNG whose header claims 30000×30000 pixels (the file itself is tiny). */
function claimsHuge(): Buffer {
  const png = Buffer.from(solidPng(230, 20, 30, 4, 4));
  png.writeUInt32BE(30000, 16);
  png.writeUInt32BE(30000, 20);
  return png;
}

/** A PNG whose IHDR checksum is wrong (the pixels are fine). */
function badCrc(): Buffer {
  const png = Buffer.from(solidPng(230, 20, 30));
  png[29] = (png[29] ?? 0) ^ 0xff;
  return png;
}

/** `jpeg` with `bytes` of comment segments after its start marker, before its frame header. */
function withComments(jpeg: Buffer, bytes: number): Buffer {
  const segments: Buffer[] = [];
  for (let left = bytes; left > 0; left -= 65533) {
    const n = Math.min(left, 65533);
    const segment = Buffer.alloc(4 + n, 0x20);
    segment.set([0xff, 0xfe, (n + 2) >> 8, (n + 2) & 255]);
    segments.push(segment);
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** `jpeg` with its frame header rewritten to claim `width`×`height`. */
function claiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let at = 2; at + 9 < out.length; at += 2 + out.readUInt16BE(at + 2)) {
    if (out[at + 1] === 0xc0 || out[at + 1] === 0xc2) {
      out.writeUInt16BE(height, at + 5);
      out.writeUInt16BE(width, at + 7);
      return out;
    }
  }
  throw new Error('no frame header');
}

/** The bytes of a small MP4 (an ftyp and some data), as a phone appends after a motion photo's JPEG. */
const MOTION_TAIL = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from('ftypisom\0\0\0\0isomavc1'),
  Buffer.from([0, 0, 1, 8]),
  Buffer.from('mdat'),
  Buffer.alloc(256, 0xd9),
]);

interface Case {
  readonly name: string;
  readonly type: string;
  readonly bytes: () => Promise<Buffer> | Buffer;
  /** The caption it must get, or its status and error. */
  readonly expect: { caption: string } | { status: 'refused' | 'failed'; error: RegExp };
}

const CASES: readonly Case[] = [
  {
    name: 'zero.png',
    type: 'image/png',
    bytes: () => Buffer.alloc(0),
    expect: { status: 'refused', error: /^UnsupportedFileError\s*"zero.png" is empty \(0 bytes\)\.$/ },
  },
  {
    name: 'cut.png',
    type: 'image/png',
    bytes: () => solidPng(230, 20, 30).subarray(0, 50),
    expect: { status: 'refused', error: /"cut.png" is a truncated PNG/ },
  },
  {
    name: 'cut.jpg',
    type: 'image/jpeg',
    bytes: async () => {
      const jpeg = await solid(320, 240).jpeg().toBuffer();
      return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    },
    expect: { status: 'refused', error: /"cut.jpg" is a truncated JPEG/ },
  },
  {
    name: 'damaged.png',
    type: 'image/png',
    bytes: () => damagedPng(),
    expect: { status: 'failed', error: /^ImageDecodeError\s*Could not decode "damaged.png" as a PNG/ },
  },
  {
    name: 'bad-crc.png',
    type: 'image/png',
    bytes: () => badCrc(),
    expect: { status: 'failed', error: /^ImageDecodeError\s*Could not decode "bad-crc.png" as a PNG/ },
  },
  {
    name: 'notes.png',
    type: 'image/png',
    bytes: () => Buffer.from('meeting notes, not a picture'),
    expect: { status: 'refused', error: /"notes.png" is a text file, not an image\./ },
  },
  {
    name: 'page.jpg',
    type: 'image/jpeg',
    bytes: () => Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'),
    expect: { status: 'refused', error: /"page.jpg" is an HTML page, not an image\./ },
  },
  {
    name: 'huge.png',
    type: 'image/png',
    bytes: () => claimsHuge(),
    expect: { status: 'refused', error: /^ImageTooLargeError\s*"huge.png" is 30000×30000 pixels \(900 megapixels\)/ },
  },
  {
    name: 'drawing.svg',
    type: 'image/svg+xml',
    bytes: () =>
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><image href="https://evil.example/track.png"/></svg>',
      ),
    expect: { status: 'refused', error: /"drawing.svg" is an SVG drawing/ },
  },
  {
    name: 'phone.heic',
    type: 'image/heic',
    bytes: () => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(40)]),
    expect: { status: 'refused', error: /"phone.heic" is a HEIC\/HEIF image, which browsers cannot decode/ },
  },
  {
    name: 'speck.png',
    type: 'image/png',
    bytes: () => solid(1, 1).png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'strip.png',
    type: 'image/png',
    bytes: () => solid(10000, 10).png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'tower.png',
    type: 'image/png',
    bytes: () => solid(10, 10000).png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'deep.png',
    type: 'image/png',
    bytes: () => solid(64, 48).toColourspace('rgb16').png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'print.jpg',
    type: 'image/jpeg',
    bytes: () => solid(64, 48).toColourspace('cmyk').jpeg().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'commented-huge.jpg',
    type: 'image/jpeg',
    bytes: async () => claiming(withComments(await solid(64, 48).jpeg().toBuffer(), 300 * 1024), 12000, 12000),
    expect: {
      status: 'refused',
      error: /^ImageTooLargeError\s*"commented-huge.jpg" is 12000×12000 pixels \(144 megapixels\)/,
    },
  },
  {
    name: 'commented.jpg',
    type: 'image/jpeg',
    bytes: async () => withComments(await solid(64, 48).jpeg().toBuffer(), 300 * 1024),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'trailer.png',
    type: 'image/png',
    bytes: async () => Buffer.concat([await solid(64, 48).png().toBuffer(), Buffer.from('bytes an editor left')]),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'motion.jpg',
    type: 'image/jpeg',
    bytes: async () => Buffer.concat([await solid(64, 48).jpeg().toBuffer(), MOTION_TAIL]),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'generic-brand.avif',
    type: 'image/avif',
    // libheif writes 'avif' as the major brand; other encoders write 'mif1' and list 'avif' as compatible.
    bytes: async () => {
      const avif = Buffer.from(await solid(64, 48).avif().toBuffer());
      expect(avif.subarray(4, 12).toString('latin1')).toBe('ftypavif');
      expect(avif.subarray(16, avif.readUInt32BE(0)).toString('latin1')).toContain('avif');
      avif.write('mif1', 8, 'latin1');
      return avif;
    },
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'ribbon.png',
    type: 'image/png',
    bytes: () => solid(65535, 1).png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'thread.png',
    type: 'image/png',
    bytes: () => solid(1, 300_000).png().toBuffer(),
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
  {
    name: 'animated.gif',
    type: 'image/gif',
    bytes: async () => {
      const frames = await Promise.all(
        [RED, { r: 20, g: 30, b: 220 }].map((background) =>
          sharp({ create: { width: 40, height: 30, channels: 3, background } })
            .png()
            .toBuffer(),
        ),
      );
      return sharp(frames, { join: { animated: true } })
        .gif()
        .toBuffer();
    },
    expect: { caption: TINY_VLM_CAPTIONS.red },
  },
];

const errorOf = itemError;

test('every kind of bad input gets a correct caption or its own error, the rest untouched', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  const files = await Promise.all(
    CASES.map(async (c) => ({ name: c.name, mimeType: c.type, buffer: Buffer.from(await c.bytes()) })),
  );
  await page.getByTestId('file-input').setInputFiles(files);
  for (const c of CASES) {
    if ('caption' in c.expect) {
      await waitForStatus(page, c.name, 'done');
      expect(await card(page, c.name).getByTestId('caption').inputValue(), c.name).toBe(c.expect.caption);
    } else {
      await waitForStatus(page, c.name, c.expect.status);
      expect(await errorOf(page, c.name), c.name).toMatch(c.expect.error);
    }
  }
  await page.context().close();
});

test('a photo with EXIF orientation 6 is read upright', async () => {
  // The text is stored turned a quarter, with EXIF saying "turn it back": upright, OCR reads it.
  const upright = await renderPng({ lines: ['HELLO 2024'], font: 'DejaVu Sans', size: 32 });
  const stored = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', domain: 'infographic-document', attempts: '0' })));
  await page
    .getByTestId('file-input')
    .setInputFiles([{ name: 'sideways.jpg', mimeType: 'image/jpeg', buffer: stored }]);
  await waitForStatus(page, 'sideways.jpg', 'done', 120_000);
  await cardMenu(page, 'sideways.jpg', 'trace-toggle');
  const ocr = card(page, 'sideways.jpg').locator('mc-trace li[data-agent="ocr"] [data-label="Output"] pre');
  expect(await ocr.textContent()).toMatch(/^"HELLO 2024" at/);
  await page.context().close();
});

test('a thousand files at once: all queued, the page keeps answering; long tasks measured', async () => {
  const page = await freshPage(h);
  await page.goto(
    h.url(forgeParams(h.models, { vlm: 'forge/tiny-smolvlm-endless', mode: 'prompt', maxTokens: '1000000' })),
  );
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__long.push(Math.round(entry.duration));
    }).observe({ type: 'longtask', buffered: false });
  });
  // A thousand different images of one size: each is hashed to tell it from a duplicate, none is one.
  const files = Array.from({ length: 1000 }, (_, i) => ({
    name: `img-${String(i).padStart(4, '0')}.png`,
    mimeType: 'image/png',
    buffer: solidPng(i % 250, Math.floor(i / 250) * 50, 30, 8, 8),
  }));
  const started = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  await expect.poll(() => page.getByTestId('counts').textContent(), { timeout: 120_000 }).toMatch(/^0 of 1000 done/);
  const queuedMs = Date.now() - started;
  // The page still answers a click at once: cancel everything.
  await page.getByTestId('cancel-all').click();
  await expect.poll(() => page.getByTestId('counts').textContent(), { timeout: 60_000 }).toMatch(/1000 cancelled/);
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  const total = long.reduce((a, b) => a + b, 0);
  console.log(
    `[1000 files] queued in ${queuedMs} ms; ${long.length} long tasks, longest ${Math.max(0, ...long)} ms, ${total} ms in all`,
  );
  // Cards are made a page at a time: the first page is there, the rest is announced below it.
  expect(await page.locator('li[data-id]').count()).toBe(60);
  expect(await page.getByText('940 more below…').count()).toBe(1);
  await page.context().close();
});
