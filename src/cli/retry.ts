/**
 * Retries for long runs against serving clusters: rate limits (429),
 * server errors (5xx), timeouts, dropped connections and malformed answers
 * are retried with exponential backoff and full jitter (so a thousand
 * clients that failed together do not come back together), honouring a
 * `Retry-After` the server sends; anything else fails at once. Each retry
 * is reported as it happens (the policy's `onRetry`), and an endpoint's
 * gate (its circuit breaker) can hold requests while the endpoint is down.
 */
import { onAbort } from './abort-hub';

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

/** A retry about to happen: what failed, which try it was, and how long until the next. */
export interface RetryEvent {
  readonly error: TransientError;
  /** The try that failed, from 1. */
  readonly attempt: number;
  /** Tries in all. */
  readonly attempts: number;
  readonly waitMs: number;
}

/**
 * What an endpoint's circuit breaker does for the requests to it (see
 * breaker.ts): holds them while the endpoint is paused, hears whether the
 * endpoint answers, and decides whether a request that failed every try
 * fails its image or waits for the endpoint to come back.
 */
export interface RetryGate {
  /** Resolves when a request may go out; rejects (EndpointDownError) when the endpoint was given up. */
  admit(signal?: AbortSignal): Promise<void>;
  /** The endpoint answered (a result or a refusal of this request): it is up. */
  answered(): void;
  /** A request failed every try: 'fail' fails it; 'wait' tries it again once the gate admits it. */
  exhausted(error: TransientError): 'fail' | 'wait';
}

/** How to retry. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told of each retry before its wait, so the user sees it when it happens, not after the image fails. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** The endpoint's breaker, when the run has one. */
  readonly gate?: RetryGate;
}

/** Waits `ms`, or rejects when `signal` aborts (one listener on the signal however many wait: abort-hub.ts). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      forget();
      resolve();
    }, ms);
    const forget = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(signal.reason);
        })
      : () => {};
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

/** How a retry reads in the run's output: `retry 2 of 6 in 1.3 s: http://…/chat/completions answered HTTP 503 (server-error)`. */
export function describeRetry(event: RetryEvent): string {
  const wait = event.waitMs < 1000 ? `${event.waitMs} ms` : `${(event.waitMs / 1000).toFixed(1)} s`;
  return `retry ${event.attempt + 1} of ${event.attempts} in ${wait}: ${event.error.message} (${event.error.reason})`;
}

/**
 * Runs `task` until it succeeds, fails for good, or runs out of tries. With
 * a gate, each try first waits for the gate's admission, and a request out
 * of tries whose endpoint the gate has paused starts its tries again once
 * the endpoint is back, instead of failing its image (once: out of tries
 * again, it fails).
 */
export async function withRetries<T>(
  task: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { readonly signal?: AbortSignal; readonly onRetry?: (error: TransientError, attempt: number) => void } = {},
): Promise<T> {
  const { gate } = policy;
  // Held through one pause at most: a server that answers the probe but fails this request again (an
  // image it cannot take) fails the image, rather than pausing and resuming for ever.
  let held = false;
  for (let n = 1; ; n++) {
    await gate?.admit(options.signal);
    try {
      const result = await task(n);
      gate?.answered();
      return result;
    } catch (err) {
      if (!(err instanceof TransientError)) {
        // A refusal (400, 401, …) is still an answer: the endpoint is up.
        if (!options.signal?.aborted) gate?.answered();
        throw err;
      }
      if (n >= policy.attempts) {
        if (gate?.exhausted(err) !== 'wait' || held) throw new RetriesExhaustedError(err, n);
        held = true;
        n = 0;
        continue;
      }
      const waitMs = backoffMs(n, err, policy);
      options.onRetry?.(err, n);
      policy.onRetry?.({ error: err, attempt: n, attempts: policy.attempts, waitMs });
      await policy.sleep(waitMs, options.signal);
    }
  }
}
