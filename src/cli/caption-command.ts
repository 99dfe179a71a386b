/**
 * `metacaptioner caption`: lists the inputs (this machine's shard of them),
 * checks the output before anything loads, loads the engine (local models,
 * or the endpoints once they are found and ready), runs the images and
 * prints the summary.
 */
import { homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sidecarNames } from '../session/exports';
import { choosePreset } from './preset-choice';
import { type RoleOverrides, applyOverride, resolveRoles } from '../shared/roles';
import { runCaptions } from './caption';
import { CAPTION_FLAGS, captionOptions, checkEngineFlags } from './caption-flags';
import { endpoints } from './endpoint-flags';
import { type Engine, type ModelPlace, localEngine, openAiEngine } from './engines';
import { printable } from './file-words';
import { imageFitOf } from './image-flags';
import { serverKindFormats } from './image-requests';
import { imageSummary } from './image-stats';
import { listInputs } from './inputs';
import { chooseRoute } from './offline-route';
import { type Endpoint, answerNotes, emptyStats, prepareEndpoints } from './openai-client';
import { OutputError, checkOutput } from './outputs';
import { createProgress } from './progress';
import { NotReadyError } from './readiness';
import { type Resilience, resilience } from './resilience';
import { DEFAULT_RETRY } from './retry';
import { RunLogError, readRunLog } from './run-log';
import { chosenShard, inShard } from './shard';
import { UsageError, duration, oneOf, positiveInt } from './usage';

/** Runs `caption` with its arguments; resolves with the exit code. */
export async function caption(args: readonly string[]): Promise<number> {
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
  checkEngineFlags(flags, engineKind);
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
  const { preset, line: presetLine } = choosePreset(flags.preset ?? 'auto', {
    engine: engineKind,
    vlmOverridden: flags.vlm !== undefined,
    totalMemory: totalmem(),
    allowTooSmall: flags['allow-too-small'] === true,
  });
  if (presetLine) process.stderr.write(`${presetLine}\n`);
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
