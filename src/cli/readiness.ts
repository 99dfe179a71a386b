/**
 * Is an endpoint ready to caption? Its `/models` is no answer: llama.cpp's
 * server lists its model while it is still loading it and answers chat
 * requests with 503 "Loading model" until then (tools/server/server.cpp's
 * state middleware: `format_error_response("Loading model",
 * ERROR_TYPE_UNAVAILABLE)`, which utils.hpp turns into HTTP 503
 * `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`);
 * vLLM and SGLang refuse connections until their model is loaded. So the probe is what the run
 * will do: a one-token chat completion. Before a run, each endpoint is
 * polled with backoff until it answers (`--wait-ready`); the circuit breaker
 * (breaker.ts) polls the same way while an endpoint is paused.
 */
import { formatDuration } from './durations';
import { type Endpoint, EndpointError, mergeRequest } from './openai-client';
import { SERVER_KINDS } from './server-kinds';
import { sleep as realSleep } from './retry';

/** What one probe found. */
export type ProbeAnswer =
  | { readonly kind: 'ready' }
  /** Not yet: loading its model (503), busy (429, other 5xx, a timeout), or not reachable (connection refused). */
  | { readonly kind: 'waiting'; readonly last: string; readonly state: 'loading' | 'busy' | 'unreachable' }
  /** An answer that waiting will not change (401, 404 for the model, 400): the run cannot start. */
  | { readonly kind: 'refused'; readonly status: number; readonly last: string };

/** The reason in an error body: OpenAI-style `{"error":{"message"}}`, `{"error":"…"}`, `{"message"}`, or the text. */
function bodyReason(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const found =
      typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message ?? json.detail ?? null);
    if (typeof found === 'string' && found) return found.slice(0, 200);
  } catch {
    // Not JSON: the text itself.
  }
  return body.trim().replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * What an HTTP answer to the probe means. 5xx (503 loading, 502/504 from a
 * proxy in front of a starting server, TGI's 424 after a shard's error),
 * 429 and 408 may change by themselves; other 4xx will not.
 */
export function classifyProbe(status: number, body: string): ProbeAnswer {
  if (status >= 200 && status < 300) return { kind: 'ready' };
  const reason = bodyReason(body);
  const last = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (status >= 500 || status === 429 || status === 408 || status === 424) {
    return { kind: 'waiting', last, state: status === 503 ? 'loading' : 'busy' };
  }
  return { kind: 'refused', status, last };
}

/** What the wait is for, in the progress line. */
const WAITING_FOR = Object.freeze({
  loading: 'to load the model',
  busy: 'to answer',
  unreachable: 'to come up',
} as const satisfies Record<string, string>);

/** What a probe needs besides its endpoint. */
export interface ProbeDeps {
  readonly fetch?: typeof fetch;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Sends the one-token completion once. */
export async function probeOnce(endpoint: Endpoint, deps: ProbeDeps): Promise<ProbeAnswer> {
  const url = `${endpoint.url.replace(/\/+$/, '')}/chat/completions`;
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  // AbortSignal.any adds no listener to its sources (unlike addEventListener): no leak on the run's signal.
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
  try {
    const response = await (deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(endpoint.apiKey && { authorization: `Bearer ${endpoint.apiKey}` }),
      },
      // Shaped as the run's requests are (the kind's thinking switch, the user's fields): a server that needs
      // them to answer is not taken for one that is not ready.
      body: JSON.stringify(
        mergeRequest(
          {
            model: endpoint.model,
            messages: [{ role: 'user', content: 'Reply with OK.' }],
            max_tokens: 1,
            temperature: 0,
          },
          endpoint.server && endpoint.server !== 'auto' ? SERVER_KINDS[endpoint.server].thinkingOff : {},
          endpoint.request ?? {},
        ),
      ),
      signal,
    });
    return classifyProbe(response.status, await response.text());
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    if (timeout.aborted) {
      return { kind: 'waiting', last: `no answer within ${formatDuration(deps.timeoutMs)}`, state: 'busy' };
    }
    // undici puts the network reason (connect ECONNREFUSED …) in `cause`.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return { kind: 'waiting', last: cause, state: 'unreachable' };
  }
}

/** An endpoint that did not answer a completion within the wait. */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
  constructor(
    readonly url: string,
    readonly waitedMs: number,
    readonly last: string,
    /** Whether the last probe reached the server at all. */
    readonly reached: boolean,
  ) {
    super(
      reached
        ? `${url} was not ready after ${formatDuration(waitedMs)} (last answer: ${last}). ` +
            'Check that the server is running and has loaded its model, or wait longer with --wait-ready (e.g. 30m).'
        : `Cannot reach ${url} (${last}; waited ${formatDuration(waitedMs)}). Is the server running, and is the URL ` +
            'its /v1 base? A server that is still starting can be waited for longer with --wait-ready (e.g. 30m).',
    );
  }
}

/** How long to wait, on what clock, and where progress goes. */
export interface ReadyOptions extends ProbeDeps {
  /** The most to wait; 0: one probe. */
  readonly limitMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Longest pause between probes. */
  readonly maxPollMs?: number;
  /** A line each time the endpoint is found not ready yet. */
  readonly report?: (line: string) => void;
}

/** What the wait took. */
export interface Readiness {
  readonly waitedMs: number;
  readonly probes: number;
}

/**
 * Polls `endpoint` with the one-token completion (or another `probe`) until it answers, backing
 * off 1 s, 2 s, 4 s … up to `maxPollMs`. Throws EndpointError at once for an
 * answer that will not change, NotReadyError when `limitMs` has passed.
 */
export async function waitReady(
  endpoint: Endpoint,
  options: ReadyOptions,
  probe: (endpoint: Endpoint, deps: ProbeDeps) => Promise<ProbeAnswer> = probeOnce,
): Promise<Readiness> {
  const now = options.now ?? (() => performance.now());
  const pause = options.sleep ?? realSleep;
  const started = now();
  for (let probes = 1; ; probes++) {
    const answer = await probe(endpoint, options);
    const waitedMs = now() - started;
    if (answer.kind === 'ready') return { waitedMs, probes };
    if (answer.kind === 'refused') {
      const hint =
        answer.status === 401 || answer.status === 403
          ? 'Check the API key (--api-key-env names its variable).'
          : answer.status === 404
            ? `Check the model name ("${endpoint.model}") and that the URL is the API's base (usually ending in /v1).`
            : 'Check the endpoint and model flags.';
      throw new EndpointError(
        answer.status,
        `${endpoint.url} refused a one-token completion for "${endpoint.model}": ${answer.last}. ${hint}`,
      );
    }
    if (waitedMs >= options.limitMs) {
      throw new NotReadyError(endpoint.url, waitedMs, answer.last, answer.state !== 'unreachable');
    }
    const waitMs = Math.min(options.maxPollMs ?? 10_000, 1000 * 2 ** (probes - 1), options.limitMs - waitedMs);
    options.report?.(
      `waiting for ${endpoint.url} ${WAITING_FOR[answer.state]}: ` +
        `${formatDuration(waitedMs)} of ${formatDuration(options.limitMs)}, last answer ${answer.last}`,
    );
    await pause(waitMs, options.signal);
  }
}
