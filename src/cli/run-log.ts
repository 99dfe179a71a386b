/**
 * A run's output file: one JSON line per image, appended as each finishes,
 * so a run killed at any moment loses at most the line being written, and
 * the next run (which cuts off such a partial line) skips every image that
 * has one. A line holds the whole caption record, or the failure.
 */
import { open, stat, truncate } from 'node:fs/promises';
import type { CaptionRecord } from '../shared/record';
import { fileKind, fsReason } from './file-words';
import type { SentImageRecord } from './image-encode';

/** Bump on an incompatible change of {@link RunLine}. */
export const RUN_LOG_VERSION = 1;

/** Why an image failed, as the summary and `merge` count it. */
export interface RunFailure {
  readonly name: string;
  readonly message: string;
  /** For a request that failed every try: why (rate-limited, server-error, timeout, connection, malformed). */
  readonly reason?: string;
  readonly attempts?: number;
}

/** One line of a run's output. */
export type RunLine =
  | {
      readonly version: 1;
      readonly file: string;
      readonly ok: true;
      readonly record: CaptionRecord;
      readonly shard?: string;
      /** What went to the endpoints of the image (openai engine): format, bytes, size, sends, changes. */
      readonly sent?: readonly SentImageRecord[];
    }
  | {
      readonly version: 1;
      readonly file: string;
      readonly ok: false;
      readonly error: RunFailure;
      readonly shard?: string;
      readonly sent?: readonly SentImageRecord[];
    };

/**
 * How every line this CLI writes begins (JSON.stringify keeps {@link RunLine}'s key order): the proof that a
 * file is a run log before anything in it is changed, and that a cut-off last line is one of ours.
 */
const LINE_START = `{"version":${RUN_LOG_VERSION},"file":`;

/** A file given as a run log that is not one (or cannot be read as one); it is never changed. */
export class RunLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunLogError';
  }
}

const notOurs = (path: string, why: string) =>
  new RunLogError(`"${path}" is not a MetaCaptioner run log (${why}); it was left as it is.`);

function parseLine(text: string, path: string, number: number): RunLine {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    throw notOurs(path, `line ${number} is not JSON`);
  }
  const l = line as Partial<RunLine>;
  if (l.version !== RUN_LOG_VERSION || typeof l.file !== 'string' || typeof l.ok !== 'boolean') {
    throw notOurs(path, `line ${number} is not a record of version ${RUN_LOG_VERSION} with file and ok`);
  }
  return line as RunLine;
}

/**
 * The lines of a run's output, in order ([] when the file does not exist or is empty).
 * The whole file is checked before anything is changed: each complete line must be a record, and a last
 * line without its newline must begin as every record does. Only then, with `repair`, is that half-written
 * last line (a run killed mid-write) cut off. Anything else is refused untouched ({@link RunLogError}).
 */
export async function readRunLog(path: string, repair = false): Promise<RunLine[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new RunLogError(`"${path}" could not be read: ${fsReason(err)}.`);
  });
  if (!info) return [];
  if (!info.isFile()) throw notOurs(path, `it is ${fileKind(info)}`);
  if (info.size === 0) return [];
  // The first bytes decide before a large file (a video, say) is read whole.
  const handle = await open(path, 'r');
  let text: string;
  try {
    const head = Buffer.alloc(Math.min(LINE_START.length, info.size));
    await handle.read(head, 0, head.length, 0);
    if (!LINE_START.startsWith(head.toString('latin1'))) throw notOurs(path, `it does not begin with ${LINE_START}`);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  const end = text.lastIndexOf('\n') + 1;
  const lines = text
    .slice(0, end)
    .split('\n')
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim())
    .map(([l, number]) => parseLine(l, path, number));
  const tail = text.slice(end);
  if (tail) {
    if (!(tail.startsWith(LINE_START) || LINE_START.startsWith(tail)))
      throw notOurs(path, `its last line is neither a record nor the start of one`);
    if (!repair)
      throw new RunLogError(
        `"${path}" ends in a partial line (a run was stopped mid-write); caption again to repair it.`,
      );
    await truncate(path, Buffer.byteLength(text.slice(0, end)));
  }
  return lines;
}

/** The last line per file: a later line (an image captioned again) replaces an earlier one. */
export function latestByFile(lines: readonly RunLine[]): Map<string, RunLine> {
  return new Map(lines.map((l) => [l.file, l]));
}

/** An output file open for appending. */
export class RunLog {
  /** Appends go one after another, so each line is whole even if a write were ever split. */
  private last: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly handle: Awaited<ReturnType<typeof open>>,
  ) {}

  static async open(path: string): Promise<RunLog> {
    try {
      return new RunLog(path, await open(path, 'a'));
    } catch (err) {
      throw new RunLogError(`"${path}" could not be opened for writing: ${fsReason(err)}.`);
    }
  }

  /** Appends one line in one write (O_APPEND): lines never interleave, and a kill can only cut the last. */
  append(line: RunLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.last = this.last.then(async () => {
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) written += (await this.handle.write(bytes, written)).bytesWritten;
      } catch (err) {
        throw new RunLogError(`Could not write to "${this.path}": ${fsReason(err)}.`);
      }
    });
    return this.last;
  }

  async close(): Promise<void> {
    await this.last.catch(() => {});
    await this.handle.close();
  }
}
