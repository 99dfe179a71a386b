/**
 * An image file as the CLI's engines take it: decoded pixels (after the
 * page's own checks, so a corrupt, empty, huge or non-image file fails with
 * the same named error) for the local models, the router and OCR, and a
 * data URL for a serving endpoint: the file's own bytes where every server
 * reads the format, else a PNG of the pixels.
 */
import { type Stats, openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { RawImage } from '@huggingface/transformers';
import sharp from 'sharp';
import { decodeImage, fitForModels } from '../media/decode';
import { MAX_IMAGE_BYTES, checkImage } from '../media/sniff';
import { ImageSourceError, ImageTooLargeError, UnsupportedFileError } from '../shared/errors';
import { fileKind, fsReason } from './file-words';

/** A decoded image and how to send it. */
export interface CliImage {
  /** Pixels for the vision models (letterboxed where a shape would break them), the router and OCR. */
  readonly raw: RawImage;
  /** The image as a data URL, made on first use. */
  dataUrl(): Promise<string>;
}

/** Formats OpenAI-compatible servers decode themselves (their processors use PIL). */
const SENT_AS_IS: Readonly<Record<string, string>> = Object.freeze({
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
});

/**
 * The file at `path` as a Blob that reads it on demand, after `stat` has shown it is a regular file no larger
 * than an image may be: nothing is read from a device, a pipe or a huge file, and the header checks read only
 * the ends. Errors name the file as `name`.
 */
async function fileBlob(path: string, name: string): Promise<Blob> {
  const quoted = `"${name}"`;
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ImageSourceError(`${quoted} could not be read: ${fsReason(err)}.`);
  }
  if (!info.isFile()) throw new UnsupportedFileError(`${quoted} is ${fileKind(info)}, not an image file.`);
  if (info.size > MAX_IMAGE_BYTES) {
    throw new ImageTooLargeError(
      `${quoted} is ${Math.round(info.size / 2 ** 20)} MB; images up to ${MAX_IMAGE_BYTES / 2 ** 20} MB can be captioned.`,
    );
  }
  try {
    return await openAsBlob(path);
  } catch (err) {
    throw new ImageSourceError(`${quoted} could not be read: ${fsReason(err)}.`);
  }
}

/** Reads and checks `path` (called `name` in errors). */
export async function readImageFile(path: string, name: string): Promise<CliImage> {
  const blob = await fileBlob(path, name);
  const verdict = await checkImage(blob, name);
  if (!verdict.ok) throw verdict.error;
  let buffer: ArrayBuffer;
  try {
    buffer = await blob.arrayBuffer();
  } catch (err) {
    // The file changed or vanished after the checks (a Blob over a file refuses to read a changed one).
    throw new ImageSourceError(`"${name}" could not be read: ${fsReason(err)}.`);
  }
  const bytes = Buffer.from(buffer);
  const raw = fitForModels(await decodeImage(new Blob([buffer]), name));
  let url: Promise<string> | null = null;
  const encode = async () => {
    const mime = SENT_AS_IS[verdict.format];
    const data = mime ? bytes : await sharp(bytes).png().toBuffer();
    return `data:${mime ?? 'image/png'};base64,${data.toString('base64')}`;
  };
  return { raw, dataUrl: () => (url ??= encode()) };
}
