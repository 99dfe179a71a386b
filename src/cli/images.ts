/**
 * An image file as the CLI's engines take it: decoded pixels (after the
 * page's own checks, so a corrupt, empty, huge or non-image file fails with
 * the same named error) for the local models, the router and OCR, and a
 * data URL for a serving endpoint: the file's own bytes where every server
 * reads the format, else a PNG of the pixels.
 */
import { readFile } from 'node:fs/promises';
import type { RawImage } from '@huggingface/transformers';
import sharp from 'sharp';
import { decodeImage, fitForModels } from '../media/decode';
import { checkImage } from '../media/sniff';

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

/** Reads and checks `path` (called `name` in errors). */
export async function readImageFile(path: string, name: string): Promise<CliImage> {
  const bytes = await readFile(path);
  const blob = new Blob([bytes]);
  const verdict = await checkImage(blob, name);
  if (!verdict.ok) throw verdict.error;
  const raw = fitForModels(await decodeImage(blob, name));
  let url: Promise<string> | null = null;
  const encode = async () => {
    const mime = SENT_AS_IS[verdict.format];
    const data = mime ? bytes : await sharp(bytes).png().toBuffer();
    return `data:${mime ?? 'image/png'};base64,${data.toString('base64')}`;
  };
  return { raw, dataUrl: () => (url ??= encode()) };
}
