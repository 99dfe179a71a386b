/**
 * `metacaptioner`: the CapFlow workflow of the app, run from a terminal over
 * folders of images — on this machine's CPU (`--engine local`, the app's
 * presets on onnxruntime-node) or against OpenAI-compatible serving
 * engines (`--engine openai`: vLLM, SGLang, TGI, llama.cpp, Ollama) — with
 * resumable output, sharding across machines, `merge` and `export`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IMAGE_DOMAINS } from '../capflow/prompts';
import { isCaptionStyle } from '../capflow/styles';
import { PRESETS, requirePresetId } from '../shared/presets';
import type { CapflowOptions } from '../shared/record';
import { sidecarNames } from '../session/exports';
import { type RoleOverrides, applyOverride, resolveRoles } from '../shared/roles';
import { runCaptions } from './caption';
import { type Engine, type ModelPlace, localEngine, openAiEngine } from './engines';
import { EXPORT_FORMATS, type ExportFormat, exportBytes, writeSidecars } from './export';
import { printable } from './file-words';
import { IMAGE_FLAGS, IMAGE_USAGE, imageFitOf } from './image-flags';
import { serverKindFormats } from './image-requests';
import { imageSummary } from './image-stats';
import { listInputs } from './inputs';
import { mergeProblems, mergeRunLogs } from './merge';
import { chooseRoute } from './offline-route';
import { checkCommand, versionCommand } from './check-command';
import { endpoints } from './endpoint-flags';
import { UsageError, duration, oneOf, positiveInt } from './usage';
import { type Endpoint, answerNotes, emptyStats, prepareEndpoints } from './openai-client';
import { SERVER_KIND_IDS } from './server-kinds';
import { createProgress } from './progress';
import { NotReadyError } from './readiness';
import { type Resilience, resilience } from './resilience';
import { OutputError, checkOutput, writeOutput } from './outputs';
import { DEFAULT_RETRY } from './retry';
import { RunLogError, readRunLog } from './run-log';
import { chosenShard, inShard } from './shard';

const USAGE = `Usage:
  metacaptioner caption <folders, files or globs…> --out captions.jsonl [options]
  metacaptioner merge <shard outputs…> --out all.jsonl [--inputs <folders, files or globs…>]
  metacaptioner export <captions.jsonl> --format ${EXPORT_FORMATS.join('|')} [--out file]
  metacaptioner check <endpoint options> [--image FILE]   one image through every role: answers, tokens, latency
  metacaptioner --version

caption options:
  --mode capflow|single-pass     the workflow (default capflow)
  --engine local|openai          this machine's CPU, or OpenAI-compatible endpoints (default local)
  --preset tiny|balanced|quality the local models, and the router's (default balanced)
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

type CaptionFlags = ReturnType<typeof parseArgs<{ options: typeof CAPTION_FLAGS; allowPositionals: true }>>['values'];

/** The caption options the flags ask for. */
function captionOptions(flags: CaptionFlags): CapflowOptions {
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

async function caption(args: readonly string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: [...args], options: CAPTION_FLAGS, allowPositionals: true });
  if (!flags.out) throw new UsageError('caption needs --out FILE (the JSONL the records are appended to).');
  if (positionals.length === 0) throw new UsageError('caption needs folders, files or globs of images.');
  const options = captionOptions(flags);
  const engineKind = oneOf(flags.engine, '--engine', ['local', 'openai'] as const, 'local');
  const routeFlag =
    flags.route === undefined ? undefined : oneOf(flags.route, '--route', ['local', 'vlm'] as const, 'local');
  const sharding = chosenShard(
    flags.shard,
    flags.shards === undefined ? undefined : positiveInt(flags.shards, '--shards', 1),
    process.env,
  );
  const shard = sharding?.shard ?? null;
  const fit = imageFitOf(flags, engineKind, (m) => new UsageError(m));
  const { files: all, duplicates } = await listInputs(positionals);
  const files = shard ? all.filter((f) => inShard(f, shard)) : all;
  if (sharding) {
    const { index, count } = sharding.shard;
    process.stderr.write(`Shard ${index}/${count} (${sharding.from}): ${files.length} of ${all.length} images.\n`);
  }
  // Before any model loads: the output is no input, and it is a run log (a half-written last line repaired).
  await checkOutput(flags.out, all);
  await readRunLog(flags.out, true).catch((err: unknown) => {
    throw err instanceof RunLogError
      ? new OutputError(`--out: ${err.message} Choose a new file, or the output of an earlier run to resume it.`)
      : err;
  });
  if (flags.sidecars) {
    const inputs = new Set(all);
    const clash = sidecarNames(files).find((name) => inputs.has(name));
    if (clash) throw new OutputError(`--sidecars would write "${clash}", which is one of the inputs: rename it first.`);
  }
  if (duplicates.length) {
    const shown = duplicates.slice(0, 5).map((d) => `${printable(d.path)} → ${printable(d.sameAs)}`);
    process.stderr.write(
      `${duplicates.length} path${duplicates.length === 1 ? ' leads' : 's lead'} to a file listed already (symbolic links); ` +
        `each file is captioned once: ${shown.join(', ')}${duplicates.length > 5 ? ', …' : ''}.\n`,
    );
  }
  const preset = PRESETS[requirePresetId(flags.preset ?? 'balanced')];
  const overrides: RoleOverrides = Object.fromEntries(
    (['vlm', 'llm', 'router'] as const).flatMap((r) => (flags[r] ? [[r, { kind: 'repo', repo: flags[r] }]] : [])),
  );
  const place: ModelPlace = {
    cacheDir: flags['cache-dir'] ?? join(homedir(), '.cache', 'metacaptioner'),
    ...(flags.models && { modelsDir: flags.models }),
    ...(flags['model-host'] && { host: flags['model-host'] }),
  };
  // A pinned domain needs no routing; `--route vlm` asks the VLM instead of loading CLIP (the default with
  // --engine openai when CLIP is not on disk: offline-route.ts).
  const { route, notice: routeNotice } = await chooseRoute({
    ...(routeFlag && { flag: routeFlag }),
    engine: engineKind,
    routerNamed: flags.router !== undefined,
    pinned: options.domain !== undefined,
    router: applyOverride(preset.router, overrides.router),
    place,
  });
  if (routeNotice) process.stderr.write(`${routeNotice}\n`);
  const needsRouter = route === 'local' && !options.domain;
  const resolved = resolveRoles(preset, overrides, ['vlm', 'llm', ...(needsRouter ? (['router'] as const) : [])]);
  const specOf = (role: string) => resolved.find((r) => r.role === role && !r.sharedWith)?.spec ?? null;
  const abort = new AbortController();
  const stop = () => {
    process.stderr.write('\nStopping: images in progress are dropped and done on the next run.\n');
    abort.abort(new Error('stopped'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const stats = emptyStats();
  const progress = createProgress();
  let guard: Resilience | null = null;
  let engine: Engine | null = null;
  try {
    let parallel: number;
    if (engineKind === 'local') {
      const vlm = specOf('vlm');
      if (!vlm) throw new Error('the preset has no VLM');
      engine = await localEngine({ vlm, llm: specOf('llm'), router: specOf('router') }, place);
      parallel = positiveInt(flags.concurrency, '--concurrency', 1);
    } else {
      const concurrency = positiveInt(flags.concurrency, '--concurrency', 8);
      const router = specOf('router');
      const roles = await endpoints(flags);
      const timeoutMs = positiveInt(flags.timeout, '--timeout', 300) * 1000;
      guard = resilience({
        retry: { ...DEFAULT_RETRY, attempts: positiveInt(flags.retries, '--retries', DEFAULT_RETRY.attempts) },
        waitReadyMs: duration(flags['wait-ready'], '--wait-ready', '10m'),
        maxFailures: positiveInt(flags['max-consecutive-failures'], '--max-consecutive-failures', 5),
        timeoutMs,
        note: (line) => progress.note(line),
        signal: abort.signal,
      });
      // Before anything loads: a server still starting or loading its model is waited for, not failed on; each
      // endpoint is found once it answers (its /v1 base, server kind and model), each finding said once.
      const said = new Set<string>();
      const notice = (line: string) => void (said.has(line) || (said.add(line), process.stderr.write(`${line}\n`)));
      let found: (endpoint: Endpoint) => Endpoint;
      try {
        found = await guard.waitAllReady([roles.vlm, roles.llm, roles.judge], async (e) =>
          (await prepareEndpoints([e], { notice }))(e),
        );
      } catch (err) {
        if (abort.signal.aborted) return 130;
        if (!(err instanceof NotReadyError)) throw err;
        // Not ready yet is temporary: the same exit code as a run stopped by an endpoint that went away.
        process.stderr.write(`${printable(`${err.name}: ${err.message}`)}\n`);
        return 75;
      }
      engine = await openAiEngine(
        {
          vlm: found(roles.vlm),
          llm: found(roles.llm),
          judge: found(roles.judge),
          prepared: true,
          concurrency,
          timeoutMs,
          retry: guard.retry,
          breakers: guard.breakers,
          stats,
          images: fit,
          // The formats the server kind decodes, unless the user named them (--image-formats wins).
          ...(flags['image-formats'] === undefined && { imageFormats: serverKindFormats }),
          ocr: oneOf(flags.ocr, '--ocr', ['local', 'vlm'] as const, 'local'),
          signal: abort.signal,
          stream: flags.stream ?? false,
        },
        router ? { spec: router, place } : null,
      );
      // Twice as many images as request slots, so every endpoint always has work queued.
      parallel = concurrency * 2;
    }
    const summary = await runCaptions({
      files,
      out: flags.out,
      options,
      engine,
      parallel,
      sidecars: flags.sidecars ?? false,
      ...(shard && { shard: `${shard.index}/${shard.count}` }),
      retryFailed: flags['retry-failed'] ?? false,
      progress,
      signal: abort.signal,
    });
    const rate = summary.done / Math.max(summary.seconds, 0.001);
    const failures = Object.entries(summary.failures)
      .map(([why, n]) => `${why} ${n}`)
      .join(', ');
    const retries = Object.entries(stats.retries)
      .map(([why, n]) => `${why} ${n}`)
      .join(', ');
    const lines = [
      `Captioned ${summary.done} images in ${summary.seconds.toFixed(1)} s (${rate.toFixed(2)} images/s)` +
        `${summary.failed ? `; ${summary.failed} failed: ${failures}` : ''}` +
        `${summary.skipped ? `; ${summary.skipped} already in ${flags.out}, skipped` : ''}.`,
      engineKind === 'openai'
        ? `Requests: ${stats.requests}${retries ? ` (retried: ${retries})` : ''}; tokens: ${stats.noUsage && !stats.completionTokens ? 'not reported' : `${stats.promptTokens} prompt, ${stats.completionTokens} generated`}; most in flight: ${Object.entries(
            engine?.maxInFlight() ?? {},
          )
            .map(([url, n]) => `${n} at ${url}`)
            .join(', ')}.`
        : `Tokens generated: ${summary.generatedTokens}.`,
      ...imageSummary(stats.images, fit),
      // What the run decided on its own, again where a long run's user looks: the end.
      ...(routeNotice ? ['Routing: the VLM chose each domain (--route vlm): the router was not on disk.'] : []),
      ...(sharding ? [`Shard ${sharding.shard.index}/${sharding.shard.count} (${sharding.from}).`] : []),
      ...(engineKind === 'openai' ? answerNotes(stats) : []),
      ...(guard?.summaryLines(summary, flags.out) ?? []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (abort.signal.aborted) return 130;
    // EX_TEMPFAIL (sysexits.h): a temporary failure, worth running again; schedulers can requeue on it.
    if (summary.stoppedBy) return 75;
    return summary.failed ? 3 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await engine?.dispose();
  }
}

/** `check`: one image through every role of the endpoints the flags name (check-command.ts). */
function check(args: readonly string[]): Promise<number> {
  const { values: flags } = parseArgs({ args: [...args], options: { ...CAPTION_FLAGS, image: { type: 'string' } } });
  return checkCommand(flags, () => endpoints(flags));
}

async function merge(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, inputs: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  if (!values.out || positionals.length === 0) throw new UsageError('merge needs the outputs to merge and --out FILE.');
  await checkOutput(values.out, positionals);
  const logs = await Promise.all(positionals.map(async (path) => ({ path, lines: await readRunLog(path) })));
  const merged = mergeRunLogs(logs, values.inputs ? (await listInputs(values.inputs)).files : undefined);
  const problems = mergeProblems(merged);
  if (problems.length) {
    process.stderr.write(`Not merged:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  await writeOutput(values.out, merged.lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const failed = merged.lines.filter((l) => !l.ok).length;
  process.stdout.write(
    `Merged ${merged.lines.length} images (${failed} failures) from ${logs.length} files into ${values.out}.\n`,
  );
  return 0;
}

async function exportRun(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, format: { type: 'string' } },
    allowPositionals: true,
  });
  const [input] = positionals;
  if (!input) throw new UsageError('export needs the JSONL of a run.');
  const format: ExportFormat = oneOf(values.format, '--format', EXPORT_FORMATS, 'jsonl');
  if (values.out) await checkOutput(values.out, [input]);
  const lines = await readRunLog(input);
  if (format === 'sidecars') {
    process.stdout.write(`Wrote ${await writeSidecars(lines)} sidecar files.\n`);
    return 0;
  }
  const bytes = exportBytes(lines, format);
  if (values.out) await writeOutput(values.out, bytes);
  else process.stdout.write(bytes);
  return 0;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'caption':
        return await caption(rest);
      case 'merge':
        return await merge(rest);
      case 'export':
        return await exportRun(rest);
      case 'check':
        return await check(rest);
      case '--version':
      case '-V':
      case 'version':
        return versionCommand();
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`"${command}" is not a command.`);
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${printable(err instanceof Error ? `${err.name}: ${err.message}` : String(err))}\n`);
    if (usage) process.stderr.write(`\n${USAGE}\n`);
    return usage ? 2 : 1;
  }
}
