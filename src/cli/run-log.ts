/**
 * A run's output file: one JSON line per image, appended as each finishes,
 * so a run killed at any moment loses at most the line being written, and
 * the next run (which cuts off such a partial line) skips every image that
 * has one. A line holds the whole caption record, or the failure.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import type { CaptionRecord } from '../shared/record';

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
    }
  | {
      readonly version: 1;
      readonly file: string;
      readonly ok: false;
      readonly error: RunFailure;
      readonly shard?: string;
    };

function parseLine(text: string, where: string): RunLine {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON.`);
  }
  const l = line as Partial<RunLine>;
  if (l.version !== RUN_LOG_VERSION || typeof l.file !== 'string' || typeof l.ok !== 'boolean') {
    throw new Error(`${where} is not a MetaCaptioner record (version ${RUN_LOG_VERSION}, file, ok).`);
  }
  return line as RunLine;
}

/**
 * The lines of a run's output, in order ([] when the file does not exist).
 * With `repair`, a last line cut short by a kill is removed from the file.
 */
export async function readRunLog(path: string, repair = false): Promise<RunLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    if (!repair)
      throw new Error(`${path} ends in a partial line (a run was stopped mid-write); caption again to repair it.`);
    await truncate(path, Buffer.byteLength(text.slice(0, end)));
  }
  return text
    .slice(0, end)
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => parseLine(l, `line ${i + 1} of ${path}`));
}

/** The last line per file: a later line (an image captioned again) replaces an earlier one. */
export function latestByFile(lines: readonly RunLine[]): Map<string, RunLine> {
  return new Map(lines.map((l) => [l.file, l]));
}

/** An output file open for appending. */
export class RunLog {
  /** Appends go one after another, so each line is whole even if a write were ever split. */
  private last: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: Awaited<ReturnType<typeof open>>) {}

  static async open(path: string): Promise<RunLog> {
    return new RunLog(await open(path, 'a'));
  }

  /** Appends one line in one write (O_APPEND): lines never interleave, and a kill can only cut the last. */
  append(line: RunLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.last = this.last.then(async () => {
      const bytes = Buffer.from(text);
      let written = 0;
      while (written < bytes.length) written += (await this.handle.write(bytes, written)).bytesWritten;
    });
    return this.last;
  }

  async close(): Promise<void> {
    await this.last.catch(() => {});
    await this.handle.close();
  }
}
