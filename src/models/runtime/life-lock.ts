/**
 * The worker's life lock. Web Locks are released when their holder's
 * context ends, so the client, queued on the same lock, learns at once
 * when this worker crashes or is terminated (see client/worker-link.ts).
 */

/** Holds the Web Lock `name` for the worker's whole life; resolves once it is held (at once without `locks`). */
export function holdLifeLock(locks: LockManager | undefined, name: string): Promise<void> {
  if (!locks) return Promise.resolve();
  return new Promise((granted) => {
    void locks.request(name, () => {
      granted();
      return new Promise<never>(() => {});
    });
  });
}
