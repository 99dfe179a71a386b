/**
 * Planning the `.txt` sidecars that go next to a dataset's images, written
 * into the dataset zip or back into the user's own folder: which file each
 * caption goes to (the naming rule of `sidecarNames`), which captions cannot
 * be written without harm (two images sharing one sidecar, a sidecar that
 * would be an image of the batch, a path that climbs out of the folder),
 * where they land under a picked folder, and what to ask when some already
 * exist. Pure: the browser I/O that probes and writes lives in the page.
 */
import { sidecarNames } from './exports';
import { type SessionItem, finalCaption, isFinished } from './item';

/** One caption and the sidecar it goes to. */
export interface SidecarEntry {
  readonly item: SessionItem;
  /** The sidecar's path, in the batch's own layout ("trip/day1/cat.txt"). */
  readonly sidecar: string;
  readonly text: string;
}

/** Why a caption's sidecar is not written. */
export type UnwritableReason = 'shared' | 'is-media' | 'unsafe';

/** A finished item whose sidecar is left out, and why. */
export interface Unwritable {
  readonly item: SessionItem;
  readonly sidecar: string;
  readonly reason: UnwritableReason;
}

/** The sidecars of a batch: those to write, in batch order, and those left out. */
export interface SidecarEntries {
  readonly entries: readonly SidecarEntry[];
  readonly unwritable: readonly Unwritable[];
}

/**
 * File systems on Windows and macOS ignore case and macOS normalises
 * Unicode, so "Cat.txt" and "cat.txt" are one file there: compare that way.
 */
const fileKey = (path: string) => path.normalize('NFC').toLowerCase();

/** A path segment that a folder handle refuses or that would leave the folder. */
const unsafeSegment = (s: string) => s === '' || s === '.' || s === '..' || s.includes('\\');

/**
 * The finished items' sidecars. Names come from `sidecarNames` over every
 * finished item (so they match the sidecar zip); a later item whose sidecar
 * is already taken (the same path added twice, names differing only in case)
 * or would be one of the batch's own images is left out, never overwriting.
 */
export function sidecarEntries(items: readonly SessionItem[]): SidecarEntries {
  const done = items.filter(isFinished);
  const names = sidecarNames(done.map((i) => i.path));
  const media = new Set(items.filter((i) => i.status !== 'refused').map((i) => fileKey(i.path)));
  const taken = new Set<string>();
  const entries: SidecarEntry[] = [];
  const unwritable: Unwritable[] = [];
  done.forEach((item, index) => {
    const sidecar = names[index] ?? `${item.path}.txt`;
    const key = fileKey(sidecar);
    const reason: UnwritableReason | null = sidecar.split('/').some(unsafeSegment)
      ? 'unsafe'
      : media.has(key)
        ? 'is-media'
        : taken.has(key)
          ? 'shared'
          : null;
    if (reason) unwritable.push({ item, sidecar, reason });
    else {
      taken.add(key);
      entries.push({ item, sidecar, text: finalCaption(item) ?? '' });
    }
  });
  return { entries, unwritable };
}

/** Why a sidecar is left out, in words, after its image's path. */
export function unwritableText(u: Unwritable): string {
  switch (u.reason) {
    case 'shared':
      return `${u.item.path}: its sidecar ${u.sidecar} belongs to an earlier file of the same name`;
    case 'is-media':
      return `${u.item.path}: its sidecar ${u.sidecar} would replace an image or video of the batch`;
    case 'unsafe':
      return `${u.item.path}: its path cannot be written inside a folder`;
  }
}

/** A sidecar to write under the picked folder. */
export interface SidecarTarget {
  readonly entry: SidecarEntry;
  /** Folders below the picked one, outermost first (created when missing). */
  readonly folders: readonly string[];
  /** The sidecar's file name. */
  readonly file: string;
  /** Folders and file joined, relative to the picked folder: what reports name. */
  readonly path: string;
}

/**
 * Where each sidecar goes under a picked folder named `folderName`. Paths of
 * a picked or dropped folder begin with that folder's name ("trip/day1/cat.jpg"):
 * when the first segment equals the picked folder's name it is dropped, so
 * picking "trip" writes "day1/cat.txt" inside it; otherwise (the user picked
 * the parent, or the file was added on its own) the path is kept as it is.
 */
export function sidecarTargets(entries: readonly SidecarEntry[], folderName: string): SidecarTarget[] {
  return entries.map((entry) => {
    const segments = entry.sidecar.split('/');
    const inside = segments.length > 1 && segments[0] === folderName ? segments.slice(1) : segments;
    const file = inside.at(-1) ?? entry.sidecar;
    return { entry, folders: inside.slice(0, -1), file, path: inside.join('/') };
  });
}

/** What the folder holds where a sidecar would go: nothing, a file, or a folder (which is never replaced). */
export type TargetState = 'absent' | 'file' | 'folder';

/** The question to put when sidecars already exist, or null when none does (nothing to ask). */
export function existingQuestion(states: readonly TargetState[], folderName: string): string | null {
  const count = states.filter((s) => s === 'file').length;
  if (count === 0) return null;
  return count === 1
    ? `1 sidecar already exists in ${folderName}/: replace it, skip it, or cancel?`
    : `${count} sidecars already exist in ${folderName}/: replace them, skip them, or cancel?`;
}

/** The user's answer about existing sidecars ('replace' or 'skip'; cancel writes nothing). */
export type ExistingChoice = 'replace' | 'skip';

/** One write to make: `replace` is true only for a file the user agreed to replace. */
export interface SidecarWrite {
  readonly target: SidecarTarget;
  readonly replace: boolean;
}

/** The writes to make and the targets skipped (an existing file kept, or a folder in the way). */
export interface WritePlan {
  readonly writes: readonly SidecarWrite[];
  readonly skipped: readonly SidecarTarget[];
  readonly blocked: readonly SidecarTarget[];
}

/** Splits the targets by what exists (`states`, in the same order) and the user's choice. */
export function writePlan(
  targets: readonly SidecarTarget[],
  states: readonly TargetState[],
  choice: ExistingChoice,
): WritePlan {
  const writes: SidecarWrite[] = [];
  const skipped: SidecarTarget[] = [];
  const blocked: SidecarTarget[] = [];
  targets.forEach((target, i) => {
    const state = states[i] ?? 'absent';
    if (state === 'folder') blocked.push(target);
    else if (state === 'file' && choice === 'skip') skipped.push(target);
    else writes.push({ target, replace: state === 'file' });
  });
  return { writes, skipped, blocked };
}

/** What came of a write-back, each file named by its path under the picked folder. */
export interface WriteReport {
  readonly folder: string;
  readonly written: readonly string[];
  readonly replaced: readonly string[];
  readonly skipped: readonly string[];
  readonly failed: readonly { readonly path: string; readonly message: string }[];
}

/** The report's headline: counts in words ("Wrote 3 sidecars in trip/ (1 replaced); kept 2 that already existed."). */
export function reportText(r: WriteReport): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    `Wrote ${n(r.written.length, 'sidecar', 'sidecars')} in ${r.folder}/${r.replaced.length ? ` (${r.replaced.length} replaced)` : ''}`,
  ];
  if (r.skipped.length) parts.push(`kept ${n(r.skipped.length, 'file', 'files')} that already existed`);
  if (r.failed.length) parts.push(`${n(r.failed.length, 'sidecar', 'sidecars')} could not be written`);
  return `${parts.join('; ')}.`;
}
