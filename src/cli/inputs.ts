/**
 * The files a run captions: folders (walked recursively) and glob patterns,
 * image files by extension, as sorted POSIX paths relative to the current
 * folder — the same list on every machine given the same layout, which
 * sharding and resuming rely on. Each real file is listed once, under its
 * path without symbolic links where that path was found.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { fsReason } from './file-words';

/** Extensions taken when walking a folder or matching a glob (a named file is taken whatever its name). */
export const IMAGE_EXTENSIONS = Object.freeze(['png', 'jpg', 'jpeg', 'webp', 'gif', 'avif', 'bmp']);

const toPosix = (path: string) => path.split(sep).join('/');

/** A path left out because it leads to a file listed already (a symbolic link, or a folder link that loops). */
export interface DuplicateInput {
  readonly path: string;
  readonly sameAs: string;
}

/** The run's files, each real file once, and the paths that led to one of them again. */
export interface InputList {
  readonly files: string[];
  readonly duplicates: readonly DuplicateInput[];
}

/** Matches that are not folders (tinyglobby marks folders with a trailing slash). */
const notFolders = (paths: string[]) => paths.filter((p) => !p.endsWith('/'));

/** An image file name, by extension. */
const IMAGE_NAME = new RegExp(`\\.(${IMAGE_EXTENSIONS.join('|')})$`, 'i');

/**
 * Entries under `folder` with an image's name that are neither files, folders nor links (a named pipe, a
 * socket, a device): the glob leaves them out, and they must fail by name rather than vanish.
 */
async function specialFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isFile() && !e.isDirectory() && !e.isSymbolicLink() && IMAGE_NAME.test(e.name))
    .filter(
      (e) =>
        !relative(folder, join(e.parentPath, e.name))
          .split(sep)
          .some((part) => part.startsWith('.')),
    )
    .map((e) => relative(folder, join(e.parentPath, e.name)));
}

/**
 * Expands `patterns` (files, folders, globs) into sorted relative paths, each real file once. A pattern that
 * matches nothing, a missing path and a folder without images are errors; matches that are not regular files
 * (a named pipe called `x.png`, say) are kept, so their caption fails with a message that names them rather
 * than being skipped unseen.
 */
export async function listInputs(patterns: readonly string[], cwd = process.cwd()): Promise<InputList> {
  const found = new Set<string>();
  const images = `**/*.{${IMAGE_EXTENSIONS.join(',')},${IMAGE_EXTENSIONS.map((e) => e.toUpperCase()).join(',')}}`;
  for (const pattern of patterns) {
    if (isDynamicPattern(pattern)) {
      const matches = notFolders(await glob(pattern, { cwd, onlyFiles: false, dot: false }));
      if (matches.length === 0) throw new Error(`"${pattern}" matches no file.`);
      for (const file of matches) found.add(toPosix(file));
      continue;
    }
    const info = await stat(resolve(cwd, pattern)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        throw new Error(`"${pattern}" is not a file, folder or pattern that matches anything.`);
      throw new Error(`"${pattern}" could not be read: ${fsReason(err)}.`);
    });
    if (!info.isDirectory()) {
      found.add(toPosix(relative(cwd, resolve(cwd, pattern))));
      continue;
    }
    const folder = resolve(cwd, pattern);
    const matches = [
      ...notFolders(await glob(images, { cwd: folder, onlyFiles: false, dot: false })),
      ...(await specialFiles(folder)),
    ];
    if (matches.length === 0) {
      throw new Error(`"${pattern}" is a folder with no images in it (${IMAGE_EXTENSIONS.join(', ')}).`);
    }
    for (const file of matches) found.add(toPosix(relative(cwd, resolve(folder, file))));
  }
  // Paths to one real file: the path without links is kept (else the first), the others are named.
  const byReal = new Map<string, string[]>();
  for (const path of [...found].sort()) {
    const real = await realpath(resolve(cwd, path)).catch(() => resolve(cwd, path));
    byReal.set(real, [...(byReal.get(real) ?? []), path]);
  }
  const files: string[] = [];
  const duplicates: DuplicateInput[] = [];
  for (const [real, paths] of byReal) {
    const direct = toPosix(relative(cwd, real));
    // Else the path through the fewest folders (a loop's detour is longer), the first in order on a tie.
    const fewest = paths.reduce((a, b) => (b.split('/').length < a.split('/').length ? b : a));
    const kept = paths.includes(direct) ? direct : fewest;
    files.push(kept);
    for (const path of paths) if (path !== kept) duplicates.push({ path, sameAs: kept });
  }
  files.sort();
  return { files, duplicates };
}
