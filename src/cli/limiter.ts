/**
 * A bound on requests in flight to one endpoint: at most `max` run at once,
 * the rest wait in order. It also counts the most that were ever in flight,
 * for the run's summary (and tests).
 */
export class Limiter {
  private running = 0;
  private peak = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number ≥ 1; got ${max}`);
  }

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  /** The most tasks that ran at once so far. */
  get maxInFlight(): number {
    return this.peak;
  }
}
