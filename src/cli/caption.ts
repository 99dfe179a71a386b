/**
 * `metacaptioner caption`: every listed image through CapFlow (or the single
 * pass) on an engine, a few images in flight, each finished image appended
 * to the output at once (with a sidecar `.txt` if asked). A failure —
 * a bad file, a request that failed every retry, a refused request — is a
 * failure record for that image, never the end of the run. Images the
 * output already holds are skipped, so a stopped run resumes. The one
 * failure that ends the run is an endpoint given up by its circuit breaker
 * (breaker.ts): the image it met and the images not yet started get no
 * record at all, so the next run does them.
 */
import { runCapflow } from '../capflow/workflow';
import { CancelledError, aboutFile } from '../shared/errors';
import type { CapflowOptions } from '../shared/record';
import { sidecarNames } from '../session/exports';
import { EndpointDownError } from './breaker';
import type { Engine } from './engines';
import { type CliImage, readImageFile } from './images';
import { writeOutput } from './outputs';
import type { Progress } from './progress';
import { RetriesExhaustedError } from './retry';
import { type RunFailure, type RunLine, RunLog, latestByFile, readRunLog } from './run-log';

/** One run. */
export interface CaptionRun {
  /** The run's images (this shard's), as relative paths. */
  readonly files: readonly string[];
  readonly out: string;
  readonly options: CapflowOptions;
  readonly engine: Engine;
  /** Images in flight at once. */
  readonly parallel: number;
  readonly sidecars: boolean;
  /** Written into each line (`1/3`), so `merge` can tell the shards apart. */
  readonly shard?: string;
  /** Caption again the images whose last line is a failure. */
  readonly retryFailed: boolean;
  readonly progress: Progress;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** What a run did. */
export interface RunSummary {
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly generatedTokens: number;
  /** Images of this run with no record written (stopped by Ctrl-C or an endpoint given up): a rerun does them. */
  readonly notTried: number;
  /** Why the run stopped before its end, when an endpoint was given up. */
  readonly stoppedBy: EndpointDownError | null;
}

/** A failure as its record keeps it, its message naming the file. */
function failureOf(err: unknown, file: string): RunFailure {
  aboutFile(err, file);
  if (err instanceof RetriesExhaustedError) {
    return { name: err.name, message: err.message, reason: err.last.reason, attempts: err.attempts };
  }
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/** What went to the endpoints of an image, for its line (nothing on the local engine). */
function sentOf(image: CliImage | null) {
  const sent = image?.sent() ?? [];
  return sent.length ? { sent } : {};
}

/** Captions the run's images; resolves with the summary (the output has a line per image). */
export async function runCaptions(run: CaptionRun): Promise<RunSummary> {
  const now = run.now ?? (() => performance.now());
  const started = now();
  const previous = latestByFile(await readRunLog(run.out, true));
  const todo = run.files.filter((f) => {
    const line = previous.get(f);
    return !line || (run.retryFailed && !line.ok);
  });
  const names = sidecarNames(run.files);
  const sidecar = new Map(run.files.map((f, i) => [f, names[i] ?? `${f}.txt`]));
  const log = await RunLog.open(run.out);
  const failures: Record<string, number> = {};
  let [done, failed, tokens] = [0, 0, 0];
  run.progress.start(todo.length, run.files.length - todo.length);
  const shard = run.shard ? { shard: run.shard } : {};
  let next = 0;
  let stoppedBy: EndpointDownError | null = null;
  const worker = async () => {
    while (next < todo.length) {
      if (run.signal?.aborted || stoppedBy) return;
      const file = todo[next++] ?? '';
      const t0 = now();
      let line: RunLine;
      let image: CliImage | null = null;
      try {
        image = await readImageFile(file, file);
        const record = await runCapflow({ kind: 'image', image }, run.engine.models, run.options, {
          jobId: file,
          check: () => {
            if (run.signal?.aborted) throw new CancelledError(file);
          },
          emit: () => {},
          now,
        });
        line = { version: 1, file, ok: true, record, ...shard, ...sentOf(image) };
        tokens += record.trace.reduce((n, t) => n + t.tokens, 0);
        if (run.sidecars) await writeOutput(sidecar.get(file) ?? `${file}.txt`, record.caption);
      } catch (err) {
        // A stopped run writes nothing for the image it was on: the next run does it.
        if (run.signal?.aborted) return;
        // An endpoint given up: this image was not really tried; no record, and no new image starts.
        if (err instanceof EndpointDownError) {
          stoppedBy ??= err;
          return;
        }
        line = { version: 1, file, ok: false, error: failureOf(err, file), ...shard, ...sentOf(image) };
      }
      await log.append(line);
      if (line.ok) {
        done += 1;
        run.progress.image(file, { ok: true, ms: now() - t0 });
      } else {
        failed += 1;
        const key = line.error.reason ? `${line.error.name} (${line.error.reason})` : line.error.name;
        failures[key] = (failures[key] ?? 0) + 1;
        run.progress.image(file, { ok: false, error: `${line.error.name}: ${line.error.message}` });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(run.parallel, todo.length)) }, worker));
  } finally {
    run.progress.stop();
    await log.close();
  }
  return {
    done,
    failed,
    skipped: run.files.length - todo.length,
    failures,
    seconds: (now() - started) / 1000,
    generatedTokens: tokens,
    notTried: todo.length - done - failed,
    stoppedBy,
  };
}
