/**
 * Header sniffing before any decode: a file is an image the worker can
 * decode only if its first bytes say so, whatever its name or MIME type
 * claim. Each refusal says what the file is and what would work.
 */

/** Raster formats browsers decode in a worker (createImageBitmap). */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'bmp';

/** Larger files are refused before decoding (a 100 MB image is almost surely a mistake, and memory is finite). */
export const MAX_IMAGE_BYTES = 100 * 1024 * 1024;

/** How many leading bytes {@link sniffImage} needs. */
export const SNIFF_BYTES = 16;

const ascii = (bytes: Uint8Array, start: number, text: string) =>
  [...text].every((ch, i) => bytes[start + i] === ch.charCodeAt(0));

/** The image format the header bytes announce, or null. */
export function sniffImage(header: Uint8Array): ImageFormat | null {
  if (header[0] === 0x89 && ascii(header, 1, 'PNG')) return 'png';
  if (header[0] === 0xff && header[1] === 0xd8 && header[2] === 0xff) return 'jpeg';
  if (ascii(header, 0, 'GIF8')) return 'gif';
  if (ascii(header, 0, 'RIFF') && ascii(header, 8, 'WEBP')) return 'webp';
  if (ascii(header, 4, 'ftypavi')) return 'avif';
  if (ascii(header, 0, 'BM')) return 'bmp';
  return null;
}

/** The verdict on one file: accepted with its format, or refused with a message naming it. */
export type FileVerdict =
  { readonly ok: true; readonly format: ImageFormat } | { readonly ok: false; readonly reason: string };

const SUPPORTED = 'PNG, JPEG, WebP, GIF, AVIF or BMP';

/** Checks a file's size and header; reads only its first bytes. */
export async function checkImageFile(file: File): Promise<FileVerdict> {
  const name = `"${file.name}"`;
  if (file.size === 0) return { ok: false, reason: `${name} is empty (0 bytes).` };
  if (file.size > MAX_IMAGE_BYTES) {
    const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
    return { ok: false, reason: `${name} is ${mb(file.size)}; images up to ${mb(MAX_IMAGE_BYTES)} can be captioned.` };
  }
  const format = sniffImage(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (format) return { ok: true, format };
  if (file.type.startsWith('video/')) {
    return { ok: false, reason: `${name} is a video (${file.type}); video captioning is not available yet.` };
  }
  if (file.type === 'image/svg+xml') {
    return { ok: false, reason: `${name} is a vector image (SVG); export it as ${SUPPORTED} first.` };
  }
  if (file.type.startsWith('image/')) {
    return { ok: false, reason: `${name} is not a ${SUPPORTED} image (its contents do not match ${file.type}).` };
  }
  return { ok: false, reason: `${name} is not an image (${file.type || 'unknown type'}); use ${SUPPORTED} files.` };
}
