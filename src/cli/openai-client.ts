/**
 * A client of one OpenAI-compatible chat-completions endpoint (vLLM, SGLang,
 * TGI, llama.cpp's server, Ollama): images go as data URLs in `image_url`
 * parts, greedy decoding is temperature 0, sampling sends temperature,
 * top_p and seed. Requests to one endpoint share a {@link Limiter}; a
 * transient failure (429, 5xx, timeout, dropped connection, malformed
 * answer) is retried by the retry policy, anything else fails the image.
 */
import type { StepOutput } from '../capflow/context';
import type { Sampling } from '../shared/record';
import { type ImageCounts, emptyImageCounts } from './image-stats';
import type { Limiter } from './limiter';
import { type RetryPolicy, TransientError, retryAfterSeconds, withRetries } from './retry';

/** Where a role's model is served. */
export interface Endpoint {
  /** Base URL of the API, e.g. `http://gpu-node-1:8000/v1`. */
  readonly url: string;
  readonly model: string;
  /** Sent as a Bearer token when set (read from an environment variable, never a flag). */
  readonly apiKey?: string;
}

/** A content part of a user message. */
export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

/** An endpoint that answered with something other than a retryable failure (400, 401, 404, …). */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a run counts across every request, for its summary. */
export interface RequestStats {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Retries by reason (rate-limited, server-error, …). */
  readonly retries: Record<string, number>;
  /** What was sent of the images and what was changed about them (image-stats.ts). */
  readonly images: ImageCounts;
}

export function emptyStats(): RequestStats {
  return { requests: 0, promptTokens: 0, completionTokens: 0, retries: {}, images: emptyImageCounts() };
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
}

/** An API path under an endpoint's base URL. */
const apiUrl = (endpoint: Endpoint, path: string) => `${endpoint.url.replace(/\/+$/, '')}/${path}`;

/** Why a fetch failed: undici puts the network reason (ECONNREFUSED, …) in `cause`. */
function fetchFailure(err: unknown): string {
  return err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
}

/** The answer's text and completion tokens, or a malformed-answer TransientError. */
function readAnswer(body: string): StepOutput & { promptTokens: number } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TransientError('malformed', `the answer is not JSON (${body.slice(0, 80)})`);
  }
  const answer = json as {
    choices?: { message?: { content?: unknown } }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const content = answer.choices?.[0]?.message?.content;
  if (typeof content !== 'string')
    throw new TransientError('malformed', 'the answer has no choices[0].message.content');
  return {
    text: content,
    tokens: answer.usage?.completion_tokens ?? 0,
    promptTokens: answer.usage?.prompt_tokens ?? 0,
  };
}

/**
 * Checks before a run that an endpoint answers and serves its model (from
 * `/models`), so a typo fails once, clearly, not as a failure record per
 * image. A server without `/models` is given the benefit of the doubt.
 */
export async function checkEndpoint(endpoint: Endpoint, fetchImpl: typeof fetch = fetch): Promise<void> {
  const url = apiUrl(endpoint, 'models');
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new EndpointError(
      0,
      `Cannot reach ${endpoint.url} (${fetchFailure(err)}). Is the server running, and is the URL its /v1 base?`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new EndpointError(response.status, `${endpoint.url} refused the API key (HTTP ${response.status}).`);
  }
  if (!response.ok) return;
  const listed = ((await response.json().catch(() => ({}))) as { data?: { id?: unknown }[] }).data;
  const ids = (listed ?? []).map((m) => String(m.id));
  if (ids.length > 0 && !ids.includes(endpoint.model)) {
    throw new EndpointError(404, `${endpoint.url} does not serve "${endpoint.model}"; it serves ${ids.join(', ')}.`);
  }
}

/** One endpoint's chat client. */
export class ChatClient {
  constructor(
    readonly endpoint: Endpoint,
    private readonly deps: ClientDeps,
  ) {}

  /** One user turn; returns the answer's text and tokens. */
  chat(
    content: string | readonly ContentPart[],
    options: { readonly maxTokens: number; readonly sampling?: Sampling },
  ): Promise<StepOutput> {
    const { sampling } = options;
    const body = JSON.stringify({
      model: this.endpoint.model,
      messages: [{ role: 'user', content }],
      max_tokens: options.maxTokens,
      temperature: sampling ? sampling.temperature : 0,
      ...(sampling && { top_p: sampling.topP, seed: sampling.seed }),
    });
    const { stats } = this.deps;
    const images = typeof content === 'string' ? [] : content.flatMap((p) => (p.type === 'image_url' ? [p] : []));
    const upload = { parts: images.length, bytes: images.reduce((n, p) => n + p.image_url.url.length, 0) };
    return withRetries(() => this.deps.limiter.run(() => this.post(body, upload)), this.deps.retry, {
      signal: this.deps.signal,
      onRetry: (error) => (stats.retries[error.reason] = (stats.retries[error.reason] ?? 0) + 1),
    }).then((answer) => {
      stats.promptTokens += answer.promptTokens;
      stats.completionTokens += answer.tokens;
      return { text: answer.text, tokens: answer.tokens };
    });
  }

  private async post(
    body: string,
    upload: { readonly parts: number; readonly bytes: number },
  ): Promise<StepOutput & { promptTokens: number }> {
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
    if (response.status === 429 || response.status >= 500 || response.status === 408) {
      const reason = response.status === 429 ? 'rate-limited' : response.status === 408 ? 'timeout' : 'server-error';
      throw new TransientError(
        reason,
        `${url} answered HTTP ${response.status}`,
        retryAfterSeconds(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) {
      throw new EndpointError(
        response.status,
        `${url} refused the request: HTTP ${response.status} ${text.slice(0, 200)}`,
      );
    }
    return readAnswer(text);
  }
}
