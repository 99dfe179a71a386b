/**
 * Pure arithmetic for storing one file as fixed-size chunks. Browsers cope
 * badly with single multi-gigabyte IndexedDB values (and some cap them), so
 * weights are written as slices and reassembled as one Blob on read.
 */

/** Default chunk size: large enough for few records, small enough for every browser. */
export const CHUNK_BYTES = 32 * 1024 * 1024;

/** One chunk's place in the file. */
export interface ChunkRange {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** The chunk ranges covering `size` bytes (one empty chunk for an empty file). */
export function chunkRanges(size: number, chunkBytes: number = CHUNK_BYTES): ChunkRange[] {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`invalid file size ${size}`);
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new RangeError(`invalid chunk size ${chunkBytes}`);
  const count = Math.max(1, Math.ceil(size / chunkBytes));
  return Array.from({ length: count }, (_, index) => ({
    index,
    start: index * chunkBytes,
    end: Math.min(size, (index + 1) * chunkBytes),
  }));
}

/** Why stored chunks do not make up the recorded file, or null when they do. */
export function chunkMismatch(
  expectedSize: number,
  expectedCount: number,
  chunkSizes: readonly number[],
): string | null {
  if (chunkSizes.length !== expectedCount) return `${chunkSizes.length} of ${expectedCount} chunks present`;
  const total = chunkSizes.reduce((a, b) => a + b, 0);
  if (total !== expectedSize) return `${total} bytes stored, ${expectedSize} expected`;
  return null;
}
