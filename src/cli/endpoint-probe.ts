/**
 * What the CLI finds out about an endpoint once, before the run: its real
 * API base (a URL given without `/v1` is tried with it: Ollama serves the
 * OpenAI API only there), which server kind runs there (`--server auto`),
 * and whether it serves the model, by that kind's own rule for names. So a
 * wrong URL or model fails once at start, and what was assumed is said.
 */
import { type NameMatch, SERVER_KINDS, type ServerKind, matchModel } from './server-kinds';

/** What a probe needs: the URL as given, the model, the kind asked for (or auto), a key. */
export interface ProbeTarget {
  readonly url: string;
  readonly model: string;
  readonly server: ServerKind | 'auto';
  readonly apiKey?: string;
}

/** What the probe found. */
export interface ProbeResult {
  /** The API base to use (the given URL, or it with `/v1`). */
  readonly url: string;
  readonly kind: ServerKind;
  /** Lines to print: what was found, what was assumed. */
  readonly notices: readonly string[];
}

/** An endpoint that cannot be used as given: its message says why and the way out. */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Why a fetch failed: undici puts the network reason (ECONNREFUSED, …) in `cause`. */
export function fetchFailure(err: unknown): string {
  return err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** A GET's status and JSON (or text); status 0 with `failure` when it could not be reached. */
type Get = (url: string) => Promise<{ status: number; json: unknown; failure?: string }>;

/** `GET url` as JSON; an unreachable URL is status 0 with the network's reason (the caller decides what that means). */
function getter(fetchImpl: typeof fetch, apiKey: string | undefined, timeoutMs: number): Get {
  return async (url) => {
    try {
      const response = await fetchImpl(url, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    } catch (err) {
      return { status: 0, json: null, failure: fetchFailure(err) };
    }
  };
}

interface Listing {
  readonly ids: readonly string[];
  readonly ownedBy: readonly string[];
}

/** `/models`' entries; Ollama answers `"data": null` when nothing is pulled (openai.go ToListCompletion). */
function listing(json: unknown): Listing {
  const data = json && typeof json === 'object' && 'data' in json ? json.data : null;
  const entries = Array.isArray(data) ? data.map((m: unknown) => (m && typeof m === 'object' ? m : {})) : [];
  return {
    ids: entries.map((m) => ('id' in m ? String(m.id) : '')).filter(Boolean),
    ownedBy: entries.map((m) => ('owned_by' in m ? String(m.owned_by) : '')),
  };
}

/** Which kind runs at `origin`, and how that was seen; null: none could be told. */
async function detect(get: Get, origin: string, models: Listing): Promise<{ kind: ServerKind; how: string } | null> {
  // owned_by names vLLM, SGLang, llama.cpp and LM Studio themselves (see SERVER_KINDS' sources).
  for (const [kind, spec] of Object.entries(SERVER_KINDS) as [ServerKind, (typeof SERVER_KINDS)[ServerKind]][]) {
    if (spec.ownedBy && models.ownedBy.length > 0 && models.ownedBy.every((o) => o === spec.ownedBy)) {
      return { kind, how: `owned_by "${spec.ownedBy}" in /models` };
    }
  }
  // Then each kind's own endpoint, at the server's root: Ollama's /api/version (server/routes.go),
  // TGI's /info (router/src/server.rs: model_id, max_total_tokens), llama.cpp's /props
  // (tools/server: default_generation_settings), LM Studio's REST /api/v0/models (its entries carry
  // `compatibility_type` and `state`: lmstudio.ai/docs/app/api/endpoints/rest).
  const [ollama, tgi, llamacpp, lmstudio] = await Promise.all([
    get(`${origin}/api/version`),
    get(`${origin}/info`),
    get(`${origin}/props`),
    get(`${origin}/api/v0/models`),
  ]);
  const has = (r: Awaited<ReturnType<Get>>, key: string) =>
    r.status === 200 && r.json !== null && typeof r.json === 'object' && key in r.json;
  if (has(ollama, 'version')) return { kind: 'ollama', how: 'GET /api/version' };
  if (has(tgi, 'model_id') && has(tgi, 'max_total_tokens')) return { kind: 'tgi', how: 'GET /info' };
  if (has(llamacpp, 'default_generation_settings')) return { kind: 'llamacpp', how: 'GET /props' };
  const lmsEntries = has(lmstudio, 'data') ? (lmstudio.json as { data: unknown }).data : null;
  if (Array.isArray(lmsEntries) && lmsEntries.some((m) => m && typeof m === 'object' && 'compatibility_type' in m)) {
    return { kind: 'lmstudio', how: 'GET /api/v0/models' };
  }
  return null;
}

/**
 * Probes one endpoint: finds its API base, its kind (unless named), and
 * checks its model. Throws EndpointError when it cannot be reached, refuses
 * the key, or clearly does not serve the model.
 */
export async function probeEndpoint(
  target: ProbeTarget,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 30_000,
): Promise<ProbeResult> {
  const get = getter(fetchImpl, target.apiKey, timeoutMs);
  const notices: string[] = [];
  let url = trim(target.url);
  // A common slip: the chat path itself given as the base.
  if (/\/chat\/completions$/.test(url)) {
    url = url.replace(/\/chat\/completions$/, '');
    notices.push(`${target.url} is the chat path; the API base is ${url}: using that.`);
  }
  let models = await get(`${url}/models`);
  if (models.status === 0) {
    throw new EndpointError(
      0,
      `Cannot reach ${target.url} (${models.failure}). Is the server running, and is the URL its API base (e.g. http://host:8000/v1)?`,
    );
  }
  if (models.status === 404 && !/\/v1$/.test(url)) {
    const v1 = await get(`${url}/v1/models`);
    if (v1.status !== 0 && v1.status !== 404) {
      url = `${url}/v1`;
      models = v1;
      notices.push(`${target.url} has no /models; its API is at ${url}: using that.`);
    }
  }
  if (models.status === 401 || models.status === 403) {
    throw new EndpointError(models.status, `${url} refused the API key (HTTP ${models.status}).`);
  }
  const listed = models.status === 200 ? listing(models.json) : null;
  const origin = url.replace(/\/v1$/, '');
  let kind: ServerKind;
  if (target.server !== 'auto') {
    kind = target.server;
    notices.push(`${url}: ${SERVER_KINDS[kind].label} (as --server says)${thinkingWords(kind)}.`);
  } else {
    const found = await detect(get, origin, listed ?? { ids: [], ownedBy: [] });
    kind = found?.kind ?? 'openai';
    notices.push(
      found
        ? `${url}: ${SERVER_KINDS[kind].label} (from ${found.how})${thinkingWords(kind)}.`
        : `Warning: could not tell which server runs at ${url}; sending no server-specific fields, so a thinking model is not told to stop thinking. Name it with --server vllm|sglang|ollama|llamacpp|tgi|lmstudio, or add fields with --request-json.`,
    );
  }
  // A server without a listing (or one that failed) gets the benefit of the doubt, as before.
  if (listed && (listed.ids.length > 0 || kind === 'ollama')) {
    const match: NameMatch = matchModel(kind, target.model, listed.ids, url);
    if (match.kind === 'missing') throw new EndpointError(404, match.message);
    if (match.kind === 'assumed') notices.push(`Warning: ${match.warning}`);
  }
  return { url, kind, notices };
}

/** What is sent to turn thinking off at a kind, in words for the notice. */
function thinkingWords(kind: ServerKind): string {
  const words = SERVER_KINDS[kind].thinkingOffWords;
  if (words) return `; thinking off: ${words}`;
  return kind === 'openai' ? '; nothing server-specific is sent' : '; no thinking switch is documented for it';
}
