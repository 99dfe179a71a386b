/**
 * The openai engine's staying power, wired from the flags: the retry policy
 * that reports each retry as it happens, the readiness wait before the run
 * (`--wait-ready`), the circuit breakers during it
 * (`--max-consecutive-failures`), and what the summary says about them.
 */
import { Breakers } from './breaker';
import type { RunSummary } from './caption';
import { formatDuration } from './durations';
import { type Endpoint, EndpointError } from './openai-client';
import { type ProbeAnswer, waitReady } from './readiness';
import { type RetryPolicy, describeRetry } from './retry';

/** What the flags and the run give. */
export interface ResilienceOptions {
  readonly retry: RetryPolicy;
  /** `--wait-ready`: how long an endpoint may take to answer, before the run and while paused. */
  readonly waitReadyMs: number;
  /** `--max-consecutive-failures`. */
  readonly maxFailures: number;
  /** The per-request timeout, also the probe's. */
  readonly timeoutMs: number;
  /** Where events go as they happen (the progress's notes). */
  readonly note: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The pieces the engine and the summary use. */
export interface Resilience {
  /** The policy for the engine: each retry reported as it happens. */
  readonly retry: RetryPolicy;
  /** The engine's per-endpoint breakers. */
  readonly breakers: Breakers;
  /**
   * Waits until each distinct endpoint (URL and model) answers at all, finds it with `find` (its API base, server
   * kind and model: prepareEndpoints), then waits until it answers a one-token completion. Gives each endpoint as
   * found.
   */
  waitAllReady(
    endpoints: readonly Endpoint[],
    find: (endpoint: Endpoint) => Promise<Endpoint>,
  ): Promise<(endpoint: Endpoint) => Endpoint>;
  /** Summary lines: pauses, and why the run stopped with what it left. */
  summaryLines(summary: RunSummary, out: string): string[];
}

/** Wires the retry reports, the readiness wait and the breakers. */
export function resilience(options: ResilienceOptions): Resilience {
  const now = options.now ?? (() => performance.now());
  const probe = {
    limitMs: options.waitReadyMs,
    timeoutMs: options.timeoutMs,
    now,
    ...(options.signal && { signal: options.signal }),
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.sleep && { sleep: options.sleep }),
  };
  const breakers = new Breakers({ maxFailures: options.maxFailures, ready: probe, report: options.note });
  return {
    retry: { ...options.retry, onRetry: (event) => options.note(describeRetry(event)) },
    breakers,
    async waitAllReady(endpoints, find) {
      const key = (e: Endpoint) => `${e.url} ${e.model}`;
      // The first role at each URL and model is the one probed (its request fields shape the probe).
      const distinct = new Map<string, Endpoint>();
      for (const e of endpoints) if (!distinct.has(key(e))) distinct.set(key(e), e);
      const found = new Map<string, Endpoint>();
      const wait = { ...probe, report: options.note };
      await Promise.all(
        [...distinct].map(async ([k, endpoint]) => {
          // A server still starting refuses connections (vLLM, SGLang): that is waited for before it can be found.
          let ready = endpoint;
          const reached = await waitReady(endpoint, wait, async (e): Promise<ProbeAnswer> => {
            try {
              ready = await find(e);
              return { kind: 'ready' };
            } catch (err) {
              if (!(err instanceof EndpointError) || err.status !== 0) throw err;
              return { kind: 'waiting', last: err.message, state: 'unreachable' };
            }
          });
          found.set(k, ready);
          const answered = await waitReady(ready, wait);
          const waitedMs = reached.waitedMs + answered.waitedMs;
          if (reached.probes + answered.probes > 2) {
            options.note(`${ready.url} is ready (answered after ${formatDuration(waitedMs)})`);
          }
        }),
      );
      // What was found (the API base, the kind) applies to every role at that URL and model; each keeps its own
      // request fields.
      return (endpoint) => {
        const at = found.get(key(endpoint));
        return at ? { ...endpoint, url: at.url, ...(at.server && { server: at.server }) } : endpoint;
      };
    },
    summaryLines(summary, out) {
      const lines = breakers
        .pauses()
        .map(
          (p) =>
            `Paused ${p.url} after ${options.maxFailures} failures in a row (${p.reason}); ` +
            (p.endedMs === null
              ? 'it did not come back.'
              : `it answered again after ${formatDuration(p.endedMs - p.startedMs)}.`),
        );
      if (summary.stoppedBy) {
        lines.push(
          `Stopped early: ${summary.stoppedBy.message}`,
          `${summary.notTried} image${summary.notTried === 1 ? ' was' : 's were'} not tried and ha${summary.notTried === 1 ? 's' : 've'} no record in ${out}: ` +
            'run the same command again once the server is back to caption them' +
            (summary.failed ? ` (add --retry-failed to retry the ${summary.failed} that failed too).` : '.'),
        );
      }
      return lines;
    },
  };
}
