/**
 * Circuit breaking per endpoint. When `maxFailures` requests in a row to one
 * endpoint fail every try with a sign that the endpoint itself is down (a
 * 5xx, a refused or dropped connection, a timeout, 429s that never stop),
 * the endpoint is paused: no new request goes to it, and the readiness
 * probe (readiness.ts) polls it. When it answers, the held requests go out
 * again and the run goes on; when the wait (`--wait-ready`) passes, every
 * held and later request fails with EndpointDownError, which the runner
 * takes as "not tried" (no failure record: a rerun resumes those images).
 * Failures of one image (a refusal of that request, a malformed answer) are
 * answers, so they reset the count instead of adding to it.
 */
import { onAbort } from './abort-hub';
import { formatDuration } from './durations';
import { type Endpoint, EndpointError } from './openai-client';
import { NotReadyError, type ReadyOptions, waitReady } from './readiness';
import type { RetryGate, TransientError, TransientReason } from './retry';

/** Failures that say the endpoint is down, not that one request was bad. */
const ENDPOINT_DOWN: ReadonlySet<TransientReason> = new Set(['server-error', 'connection', 'timeout', 'rate-limited']);

/** An endpoint that stopped answering and did not come back within the wait: the run stops. */
export class EndpointDownError extends Error {
  override readonly name = 'EndpointDownError';
  constructor(
    readonly url: string,
    /** Why the breaker gave up: the wait passed (NotReadyError) or the endpoint now refuses (EndpointError). */
    readonly why: NotReadyError | EndpointError,
  ) {
    super(
      why instanceof NotReadyError
        ? `${url} stopped answering and was still not answering after ${formatDuration(why.waitedMs)} ` +
            `(last answer: ${why.last}). Check the server (its log; was it killed, or out of memory?); ` +
            'a longer --wait-ready (e.g. 30m) waits out a restart.'
        : `${url} stopped answering, then refused: ${why.message}`,
    );
  }
}

/** One pause of one endpoint, for the summary. */
export interface Pause {
  readonly url: string;
  /** What the request that tripped the breaker met. */
  readonly reason: string;
  readonly startedMs: number;
  /** When the endpoint answered again; null while paused or when it never did. */
  endedMs: number | null;
}

/** The breaker's settings. */
export interface BreakerOptions {
  /** Requests in a row failing with endpoint-down reasons that pause the endpoint. */
  readonly maxFailures: number;
  /** How the paused endpoint is probed (the wait is `--wait-ready`'s). */
  readonly ready: Omit<ReadyOptions, 'report'> & { readonly now: () => number };
  /** A line for each pause, each probe while paused, each recovery and the stop. */
  readonly report?: (line: string) => void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

type State =
  | { readonly kind: 'closed' }
  | { readonly kind: 'paused'; readonly waiters: Set<Waiter> }
  | { readonly kind: 'stopped'; readonly error: EndpointDownError };

/** The breaker of one endpoint (its requests' gate). */
export class Breaker implements RetryGate {
  private failures = 0;
  private state: State = { kind: 'closed' };
  readonly pauses: Pause[] = [];

  constructor(
    readonly endpoint: Endpoint,
    private readonly options: BreakerOptions,
  ) {
    if (!Number.isInteger(options.maxFailures) || options.maxFailures < 1) {
      throw new RangeError(`--max-consecutive-failures must be a whole number ≥ 1; got ${options.maxFailures}`);
    }
  }

  /** Why the endpoint was given up, once it was. */
  get stopped(): EndpointDownError | null {
    return this.state.kind === 'stopped' ? this.state.error : null;
  }

  admit(signal?: AbortSignal): Promise<void> {
    const { state } = this;
    if (state.kind === 'closed') return Promise.resolve();
    if (state.kind === 'stopped') return Promise.reject(state.error);
    return new Promise((resolve, reject) => {
      const forget = signal
        ? onAbort(signal, () => {
            state.waiters.delete(waiter);
            reject(signal.reason);
          })
        : () => {};
      const waiter: Waiter = {
        resolve: () => {
          forget();
          resolve();
        },
        reject: (err) => {
          forget();
          reject(err);
        },
      };
      state.waiters.add(waiter);
    });
  }

  answered(): void {
    if (this.state.kind === 'closed') this.failures = 0;
  }

  exhausted(error: TransientError): 'fail' | 'wait' {
    if (this.state.kind !== 'closed') return 'wait';
    if (!ENDPOINT_DOWN.has(error.reason)) {
      this.failures = 0;
      return 'fail';
    }
    this.failures += 1;
    if (this.failures < this.options.maxFailures) return 'fail';
    this.trip(error);
    return 'wait';
  }

  /** Pauses the endpoint and probes it until it answers or the wait passes. */
  private trip(error: TransientError): void {
    const { ready, report } = this.options;
    const waiters = new Set<Waiter>();
    this.state = { kind: 'paused', waiters };
    const pause: Pause = { url: this.endpoint.url, reason: error.message, startedMs: ready.now(), endedMs: null };
    this.pauses.push(pause);
    report?.(
      `pausing ${this.endpoint.url}: ${this.failures} requests in a row failed every try (last: ${error.message}); ` +
        `no new requests go to it until it answers again (waiting up to ${formatDuration(ready.limitMs)})`,
    );
    waitReady(this.endpoint, { ...ready, ...(report && { report }) }).then(
      () => {
        pause.endedMs = ready.now();
        this.failures = 0;
        this.state = { kind: 'closed' };
        report?.(
          `${this.endpoint.url} answers again after ${formatDuration(pause.endedMs - pause.startedMs)}: ` +
            `resuming, the ${waiters.size} held request${waiters.size === 1 ? '' : 's'} first`,
        );
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        if (err instanceof NotReadyError || err instanceof EndpointError) {
          const down = new EndpointDownError(this.endpoint.url, err);
          this.state = { kind: 'stopped', error: down };
          report?.(`giving up: ${down.message}`);
          for (const w of waiters) w.reject(down);
        } else {
          // Stopped by the user (Ctrl-C): the held requests end with the same reason.
          for (const w of waiters) w.reject(err);
        }
      },
    );
  }
}

/** The run's breakers, one per endpoint URL (roles at one URL share it, as they share its limiter). */
export class Breakers {
  private readonly byUrl = new Map<string, Breaker>();

  constructor(private readonly options: BreakerOptions) {}

  /** The breaker of `endpoint`'s URL (made on first ask; it probes with that endpoint's model). */
  for(endpoint: Endpoint): Breaker {
    let breaker = this.byUrl.get(endpoint.url);
    if (!breaker) this.byUrl.set(endpoint.url, (breaker = new Breaker(endpoint, this.options)));
    return breaker;
  }

  /** Every pause so far, in order. */
  pauses(): Pause[] {
    return [...this.byUrl.values()].flatMap((b) => b.pauses).sort((a, b) => a.startedMs - b.startedMs);
  }
}
