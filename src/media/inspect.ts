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

/** A marker of a JPEG and the offset of its 0xFF. */
interface JpegMarker {
  readonly marker: number;
  readonly at: number;
}

/** Markers that stand alone, with no length after them: SOI, EOI, RST0–7, TEM. */
const standalone = (m: number) => m === 0xd8 || m === 0xd9 || (m >= 0xd0 && m <= 0xd7) || m === 0x01;
/** Start-of-frame markers carry the size (all of C0–CF but DHT C4, JPG C8, DAC CC). */
const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * The markers of a JPEG from `at` in `b`, in order, each segment skipped by its length; fill bytes and stray
 * bytes between segments are skipped as decoders skip them. Returns where the walk stopped: the offset of
 * the first marker whose header `b` does not hold (so a caller reading in windows goes on from there).
 */
function* jpegMarkers(b: Uint8Array, at: number): Generator<JpegMarker, number> {
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff || b[at + 1] === 0x00) {
      const next = b.indexOf(0xff, at + 1);
      if (next < 0) return b.length;
      at = next;
      continue;
    }
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    yield { marker, at };
    at += standalone(marker) ? 2 : 2 + u16be(b, at + 2);
  }
  return at;
}

/**
 * A JPEG's size from its frame header, searched from the marker at `from`: the size; where to read on when
 * `b` ends before it (`next`, an offset in `b`); or null when the image data starts first (no size).
 */
export function jpegFrame(b: Uint8Array, from: number): { size: [number, number] } | { next: number } | null {
  const walk = jpegMarkers(b, from);
  for (let step = walk.next(); ; step = walk.next()) {
    if (step.done) return { next: step.value };
    const { marker, at } = step.value;
    if (isFrame(marker)) return at + 9 <= b.length ? { size: [u16be(b, at + 7), u16be(b, at + 5)] } : { next: at };
    if (marker === 0xda || marker === 0xd9) return null;
  }
}

function jpegSize(b: Uint8Array): [number, number] | null {
  const found = jpegFrame(b, 2);
  return found && 'size' in found ? found.size : null;
}

/**
 * The offset just after a JPEG's end-of-image marker, or null when the file ends first. Inside the
 * compressed data every 0xFF is followed by 0x00 or a restart marker, so the first FF D9 after the first
 * scan's header is the end, wherever the file's last bytes are (a phone's "motion photo" appends a video).
 */
export function jpegEnd(b: Uint8Array): number | null {
  for (const { marker, at } of jpegMarkers(b, 2)) {
    if (marker === 0xd9) return at + 2;
    if (marker !== 0xda) continue;
    for (let i = at + 2 + u16be(b, at + 2); i + 1 < b.length; i++) {
      if (b[i] === 0xff && b[i + 1] === 0xd9) return i + 2;
    }
    return null;
  }
  return null;
}

/** The offset just after a PNG's IEND chunk, walking its chunks by length, or null when the file ends first. */
export function pngEnd(b: Uint8Array): number | null {
  for (let at = 8; at + 12 <= b.length;) {
    const end = at + 12 + u32be(b, at);
    if (ascii(b, at + 4, 'IEND')) return end <= b.length ? end : null;
    at = end;
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

/**
 * The largest `ispe` (image spatial extent) property in `b`, an AVIF's header or its meta box. The largest,
 * not the first: a grid image's tiles and its thumbnail have their own, smaller ones.
 */
export function avifSize(b: Uint8Array): [number, number] | null {
  let best: [number, number] | null = null;
  for (let at = 4; at + 16 <= b.length; at++) {
    if (!ascii(b, at, 'ispe')) continue;
    const size: [number, number] = [u32be(b, at + 8), u32be(b, at + 12)];
    if (!best || size[0] * size[1] > best[0] * best[1]) best = size;
  }
  return best;
}

/** The major and compatible brands of an ISO media file's `ftyp` box. */
function brands(b: Uint8Array): string[] {
  const end = Math.min(u32be(b, 0), b.length, 4096);
  const found = [new TextDecoder().decode(b.subarray(8, 12))];
  for (let at = 16; at + 4 <= end; at += 4) found.push(new TextDecoder().decode(b.subarray(at, at + 4)));
  return found;
}

/**
 * AVIF or HEIC, for an image file of the HEIF family: the brands first (AVIF files often name the generic
 * `mif1` as their major brand and `avif` among the compatible ones), then the coded item types (`av01` or
 * `hvc1`) in the header; null when neither says.
 */
function heifFamily(b: Uint8Array, named: readonly string[]): 'avif' | 'heic' | null {
  if (named.some((n) => n === 'avif' || n === 'avis')) return 'avif';
  if (named.some((n) => /^(heic|heix|heim|heis|hevc|hevx|hevm|hevs)$/.test(n))) return 'heic';
  if (!named.some((n) => n === 'mif1' || n === 'msf1')) return null;
  const head = b.subarray(0, 64 * 1024);
  const has = (type: string) => head.some((_, at) => ascii(head, at, type));
  if (has('av01')) return 'avif';
  if (has('hvc1') || has('hev1')) return 'heic';
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
    const named = brands(b);
    const brand = named[0] ?? '';
    const family = heifFamily(b, named);
    if (family === 'avif') {
      const size = avifSize(b);
      return image('avif', size?.[0] ?? null, size?.[1] ?? null);
    }
    if (family === 'heic' || /^(mif1|msf1)$/.test(brand)) return { kind: 'unsupported', format: 'HEIC/HEIF' };
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

/**
 * True when a file of this format does not end with its end marker (PNG's IEND, JPEG's EOI): the quick check
 * on its last bytes. A file that fails it may still be whole with data after the marker, which
 * {@link endsEarly} tells from the whole file.
 */
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

/** True when the whole file `b` ends before its end marker; data after the marker is no truncation. */
export function endsEarly(format: ImageFormat, b: Uint8Array): boolean {
  if (format === 'png') return pngEnd(b) === null;
  if (format === 'jpeg') return jpegEnd(b) === null;
  return false;
}
