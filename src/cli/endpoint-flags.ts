/**
 * The endpoints of `--engine openai` (and of `check`) from the command
 * line: each role's URL and model from its own flags, the `--config` file
 * or `--endpoint`, the summary and judge defaulting to the VLM's; each with
 * the API key the rules of keys.ts allow, said once on stderr; the server
 * kind (`--server`, or "server" per role in the config) and any extra
 * request fields (`--request-json`, per role too).
 */
import { readFile } from 'node:fs/promises';
import { KeyRefusedError, keysFor } from './keys';
import { type Endpoint, mergeRequest } from './openai-client';
import { SERVER_KIND_IDS, isServerKind } from './server-kinds';
import { UsageError, oneOf } from './usage';

/** The flags the endpoints are read from (as `parseArgs` gives them). */
export interface EndpointFlags {
  readonly endpoint?: string;
  readonly 'vlm-endpoint'?: string;
  readonly 'llm-endpoint'?: string;
  readonly 'judge-endpoint'?: string;
  readonly 'vlm-model'?: string;
  readonly 'llm-model'?: string;
  readonly 'judge-model'?: string;
  readonly config?: string;
  readonly 'api-key-env'?: string;
  readonly 'allow-insecure-key'?: boolean;
  readonly server?: string;
  readonly 'request-json'?: string;
  readonly 'vlm-request-json'?: string;
  readonly 'llm-request-json'?: string;
  readonly 'judge-request-json'?: string;
}

/** A JSON object of request fields from `where` (a flag or the config), or a usage error naming it. */
function requestFields(value: unknown, where: string): Readonly<Record<string, unknown>> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new UsageError(`${where} is not valid JSON (${(err as Error).message}): ${value.slice(0, 80)}`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${where} must be a JSON object of request fields, like '{"top_k": 20}'.`);
  }
  return parsed as Record<string, unknown>;
}

/** One role's endpoint from the flags, the config file, or `--endpoint`; each with the key the rules allow (keys.ts). */
export async function endpoints(flags: EndpointFlags): Promise<{ vlm: Endpoint; llm: Endpoint; judge: Endpoint }> {
  const config = flags.config
    ? (JSON.parse(await readFile(flags.config, 'utf8')) as Partial<
        Record<'vlm' | 'llm' | 'judge', Partial<Omit<Endpoint, 'request'>> & { request?: unknown }>
      >)
    : {};
  const server = oneOf(flags.server, '--server', ['auto', ...SERVER_KIND_IDS] as const, 'auto');
  const shared = flags['request-json'] ? requestFields(flags['request-json'], '--request-json') : {};
  const role = (name: 'vlm' | 'llm' | 'judge', fallback?: Endpoint): Endpoint => {
    const url = flags[`${name}-endpoint`] ?? config[name]?.url ?? flags.endpoint ?? fallback?.url;
    const model = flags[`${name}-model`] ?? config[name]?.model ?? fallback?.model;
    if (!url || !model) {
      throw new UsageError(
        `--engine openai needs the ${name}'s endpoint and model: --${name}-endpoint and --${name}-model (or --endpoint, or --config).`,
      );
    }
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`The ${name}'s endpoint "${url}" is not an http(s) URL (e.g. http://gpu-1:8000/v1).`);
    }
    // Fields: --request-json, then the role's config "request", then --<role>-request-json (the last wins).
    const own = config[name]?.request;
    const flag = flags[`${name}-request-json`];
    const request = mergeRequest(
      shared,
      own === undefined ? {} : requestFields(own, `"request" of "${name}" in --config`),
      flag === undefined ? {} : requestFields(flag, `--${name}-request-json`),
    );
    const kind = config[name]?.server ?? server;
    if (kind !== 'auto' && !isServerKind(kind)) {
      throw new UsageError(`"server" of "${name}" in --config must be one of auto, ${SERVER_KIND_IDS.join(', ')}.`);
    }
    return { url, model, server: kind, ...(Object.keys(request).length > 0 && { request }) };
  };
  const vlm = role('vlm');
  // The summary and the judge default to the VLM's endpoint and model (as in the browser tiers).
  const roles = { vlm, llm: role('llm', vlm), judge: role('judge', vlm) };
  let chosen: ReturnType<typeof keysFor>;
  try {
    chosen = keysFor(
      Object.values(roles).map((e) => e.url),
      {
        ...(flags['api-key-env'] && { keyEnv: flags['api-key-env'] }),
        allowInsecure: flags['allow-insecure-key'] ?? false,
      },
      process.env,
    );
  } catch (err) {
    throw err instanceof KeyRefusedError ? new UsageError(err.message) : err;
  }
  if (chosen.notice) process.stderr.write(`${chosen.notice}\n`);
  const withKey = (e: Endpoint): Endpoint => {
    const apiKey = chosen.keys.get(e.url);
    return apiKey ? { ...e, apiKey } : e;
  };
  return { vlm: withKey(roles.vlm), llm: withKey(roles.llm), judge: withKey(roles.judge) };
}
