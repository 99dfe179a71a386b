/**
 * The names kept images take in the output's `images/` folder: the file's
 * own base name (characters a file system or a trainer may trip on become
 * `_`), with `-2`, `-3`… before the extension when an earlier one (in the
 * given order, case ignored for case-insensitive file systems) has it.
 */
import { posix } from 'node:path';

/** One collision-free name per key, in order. */
export function imageNames(keys: readonly string[]): string[] {
  const taken = new Set<string>();
  return keys.map((key) => {
    const base =
      posix
        .basename(key)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/^\.+/, '_') || 'image';
    const dot = base.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}${ext}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
