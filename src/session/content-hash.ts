/**
 * Content hashes for telling duplicate files apart: the SHA-256 of a
 * file's bytes, hex. Only files of equal size are ever compared, so most
 * files are never read for this.
 */

/** The SHA-256 of `blob`'s bytes, as 64 hex digits. */
export async function contentHash(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
