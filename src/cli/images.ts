/**
 * An image file as the CLI's engines take it: decoded pixels (after the
 * page's own checks, so a corrupt, empty, huge or non-image file fails with
 * the same named error) for the local models, the router and OCR, and a
 * data URL for a serving endpoint, made fit for what that endpoint takes
 * (image-encode.ts): the file's own bytes where they do, else re-encoded.
 */
import { type Stats, openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RawImage } from '@huggingface/transformers';
import { decodeImage, fitForModels } from '../media/decode';
import { MAX_IMAGE_BYTES, checkImage } from '../media/sniff';
import { ImageSourceError, ImageTooLargeError, UnsupportedFileError } from '../shared/errors';
import { fileKind, fsReason } from './file-words';
import { type EncodedImage, ImageSender, type SentImageRecord } from './image-encode';
import { DEFAULT_FIT, type ImageFit } from './image-fit';

/** A decoded image and how to send it. */
export interface CliImage {
  /** Pixels for the vision models (letterboxed where a shape would break them), the router and OCR. */
  readonly raw: RawImage;
  /** The image fit for an endpoint that takes `fit` (image-encode.ts): made on first use, then reused. */
  encoded(fit: ImageFit): Promise<EncodedImage>;
  /**
   * After an HTTP 413 refused `refused`: a JPEG of half its pixels at a lower quality, which later steps for
   * `fit` use too; null when `refused` was that smaller image already (one smaller try) or it would be tiny.
   */
  smaller(fit: ImageFit, refused: EncodedImage): Promise<EncodedImage | null>;
  /** Counts a request that carried `image`, for the record. */
  noteSent(image: EncodedImage, fit: ImageFit): void;
  /** What went to endpoints, for the record: empty on the local engine. */
  sent(): SentImageRecord[];
  /** The image as a data URL for an endpoint that says nothing about itself ({@link DEFAULT_FIT}). */
  dataUrl(): Promise<string>;
}

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
  const raw = fitForModels(await decodeImage(new Blob([buffer]), name));
  const sender = new ImageSender(Buffer.from(buffer), verdict.format, resolve(path));
  return {
    raw,
    encoded: (fit) => sender.encoded(fit),
    smaller: (fit, refused) => sender.smaller(fit, refused),
    noteSent: (image, fit) => sender.noteSent(image, fit),
    sent: () => sender.sent(),
    dataUrl: async () => (await sender.encoded(DEFAULT_FIT)).url,
  };
}
