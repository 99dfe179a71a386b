/**
 * The rule every command keeps before it writes: an output is a regular
 * file (or does not exist yet), and it is never one of the run's inputs,
 * whatever path leads to it (a symlink, `./`, a hard link). Checked before
 * any model loads or any byte is written, so a mistyped `--out` costs
 * nothing.
 */
import { stat, writeFile } from 'node:fs/promises';
import { fileKind, fsReason } from './file-words';

/** An output path the CLI refuses to write. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** The identity of an existing file (device and inode), or null when there is none at `path`. */
async function identity(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  return info ? `${info.dev}:${info.ino}` : null;
}

/**
 * Checks that `out` (named `flag` in messages) may be written: a regular
 * file or a new one, and none of `inputs`. Inputs are compared by device
 * and inode only when `out` exists, since a new file cannot be an input.
 */
export async function checkOutput(out: string, inputs: readonly string[], flag = '--out'): Promise<void> {
  const info = await stat(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new OutputError(`${flag} "${out}" cannot be used: ${fsReason(err)}.`);
  });
  if (!info) return;
  if (!info.isFile()) throw new OutputError(`${flag} "${out}" is ${fileKind(info)}, not a file.`);
  const target = `${info.dev}:${info.ino}`;
  for (const input of inputs) {
    if ((await identity(input)) === target) {
      throw new OutputError(
        `${flag} "${out}" is the input "${input}" (the same file): an output never replaces an input. Choose another file.`,
      );
    }
  }
}

/** Writes a whole output file; a failure (a full disk, no permission) names the file and why. */
export async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (err) {
    throw new OutputError(`Could not write "${path}": ${fsReason(err)}.`);
  }
}
