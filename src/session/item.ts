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

/**
 * A caption an item had before the one it shows: written by the models
 * (with the settings that made it) or by the user. Kept so that a re-run
 * or a revert never loses text; exports can include them.
 */
export type CaptionVersion =
  | {
      readonly kind: 'generated';
      readonly text: string;
      /** When it was superseded (ms since the epoch). */
      readonly at: number;
      /** Which mode, style and models wrote it, in words ("Single pass · detailed · SmolVLM-256M-Instruct"). */
      readonly madeBy: string;
    }
  | { readonly kind: 'edited'; readonly text: string; readonly at: number };

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
  /** Earlier captions, oldest first (absent in sessions saved before versions). */
  readonly versions?: readonly CaptionVersion[];
  /**
   * The SHA-256 of the file's bytes, hex, once it was needed to tell a
   * duplicate (computed only when two files have the same size).
   */
  readonly hash?: string;
  /** Set when the user chose to keep a file whose content is already in the session. */
  readonly keptDuplicate?: boolean;
  /** False when the image was over the session's storage budget: the result is kept, the pixels are not. */
  readonly blobKept: boolean;
}

/** The caption an item exports: the user's edit, else the generated one; null when there is none yet. */
export function finalCaption(item: SessionItem): string | null {
  return item.edited ?? item.record?.caption ?? null;
}

/**
 * True when an item has a caption worth exporting. A finished item that
 * waits for a re-run, or whose re-run failed, keeps its caption: it stays
 * shown and exported until a new one replaces it.
 */
export function isFinished(item: SessionItem): boolean {
  return item.record !== null && item.status !== 'refused';
}

/** The mode, style and models of a record, in words: "Single pass · detailed · SmolVLM-256M-Instruct". */
export function madeBy(record: CaptionRecord): string {
  const mode = record.mode === 'capflow' ? 'CapFlow' : record.mode === 'single-pass' ? 'Single pass' : 'Own prompt';
  const models = Object.values(record.runtime?.models ?? {}).map((repo) => repo.split('/').at(-1) ?? repo);
  return [mode, record.style, ...new Set(models)].filter(Boolean).join(' · ');
}

/** The versions an item keeps, with `text` added last unless it is the latest already or empty. */
export function withVersion(item: SessionItem, version: CaptionVersion): readonly CaptionVersion[] {
  const versions = item.versions ?? [];
  if (!version.text || versions.at(-1)?.text === version.text) return versions;
  return [...versions, version];
}
