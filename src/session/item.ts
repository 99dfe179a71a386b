/**
 * One file of the user's batch and what became of it: the unit the queue
 * runs, the session store keeps across reloads, and the exports write out.
 * Plain JSON (the image itself is stored separately, as a Blob).
 */
import type { CaptionRecord, DomainId } from '../shared/record';

/** Where an item stands. `refused` files never entered the queue (not an image, too large…). */
export type ItemStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'refused';

/** A named error as the worker reported it (comlink keeps name and message). */
export interface ItemError {
  readonly name: string;
  readonly message: string;
}

/** A batch item. */
export interface SessionItem {
  readonly id: string;
  /** The file name, e.g. "cat.jpg". */
  readonly name: string;
  /** Path inside a dropped or picked folder ("trip/day1/cat.jpg"), else the name: names exports and sidecars. */
  readonly path: string;
  readonly type: string;
  /** Set for a video (its frames are sampled in the worker); absent for an image, as in sessions saved before videos. */
  readonly media?: 'video';
  readonly size: number;
  readonly addedAt: number;
  readonly status: ItemStatus;
  readonly error: ItemError | null;
  readonly record: CaptionRecord | null;
  /** The user's edit of the caption; null while unedited. Exports use it in place of the generated caption. */
  readonly edited: string | null;
  /** A domain the user pinned for this item (re-run); null: the settings decide. */
  readonly pinnedDomain: DomainId | null;
  /** False when the image was over the session's storage budget: the result is kept, the pixels are not. */
  readonly blobKept: boolean;
}

/** The caption an item exports: the user's edit, else the generated one; null when there is none yet. */
export function finalCaption(item: SessionItem): string | null {
  return item.edited ?? item.record?.caption ?? null;
}

/** True when an item has a result worth exporting. */
export function isFinished(item: SessionItem): boolean {
  return item.status === 'done' && item.record !== null;
}
