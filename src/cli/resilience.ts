/**
 * The openai engine's staying power, wired from the flags: the retry policy
 * that reports each retry as it happens, the readiness wait before the run
 * (`--wait-ready`), the circuit breakers during it
 * (`--max-consecutive-failures`), and what the summary says about them.
 */
import { Breakers } from './breaker';
import type { RunSummary } from './caption';
import { formatDuration } from './durations';
import { type Endpoint, EndpointError, checkEndpoint } from './openai-client';
import { waitReady } from './readiness';
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
  /** Waits until each distinct endpoint (URL and model) answers a one-token completion. */
  waitAllReady(endpoints: readonly Endpoint[]): Promise<void>;
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
    async waitAllReady(endpoints) {
      const distinct = new Map(endpoints.map((e) => [`${e.url} ${e.model}`, e]));
      await Promise.all(
        [...distinct.values()].map(async (endpoint) => {
          const { waitedMs, probes } = await waitReady(endpoint, { ...probe, report: options.note }).catch(
            async (err: unknown) => {
              // A 404: the model list says more (which models it serves, a base URL without /v1) when it can.
              if (err instanceof EndpointError && err.status === 404) await checkEndpoint(endpoint, options.fetch);
              throw err;
            },
          );
          if (probes > 1) options.note(`${endpoint.url} is ready (answered after ${formatDuration(waitedMs)})`);
        }),
      );
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
