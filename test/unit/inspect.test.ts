/**
 * Judging files from their bytes before decoding: formats and dimensions
 * from headers, truncation from tails, what a non-image looks like, and
 * the specific message every kind of bad file gets.
 */
import { describe, expect, test } from 'vitest';
import { inspectHeader, looksTruncated } from '../../src/media/inspect';
import { MAX_IMAGE_PIXELS, checkImage, checkMedia } from '../../src/media/sniff';
import { encodePng } from '../support/png';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >> 8) & 255];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16(n >>> 16)];

/** A PNG whose header claims any size: signature, IHDR, and an IEND (no real pixels). */
function pngClaiming(width: number, height: number): Uint8Array {
  return bytes(
    [0x89],
    'PNG\r\n\x1a\n',
    u32(13),
    'IHDR',
    u32(width),
    u32(height),
    [8, 2, 0, 0, 0],
    u32(0),
    u32(0),
    'IEND',
    u32(0),
  );
}

/** A JPEG with an EXIF block before its start-of-frame. */
function jpeg(width: number, height: number): Uint8Array {
  const exif = new Array<number>(300).fill(0x41);
  return bytes(
    [0xff, 0xd8, 0xff, 0xe1],
    [(exif.length + 2) >> 8, (exif.length + 2) & 255],
    exif,
    [0xff, 0xc2, 0, 17, 8],
    [height >> 8, height & 255, width >> 8, width & 255],
    new Array<number>(20).fill(0),
    [0xff, 0xd9],
  );
}

describe('headers', () => {
  test('formats and dimensions', () => {
    expect(inspectHeader(encodePng(640, 480, new Uint8Array(640 * 480 * 3)))).toEqual({
      kind: 'image',
      format: 'png',
      width: 640,
      height: 480,
    });
    expect(inspectHeader(jpeg(1920, 1080))).toEqual({ kind: 'image', format: 'jpeg', width: 1920, height: 1080 });
    expect(inspectHeader(bytes('GIF89a', le16(320), le16(200)))).toEqual({
      kind: 'image',
      format: 'gif',
      width: 320,
      height: 200,
    });
    const vp8x = bytes('RIFF', le32(100), 'WEBPVP8X', le32(10), [0, 0, 0, 0], [0x7f, 0x07, 0x00], [0x37, 0x04, 0x00]);
    expect(inspectHeader(vp8x)).toEqual({ kind: 'image', format: 'webp', width: 1920, height: 1080 });
    const bmp = bytes('BM', le32(0), le32(0), le32(54), le32(40), le32(800), le32(-600 >>> 0));
    expect(inspectHeader(bmp)).toEqual({ kind: 'image', format: 'bmp', width: 800, height: 600 });
    const avif = bytes(u32(28), 'ftypavif', u32(0), 'mif1avif', u32(20), 'ispe', u32(0), u32(4000), u32(3000));
    expect(inspectHeader(avif)).toEqual({ kind: 'image', format: 'avif', width: 4000, height: 3000 });
  });
  test('formats browsers cannot decode are named; non-images say what they look like', () => {
    expect(inspectHeader(bytes(u32(24), 'ftypheic'))).toEqual({ kind: 'unsupported', format: 'HEIC/HEIF' });
    expect(inspectHeader(bytes('II*\0'))).toEqual({ kind: 'unsupported', format: 'TIFF' });
    expect(inspectHeader(bytes('8BPS'))).toEqual({ kind: 'unsupported', format: 'Photoshop (PSD)' });
    expect(inspectHeader(bytes('hello, world'))).toEqual({ kind: 'other', looksLike: 'text' });
    expect(inspectHeader(bytes('  <!DOCTYPE html><html>'))).toEqual({ kind: 'other', looksLike: 'html' });
    expect(inspectHeader(bytes('<?xml version="1.0"?><svg xmlns="x">'))).toEqual({ kind: 'other', looksLike: 'svg' });
    expect(inspectHeader(bytes([0, 1, 2, 3, 200]))).toEqual({ kind: 'other', looksLike: 'unknown' });
  });
  test('video containers are recognised by their headers, apart from AVIF and HEIC in the same box format', () => {
    expect(inspectHeader(bytes(u32(24), 'ftypisom'))).toEqual({ kind: 'video', container: 'MP4' });
    expect(inspectHeader(bytes(u32(24), 'ftypmp42'))).toEqual({ kind: 'video', container: 'MP4' });
    expect(inspectHeader(bytes(u32(20), 'ftypqt  '))).toEqual({ kind: 'video', container: 'QuickTime' });
    expect(inspectHeader(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'))).toEqual({
      kind: 'video',
      container: 'WebM',
    });
    expect(inspectHeader(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska'))).toEqual({
      kind: 'video',
      container: 'Matroska',
    });
    expect(inspectHeader(bytes(u32(24), 'ftypavif')).kind).toBe('image');
  });
  test('the page takes a video as a video and an image as an image; a video handed in as an image is named', async () => {
    const webm = new Blob([bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm')]);
    expect(await checkMedia(webm, 'clip.webm')).toEqual({ ok: true, media: 'video', container: 'WebM' });
    expect(await checkMedia(new Blob([new Uint8Array(encodePng(2, 2, new Uint8Array(12)))]), 'a.png')).toEqual({
      ok: true,
      media: 'image',
    });
    const asImage = await checkImage(webm, 'clip.webm');
    expect(asImage.ok ? '' : asImage.error.message).toBe(
      '"clip.webm" is a video (WebM), not an image: caption it as a video.',
    );
    const fake = await checkMedia(new Blob(['plain text'], { type: 'video/mp4' }), 'fake.mp4');
    expect(fake.ok ? '' : fake.error.message).toMatch(
      /^"fake.mp4" says it is a video \(video\/mp4\), but its contents match no video container/,
    );
  });
  test('a PNG without its end chunk or a JPEG without its end marker ends early', () => {
    const png = encodePng(4, 4, new Uint8Array(48));
    expect(looksTruncated('png', png.subarray(-64))).toBe(false);
    expect(looksTruncated('png', png.subarray(0, png.length - 20).subarray(-64))).toBe(true);
    const jpg = jpeg(10, 10);
    expect(looksTruncated('jpeg', jpg.subarray(-64))).toBe(false);
    expect(looksTruncated('jpeg', jpg.subarray(0, -10).subarray(-64))).toBe(true);
  });
});

/**
 * A JPEG as decoders walk it: `comment` bytes of COM segments (at most 65533 bytes each) before the frame
 * header, a scan whose data holds stuffed 0xFF bytes and a restart marker, the end marker, then `after`.
 */
function jpegWalked(width: number, height: number, comment: number, after: number[] = []) {
  const parts: number[][] = [[0xff, 0xd8]];
  for (let left = comment; left > 0; left -= 65533) {
    const n = Math.min(left, 65533);
    parts.push([0xff, 0xfe, (n + 2) >> 8, (n + 2) & 255], new Array<number>(n).fill(0x20));
  }
  parts.push([0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3], new Array(9).fill(1));
  parts.push([0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0], [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56], [0xff, 0xd9], after);
  return bytes(...parts);
}

/** An ISO box: size, type, body. */
const box = (type: string, ...body: number[][]) => {
  const inner = body.flat();
  return [...u32(8 + inner.length), ...[...type].map((c) => c.charCodeAt(0)), ...inner];
};
const ispe = (width: number, height: number) => box('ispe', u32(0), u32(width), u32(height));
const ascii4 = (text: string) => [...text].map((c) => c.charCodeAt(0));

describe('headers where they really are', () => {
  test('a JPEG whose frame header sits after 300 KB of comments is measured there, and its limit holds', async () => {
    const big = jpegWalked(12000, 12000, 300 * 1024);
    expect(big.length).toBeGreaterThan(300 * 1024);
    const refused = await checkImage(new Blob([big]), 'big.jpg');
    expect(refused.ok ? '' : refused.error.message).toMatch(/^"big.jpg" is 12000×12000 pixels \(144 megapixels\)/);
    expect(await checkImage(new Blob([jpegWalked(1000, 800, 300 * 1024)]), 'ok.jpg')).toEqual({
      ok: true,
      format: 'jpeg',
      width: 1000,
      height: 800,
    });
    // Image data before any frame header: no size to check, so no decode.
    const sizeless = bytes([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xff, 0xd9]);
    const none = await checkImage(new Blob([sizeless]), 'sizeless.jpg');
    expect(none.ok ? '' : none.error.message).toBe(
      '"sizeless.jpg" is a JPEG whose size could not be found in its header, so it cannot be checked.',
    );
  });

  test("data after the end marker is no truncation: a PNG with a trailer, a phone's motion photo", async () => {
    const png = encodePng(6, 4, new Uint8Array(72));
    const trailer = bytes([...png], 'trailing bytes a tool left, with no IEND in them');
    expect(await checkImage(new Blob([trailer]), 'trailer.png')).toMatchObject({ ok: true, width: 6, height: 4 });
    // A JPEG with an MP4 after its end marker, as phones write motion photos.
    const mp4 = bytes(box('ftyp', ascii4('isom'), u32(0), ascii4('isomavc1')), box('mdat', new Array(400).fill(7)));
    const motion = jpegWalked(64, 48, 1000, [...mp4]);
    expect(await checkImage(new Blob([motion]), 'motion.jpg')).toMatchObject({ ok: true, width: 64, height: 48 });
    // Cut inside the compressed data, or inside a chunk: truncated, as before.
    const cutJpeg = await checkImage(new Blob([jpegWalked(64, 48, 1000).subarray(0, -3)]), 'cut.jpg');
    expect(cutJpeg.ok ? '' : cutJpeg.error.message).toMatch(/^"cut.jpg" is a truncated JPEG/);
    const cutPng = await checkImage(new Blob([new Uint8Array(png.subarray(0, png.length - 6))]), 'cut.png');
    expect(cutPng.ok ? '' : cutPng.error.message).toMatch(/^"cut.png" is a truncated PNG/);
  });

  test('AVIF is told from HEIC by its compatible brands and item types, not the major brand alone', () => {
    const heif = (major: string, compatible: string, item: string) =>
      bytes(
        box('ftyp', ascii4(major), u32(0), ascii4(compatible)),
        box('meta', u32(0), box('iinf', ascii4(`infe${item}`)), ispe(640, 480)),
      );
    expect(inspectHeader(heif('mif1', 'mif1avifmiaf', 'xxxx'))).toEqual({
      kind: 'image',
      format: 'avif',
      width: 640,
      height: 480,
    });
    expect(inspectHeader(heif('mif1', 'mif1miaf', 'av01'))).toMatchObject({ kind: 'image', format: 'avif' });
    expect(inspectHeader(heif('mif1', 'mif1heic', 'hvc1'))).toEqual({ kind: 'unsupported', format: 'HEIC/HEIF' });
    expect(inspectHeader(heif('mif1', 'mif1miaf', 'hvc1'))).toEqual({ kind: 'unsupported', format: 'HEIC/HEIF' });
    expect(inspectHeader(heif('heic', 'mif1heic', 'hvc1'))).toEqual({ kind: 'unsupported', format: 'HEIC/HEIF' });
  });

  test('an AVIF is measured by its largest extent, and from a meta box after its data', async () => {
    const ftyp = box('ftyp', ascii4('avif'), u32(0), ascii4('mif1avif'));
    // A grid: 512×512 tiles, the whole image 20000×20000.
    const grid = bytes(ftyp, box('meta', u32(0), ispe(512, 512), ispe(20000, 20000), ispe(512, 512)));
    expect(inspectHeader(grid)).toMatchObject({ width: 20000, height: 20000 });
    // Meta after 300 KB of image data: past the first bytes read.
    const late = bytes(ftyp, box('mdat', new Array(300 * 1024).fill(0)), box('meta', u32(0), ispe(20000, 20000)));
    const refused = await checkImage(new Blob([late]), 'late.avif');
    expect(refused.ok ? '' : refused.error.message).toMatch(/^"late.avif" is 20000×20000 pixels/);
    const small = bytes(ftyp, box('mdat', new Array(300 * 1024).fill(0)), box('meta', u32(0), ispe(800, 600)));
    expect(await checkImage(new Blob([small]), 'small.avif')).toMatchObject({ ok: true, width: 800, height: 600 });
  });
});

describe('every bad file gets its own message', () => {
  const check = async (name: string, data: Uint8Array | string, type = '') =>
    checkImage(new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), name).then((v) =>
      v.ok ? 'ok' : `${v.error.name}: ${v.error.message}`,
    );

  test.each([
    ['empty.png', '', '', /^UnsupportedFileError: "empty.png" is empty \(0 bytes\)\.$/],
    [
      'huge.png',
      pngClaiming(30000, 30000),
      'image/png',
      /^ImageTooLargeError: "huge.png" is 30000×30000 pixels \(900 megapixels\); images up to 100 megapixels/,
    ],
    [
      'cut.png',
      encodePng(8, 8, new Uint8Array(192)).subarray(0, 60),
      'image/png',
      /^UnsupportedFileError: "cut.png" is a truncated PNG/,
    ],
    ['cut.jpg', jpeg(8, 8).subarray(0, 330), 'image/jpeg', /^UnsupportedFileError: "cut.jpg" is a truncated JPEG/],
    ['notes.png', 'just some notes', 'image/png', /^UnsupportedFileError: "notes.png" is a text file, not an image\.$/],
    [
      'page.jpg',
      '<!doctype html><p>hi',
      'image/jpeg',
      /^UnsupportedFileError: "page.jpg" is an HTML page, not an image\.$/,
    ],
    [
      'logo.svg',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      'image/svg+xml',
      /^UnsupportedFileError: "logo.svg" is an SVG drawing/,
    ],
    [
      'photo.heic',
      bytes(u32(24), 'ftypheic', new Array<number>(20).fill(0)),
      'image/heic',
      /^UnsupportedFileError: "photo.heic" is a HEIC\/HEIF image, which browsers cannot decode/,
    ],
    [
      'clip.mp4',
      bytes(u32(24), 'ftypisom', new Array<number>(20).fill(0)),
      'video/mp4',
      /^UnsupportedFileError: "clip.mp4" is a video \(MP4\), not an image: caption it as a video\.$/,
    ],
    [
      'zero.png',
      pngClaiming(0, 10),
      'image/png',
      /^UnsupportedFileError: "zero.png" is a PNG that says it is 0×10 pixels\.$/,
    ],
  ])('%s', async (name, data, type, message) => {
    expect(await check(name, data, type)).toMatch(message);
  });

  test('a valid image passes, with its size, whatever its name or type say', async () => {
    const png = encodePng(12, 5, new Uint8Array(180));
    expect(
      await checkImage(new Blob([new Uint8Array(png)], { type: 'application/octet-stream' }), 'odd-name.dat'),
    ).toEqual({
      ok: true,
      format: 'png',
      width: 12,
      height: 5,
    });
    expect(MAX_IMAGE_PIXELS).toBe(100_000_000);
  });
});
