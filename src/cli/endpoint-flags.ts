/**
 * The endpoints of `--engine openai` (and of `check`) from the command
 * line: each role's URL and model from its own flags, the `--config` file
 * or `--endpoint`, the summary and judge defaulting to the VLM's; each with
 * the API key the rules of keys.ts allow, said once on stderr.
 */
import { readFile } from 'node:fs/promises';
import { KeyRefusedError, keysFor } from './keys';
import type { Endpoint } from './openai-client';
import { UsageError } from './usage';

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
}

/** One role's endpoint from the flags, the config file, or `--endpoint`; each with the key the rules allow (keys.ts). */
export async function endpoints(flags: EndpointFlags): Promise<{ vlm: Endpoint; llm: Endpoint; judge: Endpoint }> {
  const config = flags.config
    ? (JSON.parse(await readFile(flags.config, 'utf8')) as Partial<Record<'vlm' | 'llm' | 'judge', Partial<Endpoint>>>)
    : {};
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
    return { url, model };
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
