/**
 * Runs worker jobs one at a time, in order, with cancellation: a waiting
 * job is simply dropped; a running one is rejected at once (its late result
 * is dropped) and `onCancelRunning` asks the worker to stop it. The next
 * job starts only when the running call has really settled (or its worker
 * was terminated), so two jobs never overlap in the worker.
 */
import { CancelledError } from '../shared/errors';

interface Entry {
  readonly id: string;
  readonly start: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  cancelled: boolean;
}

/** A serial job queue. */
export class JobQueue {
  private readonly waiting: Entry[] = [];
  private running: Entry | null = null;

  constructor(private readonly onCancelRunning: (jobId: string) => void) {}

  /** Queues `start` as job `id`; resolves with its result unless cancelled. */
  add<T>(id: string, start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ id, start, resolve: (v) => resolve(v as T), reject, cancelled: false });
      this.pump();
    });
  }

  /** Cancels a waiting or running job; false when no such job is here. */
  cancel(id: string): boolean {
    const index = this.waiting.findIndex((e) => e.id === id);
    if (index >= 0) {
      const [entry] = this.waiting.splice(index, 1);
      entry?.reject(new CancelledError(id));
      return true;
    }
    const running = this.running;
    if (running?.id !== id || running.cancelled) return false;
    running.cancelled = true;
    running.reject(new CancelledError(id));
    this.onCancelRunning(id);
    return true;
  }

  /** Ids waiting, in order, then the running one (for the UI and tests). */
  get pending(): { readonly running: string | null; readonly waiting: readonly string[] } {
    return { running: this.running?.id ?? null, waiting: this.waiting.map((e) => e.id) };
  }

  private pump(): void {
    if (this.running) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.running = entry;
    entry
      .start()
      .then(
        (value) => !entry.cancelled && entry.resolve(value),
        (error: unknown) => !entry.cancelled && entry.reject(error),
      )
      .finally(() => {
        this.running = null;
        this.pump();
      });
  }
}
