/**
 * The checks every image passes before anything decodes it, on the page
 * (to refuse a file at once, with its own message) and in the worker (the
 * library and the element feed it directly): size in bytes, what the
 * header says the file is, its dimensions against a pixel limit, and
 * whether it ends early. Reads the first and last bytes; further only to
 * walk to a size field the first bytes do not hold, or to find the end
 * marker of a file whose last bytes are not it.
 */
import { ImageTooLargeError, UnsupportedFileError, VideoTooLargeError } from '../shared/errors';
import {
  FORMAT_NAMES,
  HEADER_BYTES,
  type ImageFormat,
  avifSize,
  endsEarly,
  inspectHeader,
  jpegFrame,
  looksTruncated,
} from './inspect';

export type { ImageFormat } from './inspect';

/** Larger files are refused before decoding (a 100 MB image is almost surely a mistake, and memory is finite). */
export const MAX_IMAGE_BYTES = 100 * 1024 * 1024;
/** Images with more pixels are refused from their header: 100 megapixels decode to 400 MB of RGBA. */
export const MAX_IMAGE_PIXELS = 100_000_000;

const SUPPORTED = 'PNG, JPEG, WebP, GIF, AVIF or BMP';

/** The verdict on one file: accepted with its format and size, or refused with a named error. */
export type FileVerdict =
  | { readonly ok: true; readonly format: ImageFormat; readonly width: number | null; readonly height: number | null }
  | { readonly ok: false; readonly error: UnsupportedFileError | ImageTooLargeError };

const megabytes = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Checks a file (or any Blob with a name) without decoding it. */
export async function checkImage(blob: Blob, name: string): Promise<FileVerdict> {
  const quoted = `"${name}"`;
  const refuse = (message: string): FileVerdict => ({ ok: false, error: new UnsupportedFileError(message) });
  if (blob.size === 0) return refuse(`${quoted} is empty (0 bytes).`);
  if (blob.size > MAX_IMAGE_BYTES) {
    return {
      ok: false,
      error: new ImageTooLargeError(
        `${quoted} is ${megabytes(blob.size)}; images up to ${megabytes(MAX_IMAGE_BYTES)} can be captioned.`,
      ),
    };
  }
  // Both ends read at once: each read of a Blob handed to a worker is a round trip to the browser's blob store.
  const [head, tail] = await Promise.all([
    blob.slice(0, HEADER_BYTES).arrayBuffer(),
    blob.slice(Math.max(0, blob.size - 64)).arrayBuffer(),
  ]);
  const facts = inspectHeader(new Uint8Array(head));
  if (facts.kind === 'unsupported') {
    return refuse(`${quoted} is a ${facts.format} image, which browsers cannot decode; convert it to ${SUPPORTED}.`);
  }
  if (facts.kind === 'video')
    return refuse(`${quoted} is a video (${facts.container}), not an image: caption it as a video.`);
  if (facts.kind === 'other') {
    if (blob.type.startsWith('video/'))
      return refuse(
        `${quoted} says it is a video (${blob.type}), but its contents match no video container this app reads (MP4, QuickTime, WebM, Matroska).`,
      );
    switch (facts.looksLike) {
      case 'svg':
        // Never rasterised here: a drawing's scripts never run and nothing it links is fetched.
        return refuse(`${quoted} is an SVG drawing; export it as ${SUPPORTED} first.`);
      case 'html':
        return refuse(`${quoted} is an HTML page, not an image.`);
      case 'text':
        return refuse(`${quoted} is a text file, not an image.`);
      case 'unknown':
        return refuse(`${quoted} is not an image this app can read: its contents match no ${SUPPORTED} file.`);
    }
  }
  const { format } = facts;
  const kind = FORMAT_NAMES[format];
  // A size field past the first bytes (300 KB of comments before a JPEG's frame header, an AVIF's meta box
  // after its data) is found by walking the file's structure, never skipped: the pixel limit must hold.
  const [width, height] =
    facts.width !== null
      ? [facts.width, facts.height]
      : format === 'jpeg'
        ? ((await jpegSizeInBlob(blob)) ?? [null, null])
        : format === 'avif'
          ? ((await avifSizeInBlob(blob)) ?? [null, null])
          : [null, null];
  if ((format === 'jpeg' || format === 'avif') && (width === null || height === null)) {
    return refuse(`${quoted} is a ${kind} whose size could not be found in its header, so it cannot be checked.`);
  }
  if (width === 0 || height === 0) return refuse(`${quoted} is a ${kind} that says it is ${width}×${height} pixels.`);
  if (width !== null && height !== null && width * height > MAX_IMAGE_PIXELS) {
    const mp = (n: number) => `${Math.round(n / 1e6)} megapixels`;
    return {
      ok: false,
      error: new ImageTooLargeError(
        `${quoted} is ${width}×${height} pixels (${mp(width * height)}); images up to ${mp(MAX_IMAGE_PIXELS)} can be captioned.`,
      ),
    };
  }
  // The quick check reads the last bytes; only a file that fails it is read whole, for its end marker.
  if (looksTruncated(format, new Uint8Array(tail)) && endsEarly(format, new Uint8Array(await blob.arrayBuffer()))) {
    return refuse(
      `${quoted} is a truncated ${kind}: the file ends before the image does (it may not have finished copying).`,
    );
  }
  return { ok: true, format, width, height };
}

/** How far a walk through a file's structure may go, in reads: a file that needs more is refused. */
const MAX_WALK_STEPS = 4096;
/** How many bytes each step of a walk reads: a whole JPEG segment (at most 64 KiB) or an ISO box header. */
const WALK_WINDOW = 64 * 1024;

/** A JPEG's size from its frame header wherever it is, walking segment by segment; null when it has none. */
async function jpegSizeInBlob(blob: Blob): Promise<[number, number] | null> {
  let at = 2;
  for (let step = 0; step < MAX_WALK_STEPS && at < blob.size; step++) {
    const window = new Uint8Array(await blob.slice(at, at + WALK_WINDOW).arrayBuffer());
    const found = jpegFrame(window, 0);
    if (!found) return null;
    if ('size' in found) return found.size;
    if (found.next === 0) return null;
    at += found.next;
  }
  return null;
}

/** Largest meta box read whole when looking for an AVIF's size. */
const MAX_META_BYTES = 4 * 1024 * 1024;

/** An AVIF's size from its meta box wherever it is among the top-level boxes; null when it has none. */
async function avifSizeInBlob(blob: Blob): Promise<[number, number] | null> {
  let at = 0;
  for (let step = 0; step < MAX_WALK_STEPS && at + 8 <= blob.size; step++) {
    const head = new DataView(await blob.slice(at, at + 16).arrayBuffer());
    if (head.byteLength < 8) return null;
    const small = head.getUint32(0);
    const type = String.fromCharCode(...new Uint8Array(head.buffer, 4, 4));
    const size =
      small === 1 && head.byteLength >= 16 ? Number(head.getBigUint64(8)) : small === 0 ? blob.size - at : small;
    if (size < 8) return null;
    if (type === 'meta') {
      return avifSize(new Uint8Array(await blob.slice(at, at + Math.min(size, MAX_META_BYTES)).arrayBuffer()));
    }
    at += size;
  }
  return null;
}

/** Videos are read in pieces, never whole; past this size a file is almost surely a mistake. */
export const MAX_VIDEO_BYTES = 4 * 1024 ** 3;

/** The verdict on a file the page was handed: an image, a video (its container), or refused with a named error. */
export type MediaVerdict =
  | { readonly ok: true; readonly media: 'image' }
  | { readonly ok: true; readonly media: 'video'; readonly container: string }
  | { readonly ok: false; readonly error: UnsupportedFileError | ImageTooLargeError | VideoTooLargeError };

/** Checks a file the user added: a video by its container's header, else the image checks. */
export async function checkMedia(blob: Blob, name: string): Promise<MediaVerdict> {
  const facts = inspectHeader(new Uint8Array(await blob.slice(0, 64).arrayBuffer()));
  if (facts.kind !== 'video') {
    const verdict = await checkImage(blob, name);
    return verdict.ok ? { ok: true, media: 'image' } : verdict;
  }
  if (blob.size > MAX_VIDEO_BYTES) {
    const gb = (n: number) => `${Math.round((n / 1024 ** 3) * 10) / 10} GB`;
    return {
      ok: false,
      error: new VideoTooLargeError(
        `"${name}" is ${gb(blob.size)}; videos up to ${gb(MAX_VIDEO_BYTES)} can be captioned.`,
      ),
    };
  }
  return { ok: true, media: 'video', container: facts.container };
}
