/**
 * The output folder of `distill prepare`, kept as every CLI output is
 * (outputs.ts): never an input, never someone else's folder. It may be new,
 * empty, or an earlier prepare output (its summary.json says so, and it
 * holds nothing else), which is replaced whole. The new output is written
 * beside it and renamed into place, so a run stopped half-way leaves the
 * old output as it was.
 */
import {
  link,
  copyFile,
  mkdir,
  readFile,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, basename, join, relative, isAbsolute, resolve } from 'node:path';
import { fileKind, fsReason } from '../file-words';
import { OutputError } from '../outputs';
import { SUMMARY_KIND } from './summary';

/** The names a prepare output holds. */
const OUTPUT_ENTRIES: ReadonlySet<string> = new Set(['train.jsonl', 'val.jsonl', 'summary.json', 'images']);

/** What is at `--out` now. */
export type OutState = 'new' | 'empty' | 'previous';

const inside = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Checks `out` before anything is read or written: it is not one of `inputs` (the JSONLs and images, by
 * device and inode), and, when it exists, it is a folder that is empty or an earlier prepare output holding
 * no input.
 */
export async function checkOutDir(out: string, inputs: readonly string[]): Promise<OutState> {
  const info = await stat(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new OutputError(`--out "${out}" cannot be used: ${fsReason(err)}.`);
  });
  if (!info) return 'new';
  if (!info.isDirectory()) {
    for (const input of inputs) {
      const i = await stat(input).catch(() => null);
      if (i && i.dev === info.dev && i.ino === info.ino)
        throw new OutputError(
          `--out "${out}" is the input "${input}" (the same file): an output never replaces an input. Choose a new folder.`,
        );
    }
    const what = info.isFile() ? 'a file' : fileKind(info);
    throw new OutputError(`--out "${out}" is ${what}, not a folder. Choose a new or empty folder.`);
  }
  const entries = await readdir(out);
  if (entries.length === 0) return 'empty';
  const summary = await readFile(join(out, 'summary.json'), 'utf8')
    .then((t) => JSON.parse(t) as { kind?: unknown })
    .catch(() => null);
  if (summary?.kind !== SUMMARY_KIND)
    throw new OutputError(
      `--out "${out}" is a folder that is not empty and not an earlier "distill prepare" output (it has no ` +
        `summary.json of one). Choose a new or empty folder.`,
    );
  const others = entries.filter((e) => !OUTPUT_ENTRIES.has(e));
  if (others.length)
    throw new OutputError(
      `--out "${out}" is an earlier prepare output, but it also holds ${others.slice(0, 5).join(', ')}` +
        `${others.length > 5 ? ', …' : ''}, which replacing it would delete. Move them, or choose a new folder.`,
    );
  const real = await realpath(out);
  for (const input of inputs) {
    const r = await realpath(input).catch(() => resolve(input));
    if (inside(real, r))
      throw new OutputError(
        `--out "${out}" holds the input "${input}": replacing the folder would delete it. Choose a new folder.`,
      );
  }
  return 'previous';
}

/** A new output folder being written beside `out`, then put in its place. */
export class OutputFolder {
  linked = 0;
  copied = 0;

  private constructor(
    private readonly out: string,
    private readonly state: OutState,
    readonly dir: string,
  ) {}

  /** Starts writing the output that will replace `out` (checked by {@link checkOutDir} as `state`). */
  static async open(out: string, state: OutState): Promise<OutputFolder> {
    const dir = join(dirname(resolve(out)), `.${basename(resolve(out))}.partial-${process.pid}`);
    try {
      await rm(dir, { recursive: true, force: true });
      await mkdir(join(dir, 'images'), { recursive: true });
    } catch (err) {
      throw new OutputError(`Could not write "${dir}": ${fsReason(err)}.`);
    }
    return new OutputFolder(out, state, dir);
  }

  /** Writes a whole file of the output. */
  async write(name: string, data: string): Promise<void> {
    try {
      await writeFile(join(this.dir, name), data);
    } catch (err) {
      throw new OutputError(`Could not write "${join(this.out, name)}": ${fsReason(err)}.`);
    }
  }

  /** Puts `source` in images/ as `name`: a hard link on the same file system, else a copy. */
  async addImage(source: string, name: string): Promise<void> {
    const target = join(this.dir, 'images', name);
    try {
      await link(source, target);
      this.linked++;
      return;
    } catch {
      // Another file system (EXDEV), or one without hard links: copy.
    }
    try {
      await copyFile(source, target);
      this.copied++;
    } catch (err) {
      throw new OutputError(`Could not copy "${source}" into ${join(this.out, 'images')}: ${fsReason(err)}.`);
    }
  }

  /** Puts the finished output in place of `out` (an earlier output is removed only once the new one is whole). */
  async commit(): Promise<void> {
    try {
      if (this.state === 'empty') await rmdir(this.out);
      if (this.state === 'previous') {
        const old = `${this.dir}.old`;
        await rename(this.out, old);
        await rename(this.dir, this.out);
        await rm(old, { recursive: true, force: true });
        return;
      }
      await rename(this.dir, this.out);
    } catch (err) {
      throw new OutputError(`Could not put the output in "${this.out}": ${fsReason(err)}.`);
    }
  }

  /** Removes the half-written output after a failure. */
  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
