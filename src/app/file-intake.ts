/**
 * Turns what the user hands the page — dropped files and folders, picked
 * files, a picked folder, a pasted image — into files with their path
 * inside the folder they came from (exports keep that structure). Dropped
 * folders are walked recursively through the File and Directory Entries API.
 */

/** A file and its path relative to what was dropped or picked ("trip/cat.jpg"). */
export interface PickedFile {
  readonly file: File;
  readonly path: string;
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call; keep reading until an empty batch.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = `${prefix}${entry.name}`;
  if (isFile(entry)) out.push({ file: await fileOf(entry), path });
  else if (isDirectory(entry)) {
    const children = await readAllEntries(entry.createReader());
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walk(child, `${path}/`, out);
  }
}

/**
 * The files of a drop, folders walked recursively. The entries must be
 * taken synchronously inside the drop event (the DataTransfer empties
 * after it), so call this directly from the handler.
 */
export function filesFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  return (async () => {
    const out: PickedFile[] = [];
    for (const { entry, file } of entries) {
      if (entry) await walk(entry, '', out);
      else if (file) out.push({ file, path: file.name });
    }
    return out;
  })();
}

/** The files of a file input (a picked folder gives each a `webkitRelativePath`). */
export function filesFromInput(list: FileList): PickedFile[] {
  const files = Array.from(list, (file) => ({ file, path: file.webkitRelativePath || file.name }));
  // Browsers list a picked folder in no particular order; the queue follows the folder's.
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Images pasted from the clipboard; screenshots arrive as "image.png", so each gets a distinct name. */
export function filesFromClipboard(data: DataTransfer, now: Date = new Date()): PickedFile[] {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  return Array.from(data.files).map((file, i) => {
    const generic = /^image\.\w+$/.test(file.name) || file.name === '';
    const ext = file.type.split('/')[1]?.replace('jpeg', 'jpg') ?? 'png';
    const name = generic ? `pasted-${stamp}${i ? `-${i + 1}` : ''}.${ext}` : file.name;
    const renamed = generic ? new File([file], name, { type: file.type, lastModified: file.lastModified }) : file;
    return { file: renamed, path: name };
  });
}
