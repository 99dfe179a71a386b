/**
 * A client of one OpenAI-compatible chat-completions endpoint (vLLM, SGLang,
 * TGI, llama.cpp's server, Ollama, LM Studio): images go as data URLs in
 * `image_url` parts, greedy decoding is temperature 0, sampling sends
 * temperature, top_p and seed; the server kind's thinking switch and the
 * user's own fields are added to every request. Requests to one endpoint
 * share a {@link Limiter}; a transient failure (429, 5xx, TGI's 424,
 * timeout, dropped connection, malformed answer) is retried by the retry
 * policy, anything else fails the image. Answers are checked, not trusted:
 * thinking without an answer, an empty answer and a cut answer are each
 * told apart (see {@link ChatClient.chat}).
 */
import type { StepOutput } from '../capflow/context';
import type { Sampling } from '../shared/record';
import { type ImageCounts, emptyImageCounts } from './image-stats';
import { type Answer, readAnswer, readStream } from './answer';
import { noAnswerError } from './answer-errors';
import { EndpointError, fetchFailure, probeEndpoint } from './endpoint-probe';
import type { Limiter } from './limiter';
import { type RetryPolicy, TransientError, retryAfterSeconds, withRetries } from './retry';
import { SERVER_KINDS, type ServerKind } from './server-kinds';

export { EmptyAnswerError, ThinkingAnswerError } from './answer-errors';
export { EndpointError } from './endpoint-probe';

/** Where a role's model is served. */
export interface Endpoint {
  /** Base URL of the API, e.g. `http://gpu-node-1:8000/v1`. */
  readonly url: string;
  readonly model: string;
  /** Sent as a Bearer token when set (read from an environment variable, never a flag). */
  readonly apiKey?: string;
  /** The serving engine: named by `--server`, or found by {@link prepareEndpoints} (`auto`, the default). */
  readonly server?: ServerKind | 'auto';
  /** Fields added to every request of this role (`--request-json`, `--<role>-request-json`, config `request`). */
  readonly request?: Readonly<Record<string, unknown>>;
}

/** A content part of a user message. */
export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

/** What a run counts across every request, for its summary. */
export interface RequestStats {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Answers that reported no token usage (their tokens are unknown, not 0). */
  noUsage: number;
  /** Answers cut at max_tokens that were asked again with twice the budget. */
  lengthRetries: number;
  /** Answers still cut after that: kept, and marked `cut` in their step's trace. */
  cut: number;
  /** Answers whose thinking came inline (`<think>…</think>` in content) and was taken out of the text. */
  inlineThinking: number;
  /** Retries by reason (rate-limited, server-error, …). */
  readonly retries: Record<string, number>;
  /** What was sent of the images and what was changed about them (image-stats.ts). */
  readonly images: ImageCounts;
}

/** Counters at zero. */
export function emptyStats(): RequestStats {
  return {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    noUsage: 0,
    lengthRetries: 0,
    cut: 0,
    inlineThinking: 0,
    retries: {},
    images: emptyImageCounts(),
  };
}

/** What the answers' checks changed or could not count, for the summary (nothing when all was plain). */
export function answerNotes(stats: RequestStats): string[] {
  return [
    ...(stats.noUsage
      ? [
          `${stats.noUsage} answer${stats.noUsage === 1 ? '' : 's'} reported no token usage: their tokens are unknown, not counted above.`,
        ]
      : []),
    ...(stats.lengthRetries
      ? [
          `${stats.lengthRetries} answer${stats.lengthRetries === 1 ? ' was' : 's were'} cut at max_tokens and asked again with twice the budget; ` +
            `${stats.cut} still cut (kept, marked "cut": true in the record's trace).`,
        ]
      : []),
    ...(stats.inlineThinking
      ? [
          `${stats.inlineThinking} answer${stats.inlineThinking === 1 ? '' : 's'} held the model's thinking inline (<think>…</think>): ` +
            'taken out of the text kept. Turn thinking off (--server, --request-json) to save the tokens.',
        ]
      : []),
  ];
}

/** What a client needs besides its endpoint. */
export interface ClientDeps {
  readonly limiter: Limiter;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly stats: RequestStats;
  readonly fetch?: typeof fetch;
  /** Aborts every request of the run (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Ask for server-sent events (`stream: true`), for proxies that drop a connection that is idle too long. */
  readonly stream?: boolean;
}

/** How much more budget a cut answer is given on its one retry. */
export const LENGTH_RETRY_FACTOR = 2;

type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A request body with `extra` fields laid over it; an object field is merged
 * one level deep, so `{"chat_template_kwargs": {"x": 1}}` keeps the kind's
 * `enable_thinking: false` beside it (and can still set it).
 */
export function mergeRequest(base: Json, ...extras: readonly Json[]): Json {
  const out: Record<string, unknown> = { ...base };
  for (const extra of extras) {
    for (const [key, value] of Object.entries(extra)) {
      const had = out[key];
      out[key] = isObject(had) && isObject(value) ? { ...had, ...value } : value;
    }
  }
  return out;
}

/** An API path under an endpoint's base URL. */
const apiUrl = (endpoint: Endpoint, path: string) => `${endpoint.url.replace(/\/+$/, '')}/${path}`;

/**
 * Probes each distinct endpoint once before a run (see probeEndpoint): its
 * API base (a missing `/v1` found), its server kind, its model; `notice`
 * gets what was found, each line once. Resolves with a lookup that gives
 * each of the endpoints as found (URL and kind filled in).
 */
export async function prepareEndpoints(
  endpoints: readonly Endpoint[],
  options: { readonly fetch?: typeof fetch; readonly notice?: (line: string) => void } = {},
): Promise<(endpoint: Endpoint) => Endpoint> {
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const key = (e: Endpoint) => `${e.url} ${e.model} ${e.server ?? 'auto'}`;
  const distinct = new Map(endpoints.map((e) => [key(e), e]));
  const found = new Map(
    await Promise.all(
      [...distinct].map(
        async ([k, e]) => [k, await probeEndpoint({ ...e, server: e.server ?? 'auto' }, options.fetch)] as const,
      ),
    ),
  );
  const said = new Set<string>();
  for (const probe of found.values())
    for (const line of probe.notices) if (!said.has(line) && said.add(line)) notice(line);
  return (endpoint) => {
    const probe = found.get(key(endpoint));
    if (!probe) throw new Error(`${endpoint.url} was not among the endpoints prepared`);
    return { ...endpoint, url: probe.url, server: probe.kind };
  };
}

/**
 * Checks before a run that an endpoint answers and serves its model; kept
 * for callers that do not need what {@link prepareEndpoints} finds.
 */
export async function checkEndpoint(endpoint: Endpoint, fetchImpl: typeof fetch = fetch): Promise<void> {
  await probeEndpoint({ ...endpoint, server: endpoint.server ?? 'auto' }, fetchImpl);
}

/** One endpoint's chat client. */
export class ChatClient {
  constructor(
    readonly endpoint: Endpoint,
    private readonly deps: ClientDeps,
  ) {}

  /** The server kind requests are shaped for (`openai`, nothing extra, until one is known). */
  get kind(): ServerKind {
    const server = this.endpoint.server;
    return server && server !== 'auto' ? server : 'openai';
  }

  /**
   * One user turn; returns the answer's text and tokens. An answer cut at
   * `maxTokens` (`finish_reason: "length"`) is asked once more with
   * {@link LENGTH_RETRY_FACTOR}× the budget; cut again, it is kept and marked
   * `cut`. Thinking with no answer is a ThinkingAnswerError, no text at all an
   * EmptyAnswerError: neither is retried, since the same request gives the same.
   */
  async chat(
    content: string | readonly ContentPart[],
    options: { readonly maxTokens: number; readonly sampling?: Sampling },
  ): Promise<StepOutput> {
    const { stats } = this.deps;
    let answer = await this.ask(content, options.maxTokens, options.sampling);
    let budget = options.maxTokens;
    if (answer.finish === 'length') {
      stats.lengthRetries += 1;
      const larger = options.maxTokens * LENGTH_RETRY_FACTOR;
      // A server may refuse the larger budget (prompt + max_tokens over its context: 400/422):
      // then the first, cut answer is what there is.
      const again = await this.ask(content, larger, options.sampling).catch((err: unknown) => {
        if (err instanceof EndpointError && [400, 413, 422].includes(err.status)) return null;
        throw err;
      });
      if (again) [answer, budget] = [again, larger];
    }
    const cut = answer.finish === 'length';
    if (answer.text.trim() === '') {
      throw noAnswerError(answer, { ...this.endpoint, server: this.kind }, cut ? budget : null);
    }
    if (cut) stats.cut += 1;
    return { text: answer.text, tokens: answer.usage?.completion ?? 0, ...(cut && { cut: true }) };
  }

  /** One request, retried while it fails transiently; counts its usage. */
  private async ask(
    content: string | readonly ContentPart[],
    maxTokens: number,
    sampling: Sampling | undefined,
  ): Promise<Answer> {
    const spec = SERVER_KINDS[this.kind];
    const stream = this.deps.stream ?? false;
    const body = JSON.stringify(
      mergeRequest(
        {
          model: this.endpoint.model,
          messages: [{ role: 'user', content }],
          max_tokens: maxTokens,
          temperature: sampling ? sampling.temperature : 0,
          ...(sampling && { top_p: sampling.topP, seed: sampling.seed }),
          ...(stream && { stream: true, ...(spec.streamUsage && { stream_options: { include_usage: true } }) }),
        },
        spec.thinkingOff,
        this.endpoint.request ?? {},
      ),
    );
    const { stats } = this.deps;
    const images = typeof content === 'string' ? [] : content.flatMap((p) => (p.type === 'image_url' ? [p] : []));
    const upload = { parts: images.length, bytes: images.reduce((n, p) => n + p.image_url.url.length, 0) };
    const answer = await withRetries(() => this.deps.limiter.run(() => this.post(body, upload)), this.deps.retry, {
      signal: this.deps.signal,
      onRetry: (error) => (stats.retries[error.reason] = (stats.retries[error.reason] ?? 0) + 1),
    });
    if (answer.usage) {
      stats.promptTokens += answer.usage.prompt;
      stats.completionTokens += answer.usage.completion;
    } else stats.noUsage += 1;
    if (answer.inlineThinking) stats.inlineThinking += 1;
    return answer;
  }

  private async post(body: string, upload: { readonly parts: number; readonly bytes: number }): Promise<Answer> {
    const { deps, endpoint } = this;
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
    const url = apiUrl(endpoint, 'chat/completions');
    deps.stats.requests += 1;
    // Every try uploads its images again: the summary says what that cost.
    deps.stats.images.parts += upload.parts;
    deps.stats.images.bytes += upload.bytes;
    let response: Response;
    let text: string;
    try {
      response = await (deps.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(endpoint.apiKey && { authorization: `Bearer ${endpoint.apiKey}` }),
        },
        body,
        signal,
      });
      text = await response.text();
    } catch (err) {
      if (deps.signal?.aborted) throw err;
      if (timeout.aborted) throw new TransientError('timeout', `${url} did not answer within ${deps.timeoutMs} ms`);
      throw new TransientError('connection', `${url}: ${fetchFailure(err)}`);
    }
    // 424: TGI's answer to a generation error such as a shard's CUDA OOM
    // (router/src/server.rs, InferError::GenerationError → FAILED_DEPENDENCY): worth another try.
    const status = response.status;
    if (status === 429 || status >= 500 || status === 408 || status === 424) {
      const reason = status === 429 ? 'rate-limited' : status === 408 ? 'timeout' : 'server-error';
      throw new TransientError(
        reason,
        `${url} answered HTTP ${status}${status === 424 ? ' (a generation error, e.g. out of GPU memory)' : ''}`,
        retryAfterSeconds(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) {
      throw new EndpointError(status, `${url} refused the request: HTTP ${status} ${text.slice(0, 200)}`);
    }
    const streamed = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    return streamed || /^\s*data:/.test(text) ? readStream(text) : readAnswer(text);
  }
}
