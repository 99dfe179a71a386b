/**
 * Retries for long runs against serving clusters: rate limits (429),
 * server errors (5xx), timeouts, dropped connections and malformed answers
 * are retried with exponential backoff and full jitter (so a thousand
 * clients that failed together do not come back together), honouring a
 * `Retry-After` the server sends; anything else fails at once.
 */

/** Why a request may succeed if tried again. */
export type TransientReason = 'rate-limited' | 'server-error' | 'timeout' | 'connection' | 'malformed';

/** A failure worth another try. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly reason: TransientReason,
    message: string,
    /** Seconds the server asked to wait (Retry-After), when it did. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** A request that failed every try: its last failure and how many tries were made. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly last: TransientError,
    readonly attempts: number,
  ) {
    super(`${last.message} (gave up after ${attempts} tries)`);
  }
}

/** How to retry. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 6,
  baseMs: 500,
  maxMs: 30_000,
  random: Math.random,
  sleep,
});

/**
 * Seconds a `Retry-After` header asks for: delay-seconds, or an HTTP date
 * (RFC 9110 §10.2.3; servers and proxies send either), measured from `now`.
 * Null when absent, unreadable or not in the future.
 */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return seconds > 0 ? seconds : null;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  const seconds = (date - now) / 1000;
  return seconds > 0 ? seconds : null;
}

/** The wait before try `n + 1` after `error`: the server's Retry-After, else full jitter up to base × 2^(n−1). */
export function backoffMs(n: number, error: TransientError, policy: RetryPolicy): number {
  if (error.retryAfter !== null) return Math.min(policy.maxMs, error.retryAfter * 1000);
  return Math.round(policy.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1)));
}

/** Runs `task` until it succeeds, fails for good, or runs out of tries. */
export async function withRetries<T>(
  task: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { readonly signal?: AbortSignal; readonly onRetry?: (error: TransientError, attempt: number) => void } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await task(n);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      if (n >= policy.attempts) throw new RetriesExhaustedError(err, n);
      options.onRetry?.(err, n);
      await policy.sleep(backoffMs(n, err, policy), options.signal);
    }
  }
}
