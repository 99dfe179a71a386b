/**
 * The `caption` command's flags: their usage text, their parseArgs
 * options, and the CapFlow options they ask for.
 */
import { parseArgs } from 'node:util';
import { IMAGE_DOMAINS } from '../capflow/prompts';
import { isCaptionStyle } from '../capflow/styles';
import type { CapflowOptions } from '../shared/record';
import { IMAGE_FLAGS, IMAGE_USAGE } from './image-flags';
import { SERVER_KIND_IDS } from './server-kinds';
import { UsageError, oneOf, positiveInt } from './usage';

/** The options of `caption`, for the usage. */
export const CAPTION_USAGE = `caption options:
  --mode capflow|single-pass     the workflow (default capflow)
  --engine local|openai          this machine's CPU, or OpenAI-compatible endpoints (default local)
  --preset auto|tiny|balanced|quality  the local models, and the router's (default auto: the largest
                                 that fits this machine's memory; a named one that does not fit is refused)
  --allow-too-small              load a --preset that does not fit anyway
  --vlm, --llm, --router REPO    another model repo for a local role
  --models DIR                   a folder of model folders: work offline, nothing downloaded
  --model-host URL               a mirror of the model hub; --cache-dir DIR where downloads are kept
  --endpoint URL                 the endpoint of every role (e.g. http://gpu-1:8000/v1)
  --vlm-endpoint, --llm-endpoint, --judge-endpoint URL, --vlm-model, --llm-model, --judge-model NAME
  --config FILE                  endpoints as JSON: { "vlm": { "url", "model" }, "llm": …, "judge": … }
  --api-key-env NAME             send the API key in $NAME (without it: $OPENAI_API_KEY, to https endpoints only)
  --allow-insecure-key           let a key cross plain http to another machine (a trusted network only)
  --route local|vlm              route with the local CLIP model, or ask the VLM (default local; with --engine
                                 openai, vlm when the router is not in --cache-dir or --models)
  --server auto|${SERVER_KIND_IDS.join('|')}
                                 the serving engine, for its thinking switch and model names (default auto: detected)
  --request-json '{…}'           fields added to every request (e.g. '{"top_k":20}'); per role:
  --vlm-request-json, --llm-request-json, --judge-request-json '{…}' (or "request" per role in --config)
  --stream                       ask for streamed answers (for proxies that cut idle connections)
  --ocr local|vlm                the OCR agent: bundled PP-OCR on this CPU, or the VLM transcribing (openai engine; default local)
  --language L, --style detailed|short|alt, --judge-attempts N (0: no judge), --min-score 1-3
  --domain ID                    pin every image's domain (natural, ui, code, …): no routing
  --concurrency N                requests in flight per endpoint (default 8; local engine: images at once, default 1)
  --timeout S, --retries N       per-request timeout (default 300 s) and tries (default 6)
  --wait-ready DURATION          wait for each endpoint to answer before the run, and for a paused one (default 10m; 0: no wait)
  --max-consecutive-failures N   pause an endpoint after N requests in a row failed every try and probe it until it is back
                                 (default 5); not back within --wait-ready: the run stops, exit code 75, untried images unrecorded
${IMAGE_USAGE}
  --shard i/n|auto               caption only this machine's share (merge the outputs afterwards); auto: the
                                 Slurm array task's, or the Kubernetes Indexed Job pod's with --shards N
  --sidecars                     also write a .txt beside each image
  --retry-failed                 caption again the images whose last record is a failure`;

export const CAPTION_FLAGS = {
  out: { type: 'string' },
  mode: { type: 'string' },
  engine: { type: 'string' },
  preset: { type: 'string' },
  'allow-too-small': { type: 'boolean' },
  vlm: { type: 'string' },
  llm: { type: 'string' },
  router: { type: 'string' },
  models: { type: 'string' },
  'model-host': { type: 'string' },
  'cache-dir': { type: 'string' },
  endpoint: { type: 'string' },
  'vlm-endpoint': { type: 'string' },
  'llm-endpoint': { type: 'string' },
  'judge-endpoint': { type: 'string' },
  'vlm-model': { type: 'string' },
  'llm-model': { type: 'string' },
  'judge-model': { type: 'string' },
  config: { type: 'string' },
  'api-key-env': { type: 'string' },
  'allow-insecure-key': { type: 'boolean' },
  server: { type: 'string' },
  'request-json': { type: 'string' },
  'vlm-request-json': { type: 'string' },
  'llm-request-json': { type: 'string' },
  'judge-request-json': { type: 'string' },
  stream: { type: 'boolean' },
  route: { type: 'string' },
  ocr: { type: 'string' },
  language: { type: 'string' },
  domain: { type: 'string' },
  style: { type: 'string' },
  'judge-attempts': { type: 'string' },
  'min-score': { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  ...IMAGE_FLAGS,
  'wait-ready': { type: 'string' },
  'max-consecutive-failures': { type: 'string' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  sidecars: { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
} as const;

export type CaptionFlags = ReturnType<
  typeof parseArgs<{ options: typeof CAPTION_FLAGS; allowPositionals: true }>
>['values'];

/** The caption options the flags ask for. */
export function captionOptions(flags: CaptionFlags): CapflowOptions {
  const mode = oneOf(flags.mode, '--mode', ['capflow', 'single-pass'] as const, 'capflow');
  const style = flags.style ?? 'detailed';
  if (!isCaptionStyle(style)) throw new UsageError(`--style must be detailed, short or alt; got "${style}".`);
  const attempts = positiveInt(flags['judge-attempts'], '--judge-attempts', mode === 'capflow' ? 1 : 0, 0);
  const minScore = flags['min-score'] === undefined ? undefined : positiveInt(flags['min-score'], '--min-score', 3);
  if (minScore !== undefined && minScore > 3) throw new UsageError(`--min-score must be 1, 2 or 3; got ${minScore}.`);
  const domain = flags.domain === undefined ? undefined : oneOf(flags.domain, '--domain', IMAGE_DOMAINS, 'natural');
  return {
    mode,
    style,
    ...(domain && { domain }),
    language: flags.language ?? 'English',
    judge: attempts === 0 ? null : { attempts, ...(minScore !== undefined && { minScore }) },
  };
}

/** Flags that shape requests to endpoints: meaningless, so refused, with `--engine local`. */
const OPENAI_ONLY = Object.freeze([
  'endpoint',
  'vlm-endpoint',
  'llm-endpoint',
  'judge-endpoint',
  'vlm-model',
  'llm-model',
  'judge-model',
  'config',
  'api-key-env',
  'allow-insecure-key',
  'server',
  'request-json',
  'vlm-request-json',
  'llm-request-json',
  'judge-request-json',
  'stream',
  'wait-ready',
  'max-consecutive-failures',
  'timeout',
  'retries',
] as const satisfies readonly (keyof CaptionFlags)[]);

/** A usage error for a flag of the openai engine given to a local run (it would be ignored without a word). */
export function checkEngineFlags(flags: CaptionFlags, engine: 'local' | 'openai'): void {
  if (engine !== 'local') return;
  const given = OPENAI_ONLY.find((flag) => flags[flag] !== undefined);
  if (given) {
    throw new UsageError(`--${given} applies to --engine openai (requests to endpoints); this run is --engine local.`);
  }
  if (flags.ocr === 'vlm') {
    throw new UsageError('--ocr vlm applies to --engine openai; the local engine reads text with the bundled PP-OCR.');
  }
}
