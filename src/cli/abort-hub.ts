/**
 * One `abort` listener per signal, however many waits share it. A run has
 * one AbortSignal (Ctrl-C) that every request's backoff sleep, the breaker's
 * waiters and the readiness poll watch; with sixteen images in backoff at
 * once, a listener each was sixteen listeners on one EventTarget, past
 * Node's limit of ten: `MaxListenersExceededWarning: … 11 abort listeners
 * added to [AbortSignal]` (issue 26). Raising the limit would hide a real
 * leak; instead every wait registers a callback here, removed when the wait
 * ends, and the signal carries a single listener that calls them all.
 */

const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts (at once if it has); returns
 * the function that forgets it, to call when the wait ends another way.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let set = callbacks.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    callbacks.set(signal, (set = created));
    signal.addEventListener(
      'abort',
      () => {
        callbacks.delete(signal);
        for (const cb of created) cb();
      },
      { once: true },
    );
  }
  const own = set;
  // A wrapper, so the same function passed twice is two waits.
  const entry = () => callback();
  own.add(entry);
  return () => own.delete(entry);
}
