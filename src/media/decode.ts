/**
 * Images into pixels inside the worker: checked from their headers first
 * (the same checks the page makes, so the library and the element refuse
 * bad files with the same specific errors), decoded with EXIF orientation
 * applied (createImageBitmap does it), and letterboxed when a shape would
 * break the vision models' preprocessing.
 */
import { RawImage } from '@huggingface/transformers';
import { ImageDecodeError, errorText } from '../shared/errors';
import { FORMAT_NAMES } from './inspect';
import { type RgbPixels, letterbox, letterboxSize } from './letterbox';
import { checkImage } from './sniff';

/**
 * The longest side an image is decoded at in a browser. Chromium's canvases hold no more reliably (a 1×300000
 * strip drew as nothing, every pixel zero, without an error), so a longer image is decoded scaled down to
 * this side with its aspect kept; the models see it smaller still. Node decodes with sharp, which has no
 * such limit.
 */
export const MAX_DECODE_SIDE = 16384;

/** Decodes in a browser at most {@link MAX_DECODE_SIDE} on the long side (createImageBitmap scales while decoding). */
async function decodeScaled(blob: Blob, width: number, height: number): Promise<RawImage> {
  // Both sides given, at least one pixel each: one alone can round the short side of a strip to zero.
  const scale = MAX_DECODE_SIDE / Math.max(width, height);
  const bitmap = await createImageBitmap(blob, {
    resizeWidth: Math.max(1, Math.round(width * scale)),
    resizeHeight: Math.max(1, Math.round(height * scale)),
    resizeQuality: 'medium',
  });
  try {
    const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    if (!ctx) throw new Error('no 2D canvas to draw the image on');
    ctx.drawImage(bitmap, 0, 0);
    return new RawImage(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height, 4);
  } finally {
    bitmap.close();
  }
}

/** Decodes an image Blob, after the header checks; a decoder failure names the format. */
export async function decodeImage(blob: Blob, name: string): Promise<RawImage> {
  const verdict = await checkImage(blob, name);
  if (!verdict.ok) throw verdict.error;
  const { width, height } = verdict;
  const inBrowser = typeof OffscreenCanvas !== 'undefined' && typeof createImageBitmap === 'function';
  try {
    if (inBrowser && width !== null && height !== null && Math.max(width, height) > MAX_DECODE_SIDE) {
      return await decodeScaled(blob, width, height);
    }
    return await RawImage.fromBlob(blob);
  } catch (err) {
    throw new ImageDecodeError(name, errorText(err), FORMAT_NAMES[verdict.format]);
  }
}

/** The image's pixels as packed RGB. */
export function rgbOf(image: RawImage): RgbPixels {
  const rgb = image.rgb();
  return { width: rgb.width, height: rgb.height, data: rgb.data };
}

/** The image as the vision models take it: letterboxed when its shape would break their preprocessing. */
export function fitForModels(image: RawImage): RawImage {
  if (!letterboxSize(image.width, image.height)) return image;
  const fitted = letterbox(rgbOf(image));
  return new RawImage(fitted.data, fitted.width, fitted.height, 3);
}
