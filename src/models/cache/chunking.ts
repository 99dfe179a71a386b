/**
 * Cutting a byte stream into fixed-size chunks. Browsers cope badly with
 * single multi-gigabyte IndexedDB values (and some cap them), so weights
 * are written as slices as they arrive, never gathered whole first.
 */

/**
 * Default chunk size: few records, small enough for every browser, and small
 * in flight on a warm load, where each chunk is read, hashed (WebCrypto
 * copies it) and copied into transformers.js's buffer while the runtime
 * copies the weights: 32 MiB chunks cost about 0.15× the weights on the
 * WASM peak (bench figure 10). Stored files keep the size they were written
 * with (a manifest lists its chunks' hashes, not their size).
 */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** The stream's bytes in chunks of exactly `chunkBytes` (the last may be shorter; an empty stream gives one empty chunk). */
export async function* chunksOf(
  stream: ReadableStream<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new RangeError(`invalid chunk size ${chunkBytes}`);
  const reader = stream.getReader();
  let buffer = new Uint8Array(chunkBytes);
  let filled = 0;
  let emitted = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.length) {
        const take = Math.min(value.length - offset, chunkBytes - filled);
        buffer.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === chunkBytes) {
          yield buffer;
          emitted += 1;
          buffer = new Uint8Array(chunkBytes);
          filled = 0;
        }
      }
    }
    if (filled > 0 || emitted === 0) yield buffer.slice(0, filled);
  } finally {
    reader.releaseLock();
  }
}
