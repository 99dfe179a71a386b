/**
 * The files a run captions: folders (walked recursively) and glob patterns,
 * image files by extension, as sorted POSIX paths relative to the current
 * folder — the same list on every machine given the same layout, which
 * sharding and resuming rely on.
 */
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** Extensions taken when walking a folder or matching a glob (a named file is taken whatever its name). */
export const IMAGE_EXTENSIONS = Object.freeze(['png', 'jpg', 'jpeg', 'webp', 'gif', 'avif', 'bmp']);

const toPosix = (path: string) => path.split(sep).join('/');

/** Expands `patterns` (files, folders, globs) into sorted, de-duplicated relative paths. */
export async function listInputs(patterns: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const found = new Set<string>();
  const images = `**/*.{${IMAGE_EXTENSIONS.join(',')},${IMAGE_EXTENSIONS.map((e) => e.toUpperCase()).join(',')}}`;
  for (const pattern of patterns) {
    if (isDynamicPattern(pattern)) {
      for (const file of await glob(pattern, { cwd, onlyFiles: true, dot: false })) found.add(toPosix(file));
      continue;
    }
    const info = await stat(pattern).catch(() => null);
    if (!info) throw new Error(`"${pattern}" is not a file, folder or pattern that matches anything.`);
    if (info.isFile()) {
      found.add(toPosix(relative(cwd, pattern)));
      continue;
    }
    for (const file of await glob(images, { cwd: pattern, onlyFiles: true, dot: false })) {
      found.add(toPosix(relative(cwd, `${pattern}/${file}`)));
    }
  }
  return [...found].sort();
}
