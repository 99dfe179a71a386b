/**
 * The browser side of writing `.txt` sidecars back into the user's dataset
 * folder through the File System Access API (Chromium browsers; elsewhere
 * the page offers the dataset zip instead). It only ever opens, creates and
 * writes the sidecar files the plan names, and folders on their way: no
 * other file is read, moved or removed. What to write is decided in
 * `src/session/sidecar-plan.ts`.
 */
import type { SidecarTarget, SidecarWrite, TargetState, WriteReport } from '../session/sidecar-plan';

/** Opens the browser's folder picker for reading and writing; rejects with an `AbortError` when the user closes it. */
export type FolderPicker = () => Promise<FileSystemDirectoryHandle>;

/** The folder picker of `scope` (the window), or null where the browser has none. */
export function folderPicker(scope: object = globalThis): FolderPicker | null {
  if (!('showDirectoryPicker' in scope) || typeof scope.showDirectoryPicker !== 'function') return null;
  const pick = scope.showDirectoryPicker;
  return async () => {
    const handle: unknown = await pick.call(scope, { mode: 'readwrite', id: 'dataset' });
    if (!(handle instanceof FileSystemDirectoryHandle)) throw new TypeError('The folder picker gave no folder.');
    return handle;
  };
}

const isNamed = (err: unknown, name: string) => err instanceof DOMException && err.name === name;

/** Walks (and with `create`, makes) the folders below `root`, reusing handles already opened. */
class Folders {
  private readonly opened = new Map<string, Promise<FileSystemDirectoryHandle>>();

  constructor(private readonly root: FileSystemDirectoryHandle) {}

  /** The folder at `path`; rejects with NotFoundError (absent) or TypeMismatchError (a file in the way). */
  open(path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle> {
    if (path.length === 0) return Promise.resolve(this.root);
    const key = `${create ? '+' : '?'}${path.join('/')}`;
    let folder = this.opened.get(key);
    if (!folder) {
      const name = path.at(-1) ?? '';
      folder = this.open(path.slice(0, -1), create).then((parent) => parent.getDirectoryHandle(name, { create }));
      this.opened.set(key, folder);
    }
    return folder;
  }
}

/** What already lies where each target's sidecar would go (nothing is created while looking). */
export async function probeTargets(
  root: FileSystemDirectoryHandle,
  targets: readonly SidecarTarget[],
): Promise<TargetState[]> {
  const folders = new Folders(root);
  return Promise.all(
    targets.map(async (t): Promise<TargetState> => {
      let folder: FileSystemDirectoryHandle;
      try {
        folder = await folders.open(t.folders, false);
      } catch (err) {
        // A missing folder holds no sidecar; a file where a folder should be blocks the write.
        if (isNamed(err, 'NotFoundError')) return 'absent';
        if (isNamed(err, 'TypeMismatchError')) return 'folder';
        throw err;
      }
      try {
        await folder.getFileHandle(t.file);
        return 'file';
      } catch (err) {
        if (isNamed(err, 'NotFoundError')) return 'absent';
        if (isNamed(err, 'TypeMismatchError')) return 'folder';
        throw err;
      }
    }),
  );
}

const message = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err));

/**
 * Writes the sidecars one by one and reports each. A file that was absent
 * when the user was asked but exists now is kept (it was never agreed to
 * replace it). Each write goes through `createWritable`, which the browser
 * swaps in on close, so a failed write leaves the old file whole.
 */
export async function writeSidecars(
  root: FileSystemDirectoryHandle,
  writes: readonly SidecarWrite[],
  skipped: readonly string[],
  onProgress?: (done: number) => void,
): Promise<WriteReport> {
  const folders = new Folders(root);
  const written: string[] = [];
  const replaced: string[] = [];
  const kept = [...skipped];
  const failed: { path: string; message: string }[] = [];
  for (const [index, { target, replace }] of writes.entries()) {
    try {
      const folder = await folders.open(target.folders, true);
      if (!replace && (await exists(folder, target.file))) kept.push(target.path);
      else {
        const handle = await folder.getFileHandle(target.file, { create: true });
        const writable = await handle.createWritable({ keepExistingData: false });
        try {
          await writable.write(target.entry.text);
          await writable.close();
        } catch (err) {
          await writable.abort().catch(() => undefined);
          throw err;
        }
        written.push(target.path);
        if (replace) replaced.push(target.path);
      }
    } catch (err) {
      failed.push({ path: target.path, message: message(err) });
    }
    onProgress?.(index + 1);
  }
  return { folder: root.name, written, replaced, skipped: kept, failed };
}

async function exists(folder: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  try {
    await folder.getFileHandle(name);
    return true;
  } catch (err) {
    if (isNamed(err, 'NotFoundError')) return false;
    throw err;
  }
}
