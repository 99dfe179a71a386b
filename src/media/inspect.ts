/**
 * What a file is, from its first and last bytes, before anything decodes
 * it: the raster format and its dimensions (PNG, JPEG, WebP, GIF, BMP,
 * AVIF), a video container (MP4, QuickTime, WebM, Matroska), a file that
 * ends early, or what a non-image looks like (text, HTML, SVG, a format
 * browsers cannot decode). Pure functions over bytes,
 * so the page and the worker judge files the same way.
 */

/** Raster formats browsers decode in a worker (createImageBitmap). */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'bmp';

/** Human names of the formats, for messages. */
export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  avif: 'AVIF',
  bmp: 'BMP',
});

/** What the bytes say. */
export type Inspection =
  | {
      readonly kind: 'image';
      readonly format: ImageFormat;
      readonly width: number | null;
      readonly height: number | null;
    }
  /** A raster format browsers do not decode (HEIC, TIFF, PSD…). */
  | { readonly kind: 'unsupported'; readonly format: string }
  /** A video container (the worker finds its tracks and codec). */
  | { readonly kind: 'video'; readonly container: string }
  /** Not an image: text, an HTML page, an SVG drawing, or unknown bytes. */
  | { readonly kind: 'other'; readonly looksLike: 'text' | 'html' | 'svg' | 'unknown' };

/** How many leading bytes {@link inspectHeader} reads (JPEG dimensions can sit after a large EXIF block). */
export const HEADER_BYTES = 256 * 1024;

const ascii = (b: Uint8Array, at: number, text: string) => [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));
const u16be = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u16le = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, at: number) => u16le(b, at) | ((b[at + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, at: number) => ((u16be(b, at) << 16) >>> 0) + u16be(b, at + 2);
const i32le = (b: Uint8Array, at: number) => u16le(b, at) | (u16le(b, at + 2) << 16);

function image(format: ImageFormat, width: number | null, height: number | null): Inspection {
  return { kind: 'image', format, width, height };
}

function jpegSize(b: Uint8Array): [number, number] | null {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    // Start-of-frame markers carry the size (all but DHT C4, JPG C8, DAC CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [u16be(b, at + 7), u16be(b, at + 5)];
    }
    at += 2 + u16be(b, at + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): [number, number] | null {
  if (ascii(b, 12, 'VP8X')) return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  if (ascii(b, 12, 'VP8L')) {
    const bits = i32le(b, 21);
    return [(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1];
  }
  if (ascii(b, 12, 'VP8 ')) return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  return null;
}

/** The `ispe` (image spatial extent) box of an AVIF header, when it is within the bytes read. */
function avifSize(b: Uint8Array): [number, number] | null {
  for (let at = 4; at + 16 <= b.length; at++) {
    if (ascii(b, at, 'ispe')) return [u32be(b, at + 8), u32be(b, at + 12)];
  }
  return null;
}

function looksLike(b: Uint8Array): 'text' | 'html' | 'svg' | 'unknown' {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 1024)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /^<(head|body|div|p|script)\b/.test(head))
    return 'html';
  const sample = b.subarray(0, 1024);
  const binary = sample.some((x) => x === 0 || (x < 9 && x !== 0));
  return binary || sample.length === 0 ? 'unknown' : 'text';
}

/** What the leading bytes of a file are. */
export function inspectHeader(b: Uint8Array): Inspection {
  if (b[0] === 0x89 && ascii(b, 1, 'PNG'))
    return image('png', ascii(b, 12, 'IHDR') ? u32be(b, 16) : null, ascii(b, 12, 'IHDR') ? u32be(b, 20) : null);
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    return image('jpeg', size?.[0] ?? null, size?.[1] ?? null);
  }
  if (ascii(b, 0, 'GIF8')) return image('gif', u16le(b, 6), u16le(b, 8));
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) {
    const size = webpSize(b);
    return image('webp', size?.[0] ?? null, size?.[1] ?? null);
  }
  if (ascii(b, 4, 'ftyp')) {
    const brand = new TextDecoder().decode(b.subarray(8, 12));
    if (brand.startsWith('avi')) {
      const size = avifSize(b);
      return image('avif', size?.[0] ?? null, size?.[1] ?? null);
    }
    if (/^(hei|hev|mif1|msf1)/.test(brand)) return { kind: 'unsupported', format: 'HEIC/HEIF' };
    if (brand === 'qt  ') return { kind: 'video', container: 'QuickTime' };
    if (/^(iso\d|isom|mp4\d|avc1|M4V|3g[p2]|dash|MSNV|f4v)/.test(brand)) return { kind: 'video', container: 'MP4' };
  }
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    return {
      kind: 'video',
      container: new TextDecoder().decode(b.subarray(0, 64)).includes('webm') ? 'WebM' : 'Matroska',
    };
  }
  if (ascii(b, 0, 'BM') && b.length >= 26) return image('bmp', Math.abs(i32le(b, 18)), Math.abs(i32le(b, 22)));
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return { kind: 'unsupported', format: 'TIFF' };
  if (ascii(b, 0, '8BPS')) return { kind: 'unsupported', format: 'Photoshop (PSD)' };
  if (b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0)
    return { kind: 'unsupported', format: 'Windows icon (ICO)' };
  if (ascii(b, 4, 'jP  ') || ascii(b, 0, '\xff\x4f\xff\x51')) return { kind: 'unsupported', format: 'JPEG 2000' };
  if (ascii(b, 0, '\xff\x0a') || ascii(b, 4, 'JXL ')) return { kind: 'unsupported', format: 'JPEG XL' };
  return { kind: 'other', looksLike: looksLike(b) };
}

/** True when a file of this format visibly ends early (PNG without IEND, JPEG without its end marker). */
export function looksTruncated(format: ImageFormat, tail: Uint8Array): boolean {
  if (format === 'png') return !ascii(tail, Math.max(0, tail.length - 8), 'IEND');
  if (format === 'jpeg') {
    // The file must end with the end-of-image marker (some encoders pad with zeros after it).
    let end = tail.length;
    while (end > 0 && tail[end - 1] === 0) end -= 1;
    return !(tail[end - 2] === 0xff && tail[end - 1] === 0xd9);
  }
  return false;
}
