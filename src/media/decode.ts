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

/** Decodes an image Blob, after the header checks; a decoder failure names the format. */
export async function decodeImage(blob: Blob, name: string): Promise<RawImage> {
  const verdict = await checkImage(blob, name);
  if (!verdict.ok) throw verdict.error;
  try {
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
