/**
 * The checks every image passes before anything decodes it, on the page
 * (to refuse a file at once, with its own message) and in the worker (the
 * library and the element feed it directly): size in bytes, what the
 * header says the file is, its dimensions against a pixel limit, and
 * whether it visibly ends early. Reads only the first and last bytes.
 */
import { ImageTooLargeError, UnsupportedFileError } from '../shared/errors';
import { FORMAT_NAMES, HEADER_BYTES, type ImageFormat, inspectHeader, looksTruncated } from './inspect';

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
  if (facts.kind === 'other') {
    if (blob.type.startsWith('video/'))
      return refuse(`${quoted} is a video (${blob.type}); video captioning is not available yet.`);
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
  const { format, width, height } = facts;
  const kind = FORMAT_NAMES[format];
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
  if (looksTruncated(format, new Uint8Array(tail))) {
    return refuse(
      `${quoted} is a truncated ${kind}: the file ends before the image does (it may not have finished copying).`,
    );
  }
  return { ok: true, format, width, height };
}
