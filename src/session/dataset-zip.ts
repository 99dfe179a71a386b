/**
 * The dataset zip: each finished item's original file next to its `.txt`
 * sidecar, in the batch's folder layout — the training-set folder the
 * caption tools read. A 200-photo dataset is about 1 GB, so the archive is
 * streamed (fflate's `Zip`): each file is read in chunks, stored without
 * compressing it again (photos and videos are compressed already), and the
 * output is folded into Blobs as it grows, which the browser may keep on
 * disk, rather than one giant array. Progress is reported and the work can
 * be cancelled. Items whose file was not kept are left out and listed.
 */
import { Zip, ZipDeflate, ZipPassThrough, strToU8 } from 'fflate';
import type { SessionItem } from './item';
import { type Unwritable, sidecarEntries } from './sidecar-plan';

/** Gives an item's original file, or undefined when the session did not keep it. */
export type ImageSource = (item: SessionItem) => Promise<Blob | undefined>;

/** How far the zip has got, in files and bytes of the originals. */
export interface ZipProgress {
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** What the dataset zip holds and what it left out. */
export interface DatasetZip {
  readonly blob: Blob;
  /** Images and videos written (each with its sidecar). */
  readonly files: number;
  /** Finished items whose file the session no longer has (over its storage budget). */
  readonly notKept: readonly SessionItem[];
  /** Finished items whose sidecar could not be written without harm. */
  readonly unwritable: readonly Unwritable[];
}

/** The plain zip format fflate writes has 32-bit sizes and offsets (no ZIP64): stay clear of 4 GiB. */
export const ZIP_LIMIT = 0xffff_0000;

/** Raised when the dataset is too large for one zip. */
export class DatasetTooLargeError extends Error {
  override name = 'DatasetTooLargeError';
}

// Output chunks are folded into a Blob every few MiB, so the page never holds the whole archive as arrays.
const FOLD_BYTES = 16 * 1024 * 1024;
// Fixed timestamps, as in the sidecar zip: the same dataset gives the same archive.
const MTIME = new Date('2020-01-01T00:00:00Z');

/** True for a chunk on a plain ArrayBuffer, which a Blob takes without a copy (fflate's types allow shared ones). */
const ownsArrayBuffer = (chunk: Uint8Array): chunk is Uint8Array<ArrayBuffer> => chunk.buffer instanceof ArrayBuffer;

/** Builds the dataset zip; rejects with an `AbortError` DOMException when `signal` aborts. */
export async function toDatasetZip(
  items: readonly SessionItem[],
  image: ImageSource,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (p: ZipProgress) => void } = {},
): Promise<DatasetZip> {
  const { signal, onProgress } = options;
  const { entries, unwritable } = sidecarEntries(items);
  const found: { entry: (typeof entries)[number]; blob: Blob }[] = [];
  const notKept: SessionItem[] = [];
  for (const entry of entries) {
    const blob = await image(entry.item);
    if (blob) found.push({ entry, blob });
    else notKept.push(entry.item);
  }
  signal?.throwIfAborted();
  const totalBytes = found.reduce((sum, f) => sum + f.blob.size, 0);
  if (totalBytes >= ZIP_LIMIT) {
    throw new DatasetTooLargeError(
      `These files come to ${(totalBytes / 1e9).toFixed(1)} GB, more than one zip can hold (4 GB): write the sidecars into your folder instead, or export part of the batch.`,
    );
  }

  const parts: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  const failures: Error[] = [];
  const fold = () => {
    parts.push(new Blob(pending));
    pending = [];
    pendingBytes = 0;
  };
  const zip = new Zip((err, chunk) => {
    if (err) failures.push(err);
    else {
      pending.push(ownsArrayBuffer(chunk) ? chunk : new Uint8Array(chunk));
      pendingBytes += chunk.length;
      if (pendingBytes >= FOLD_BYTES) fold();
    }
  });

  const progress = { files: 0, totalFiles: found.length, bytes: 0, totalBytes };
  onProgress?.({ ...progress });
  try {
    for (const { entry, blob } of found) {
      const file = new ZipPassThrough(entry.item.path);
      file.mtime = MTIME;
      zip.add(file);
      const reader = blob.stream().getReader();
      let read = false;
      try {
        while (!read) {
          signal?.throwIfAborted();
          const { done, value } = await reader.read();
          read = done;
          if (value) {
            file.push(value);
            progress.bytes += value.length;
            onProgress?.({ ...progress });
          }
        }
      } finally {
        // Cancelled half way: let the browser stop reading the file.
        if (!read) await reader.cancel().catch(() => undefined);
      }
      file.push(new Uint8Array(0), true);
      const sidecar = new ZipDeflate(entry.sidecar, { level: 6 });
      sidecar.mtime = MTIME;
      zip.add(sidecar);
      sidecar.push(strToU8(entry.text), true);
      progress.files += 1;
      onProgress?.({ ...progress });
      if (failures[0]) throw failures[0];
    }
    zip.end();
  } catch (err) {
    zip.terminate();
    throw err;
  }
  if (failures[0]) throw failures[0];
  fold();
  return { blob: new Blob(parts, { type: 'application/zip' }), files: found.length, notKept, unwritable };
}
