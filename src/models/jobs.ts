/**
 * Cancellation inside the worker. Each running job has an interrupt for
 * generation (checked by transformers.js between tokens) and an AbortSignal
 * for downloads (passed to every fetch while the job loads models).
 */
import { StoppingCriteria } from '@huggingface/transformers';
import { CancelledError } from '../shared/errors';

/**
 * Stops generation once interrupted, and counts decoding steps so a cancel
 * can report how many tokens it took to stop (transformers.js checks it
 * after every generated token).
 */
export class CountingInterrupt extends StoppingCriteria {
  steps = 0;
  interruptedAt: number | null = null;

  /** Stops generation at the next step. */
  interrupt(): void {
    this.interruptedAt ??= this.steps;
  }

  override _call(inputIds: number[][]): boolean[] {
    this.steps += 1;
    return new Array<boolean>(inputIds.length).fill(this.interruptedAt !== null);
  }
}

/** One running job's cancellation handles. */
export interface JobControl {
  readonly jobId: string;
  readonly stopping: CountingInterrupt;
  readonly signal: AbortSignal;
  /** Throws CancelledError if the job was cancelled (call between steps). */
  check(): void;
}

/** The jobs running in this worker, by id. */
export class JobRegistry {
  private readonly running = new Map<string, { control: JobControl; abort: AbortController }>();
  /** Ids cancelled before they started here (the cancel message can overtake the job). */
  private readonly cancelledEarly = new Set<string>();

  /** Runs `work` as job `jobId`; a cancel turns its outcome into CancelledError. */
  async run<T>(jobId: string, work: (control: JobControl) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const stopping = new CountingInterrupt();
    const control: JobControl = {
      jobId,
      stopping,
      signal: abort.signal,
      check: () => {
        if (abort.signal.aborted) throw new CancelledError(jobId);
      },
    };
    this.running.set(jobId, { control, abort });
    if (this.cancelledEarly.delete(jobId)) this.cancel(jobId);
    try {
      control.check();
      const result = await work(control);
      control.check();
      return result;
    } catch (err) {
      if (abort.signal.aborted) throw new CancelledError(jobId);
      throw err;
    } finally {
      this.running.delete(jobId);
    }
  }

  /** Stops a job between tokens/steps and aborts its downloads. */
  cancel(jobId: string): void {
    const job = this.running.get(jobId);
    if (!job) {
      this.cancelledEarly.add(jobId);
      return;
    }
    job.control.stopping.interrupt();
    job.abort.abort(new CancelledError(jobId));
  }

  /** The signal of the job currently downloading, if any (loads run one at a time). */
  currentSignal(): AbortSignal | undefined {
    let last: AbortSignal | undefined;
    for (const { control } of this.running.values()) last = control.signal;
    return last;
  }
}
