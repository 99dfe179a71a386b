/**
 * What `distill prepare` knows of an image file to find duplicates: a hash
 * of its bytes (exact copies) and its 64-bit difference hash (dHash: the
 * decoded image, in grey, shrunk to 9×8; each bit says whether a pixel is
 * brighter than its right neighbour), which stays within a few bits across
 * re-encoding, resizing and small edits.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageFacts } from './prepare';

/** The dHash of encoded image bytes (EXIF orientation applied first, as the models see the image). */
export async function dHash(bytes: Uint8Array): Promise<bigint> {
  const { data } = await sharp(bytes)
    .rotate()
    .greyscale()
    .resize(9, 8, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let hash = 0n;
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) hash = (hash << 1n) | ((data[y * 9 + x] ?? 0) > (data[y * 9 + x + 1] ?? 0) ? 1n : 0n);
  return hash;
}

/** The facts of the image at `path`: missing when it cannot be read, unreadable when it cannot be decoded. */
export async function imageFacts(path: string): Promise<ImageFacts> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { kind: 'missing' };
  }
  try {
    return { kind: 'ok', bytes: createHash('sha256').update(bytes).digest('hex'), dhash: await dHash(bytes) };
  } catch {
    return { kind: 'unreadable' };
  }
}
