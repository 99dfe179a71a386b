/**
 * The CLI against a server that is still loading, one that dies mid-run and
 * one that comes back (issue 26, item 4; retries visible, item 8): a light
 * scripted server (test/support/scripted-openai.ts, no models) and the real
 * engine, runner, readiness wait and breakers in this process, on a fake
 * clock — backoff and polling advance the clock instead of waiting, so no
 * test waits on wall time. One test drives `main` with the flags.
 */
import { getEventListeners } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runCaptions } from '../../src/cli/caption';
import { openAiEngine } from '../../src/cli/engines';
import { runCli } from '../support/in-process-cli';
import { type Endpoint, emptyStats, prepareEndpoints } from '../../src/cli/openai-client';
import type { Progress } from '../../src/cli/progress';
import { resilience } from '../../src/cli/resilience';
import { DEFAULT_RETRY, sleep as realSleep } from '../../src/cli/retry';
import type { RunLine } from '../../src/cli/run-log';
import type { CapflowOptions } from '../../src/shared/record';
import { SCRIPTED_CAPTION, type ScriptedServer, startScriptedServer } from '../support/scripted-openai';
import { solidPng } from '../support/png';

const MODEL = 'scripted/vlm';
const SINGLE_PASS: CapflowOptions = { mode: 'single-pass', domain: 'natural', style: 'detailed', judge: null };

let work: string;
let files: string[];
let server: ScriptedServer | null = null;
let outCount = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mc-resilience-'));
  mkdirSync(join(work, 'imgs'));
  files = Array.from({ length: 10 }, (_, i) => {
    const path = join(work, 'imgs', `${String(i).padStart(2, '0')}.png`);
    writeFileSync(path, solidPng(20 * i, 100, 200 - 10 * i));
    return path;
  });
});

afterEach(async () => {
  await server?.close();
  server = null;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A clock that moves only when something sleeps on it: backoff and polling cost no wall time. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

const lines = (out: string): RunLine[] =>
  readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLine);

/** A progress that keeps what it was told, in order. */
function recordingProgress(events: string[]): Progress {
  return {
    start: (n, skipped) => events.push(`start ${n} ${skipped}`),
    image: (file, o) => events.push(`${o.ok ? 'ok' : 'FAILED'} ${file}`),
    stop: () => events.push('stop'),
    note: (line) => events.push(line),
  };
}

/** One run as `metacaptioner caption --engine openai` wires it, on the fake clock. */
async function run(options: {
  readonly out: string;
  readonly maxFailures: number;
  readonly attempts: number;
  readonly waitReadyMs: number;
  readonly retryFailed?: boolean;
  /**
   * Requests in flight (default 2; twice as many images). 1 makes the count of failures in a row exact: with
   * two in flight, an answer that lands between two failures rightly restarts the count.
   */
  readonly concurrency?: number;
}) {
  if (!server) throw new Error('no server');
  const events: string[] = [];
  const clock = fakeClock();
  const guard = resilience({
    retry: { ...DEFAULT_RETRY, attempts: options.attempts, random: () => 1, sleep: clock.sleep },
    waitReadyMs: options.waitReadyMs,
    maxFailures: options.maxFailures,
    timeoutMs: 10_000,
    note: (line) => events.push(line),
    now: clock.now,
    sleep: clock.sleep,
  });
  const endpoint: Endpoint = { url: server.url, model: MODEL };
  const found = await guard.waitAllReady([endpoint, endpoint, endpoint], async (e) =>
    (await prepareEndpoints([e], { notice: (line) => events.push(line) }))(e),
  );
  const stats = emptyStats();
  const engine = await openAiEngine(
    {
      vlm: found(endpoint),
      llm: found(endpoint),
      judge: found(endpoint),
      prepared: true,
      concurrency: options.concurrency ?? 2,
      timeoutMs: 10_000,
      retry: guard.retry,
      breakers: guard.breakers,
      stats,
      ocr: 'vlm',
    },
    null,
  );
  const summary = await runCaptions({
    files,
    out: options.out,
    options: SINGLE_PASS,
    engine,
    parallel: 2 * (options.concurrency ?? 2),
    sidecars: false,
    retryFailed: options.retryFailed ?? false,
    progress: recordingProgress(events),
    now: clock.now,
  });
  await engine.dispose();
  return { summary, events, said: guard.summaryLines(summary, options.out), stats };
}

const newOut = () => join(work, `out-${++outCount}.jsonl`);
const captionRequests = () => server?.log.filter((l) => !l.request.probe) ?? [];

describe('a server still loading its model', () => {
  test('is waited for, with progress, and then every image is captioned', async () => {
    // llama.cpp answers 503 "Loading model" to chat while /v1/models already lists the model.
    server = await startScriptedServer(MODEL, (r) => (r.n <= 3 ? 'loading' : 'ok'));
    const out = newOut();
    const { summary, events } = await run({ out, maxFailures: 5, attempts: 3, waitReadyMs: 600_000 });
    const waits = events.filter((e) => e.startsWith('waiting for'));
    expect(waits).toEqual([
      `waiting for ${server.url} to load the model: 0s of 10m, last answer HTTP 503 Loading model`,
      `waiting for ${server.url} to load the model: 1s of 10m, last answer HTTP 503 Loading model`,
      `waiting for ${server.url} to load the model: 3s of 10m, last answer HTTP 503 Loading model`,
    ]);
    expect(events).toContain(`${server.url} is ready (answered after 7s)`);
    // The three roles share one endpoint and model: one probe sequence, not three.
    expect(server.log.filter((l) => l.request.probe)).toHaveLength(4);
    expect(summary).toMatchObject({ done: 10, failed: 0, notTried: 0, stoppedBy: null });
    expect(lines(out).every((l) => l.ok && l.record.caption === SCRIPTED_CAPTION)).toBe(true);
  });

  test('that never finishes stops the run before any image, naming the endpoint, the wait and the way out', async () => {
    server = await startScriptedServer(MODEL, () => 'loading');
    const out = newOut();
    await expect(run({ out, maxFailures: 5, attempts: 3, waitReadyMs: 30_000 })).rejects.toThrow(
      `${server.url} was not ready after 30s (last answer: HTTP 503 Loading model). ` +
        'Check that the server is running and has loaded its model, or wait longer with --wait-ready (e.g. 30m).',
    );
    expect(captionRequests()).toHaveLength(0);
  });

  test('a refusal that waiting will not change (401, an unknown model) fails at once with its reason', async () => {
    server = await startScriptedServer(MODEL, () => 'unauthorized');
    await expect(run({ out: newOut(), maxFailures: 5, attempts: 3, waitReadyMs: 600_000 })).rejects.toThrow(
      `${server.url} refused a one-token completion for "${MODEL}": HTTP 401 Unauthorized. Check the API key`,
    );
    expect(server.log).toHaveLength(1);
    server.script = () => 'no-model';
    server.log.length = 0;
    await expect(run({ out: newOut(), maxFailures: 5, attempts: 3, waitReadyMs: 600_000 })).rejects.toThrow(
      `HTTP 404 The model \`${MODEL}\` does not exist.. Check the model name ("${MODEL}")`,
    );
    expect(server.log).toHaveLength(1);
  });
});

describe('a server that dies mid-run', () => {
  test('stops the run after N failures in a row; untried images get no record; a rerun completes them once', async () => {
    let answered = 0;
    // Three captions, then every connection (probes too) is dropped.
    server = await startScriptedServer(MODEL, (r) =>
      (r.probe && answered === 0) || (!r.probe && ++answered <= 3) ? 'ok' : 'drop',
    );
    const out = newOut();
    const first = await run({ out, maxFailures: 2, attempts: 2, waitReadyMs: 60_000, concurrency: 1 });
    // One failure is a failure record; the second in a row pauses the endpoint, and the wait runs out.
    expect(first.summary).toMatchObject({ done: 3, failed: 1, notTried: 6 });
    expect(first.summary.stoppedBy?.name).toBe('EndpointDownError');
    const written = lines(out);
    expect(written).toHaveLength(4);
    expect(written.filter((l) => !l.ok)).toMatchObject([
      { error: { name: 'RetriesExhaustedError', reason: 'connection' } },
    ]);
    expect(first.events.some((e) => e.startsWith(`pausing ${server?.url}: 2 requests in a row failed every try`))).toBe(
      true,
    );
    expect(
      first.events.some((e) =>
        e.startsWith(
          `giving up: ${server?.url} stopped answering and was still not answering after 1m (last answer: other side closed)`,
        ),
      ),
    ).toBe(true);
    expect(first.said.join('\n')).toContain(
      `6 images were not tried and have no record in ${out}: run the same command again once the server is back ` +
        'to caption them (add --retry-failed to retry the 1 that failed too).',
    );

    // The server is back: the rerun captions the untried images and the failed one, each once.
    server.script = () => 'ok';
    server.log.length = 0;
    const second = await run({ out, maxFailures: 2, attempts: 2, waitReadyMs: 60_000, retryFailed: true });
    expect(second.summary).toMatchObject({ done: 7, failed: 0, skipped: 3, notTried: 0, stoppedBy: null });
    expect(captionRequests()).toHaveLength(7);
    const okPerFile = new Map<string, number>();
    for (const l of lines(out)) if (l.ok) okPerFile.set(l.file, (okPerFile.get(l.file) ?? 0) + 1);
    expect([...okPerFile.keys()].sort()).toEqual(files);
    expect([...okPerFile.values()].every((n) => n === 1)).toBe(true);
  });

  test('that comes back: the endpoint is paused, probed, resumed, and the held images are captioned, not failed', async () => {
    let answered = 0;
    let probesWhileDown = 0;
    let phase: 'up' | 'down' | 'back' = 'up';
    server = await startScriptedServer(MODEL, (r) => {
      if (phase === 'up' && !r.probe && ++answered > 3) phase = 'down';
      if (phase !== 'down') return 'ok';
      // The second probe while down finds it back.
      if (r.probe && ++probesWhileDown >= 2) {
        phase = 'back';
        return 'ok';
      }
      return 'drop';
    });
    const out = newOut();
    const { summary, events, said } = await run({
      out,
      maxFailures: 3,
      attempts: 2,
      waitReadyMs: 600_000,
      concurrency: 1,
    });
    // Two failures in a row are failure records; the third pauses; everything held goes through after.
    expect(summary).toMatchObject({ done: 8, failed: 2, notTried: 0, stoppedBy: null });
    expect(lines(out)).toHaveLength(10);
    const pause = events.findIndex((e) => e.startsWith(`pausing ${server?.url}: 3 requests in a row failed every try`));
    const back = events.findIndex(
      (e) =>
        e.startsWith(`${server?.url} answers again after `) && /s: resuming, the \d+ held requests? first$/.test(e),
    );
    expect(pause).toBeGreaterThan(-1);
    expect(back).toBeGreaterThan(pause);
    // Only the two failures before the pause are failures (their records may be written after the pause
    // began, so the order of the lines is not the point): every request held through it succeeded.
    expect(events.filter((e) => e.startsWith('FAILED'))).toHaveLength(2);
    // The summary keeps it (the fake clock moves with every sleep of the run, so the length is not fixed here).
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      new RegExp(
        `^Paused ${server.url} after 3 failures in a row \\(${server.url}/chat/completions: other side closed\\); it answered again after \\d+s\\.$`,
      ),
    );
  });
});

describe('retries as they happen', () => {
  test('each retry is a line when it happens, before the image it belongs to is done', async () => {
    // The first three caption requests are refused (503), the rest answered. Which image meets them depends
    // on the order requests come in, so one image may meet two or three (tries 2 to 4, waits 0.5 to 2 s).
    let refused = 0;
    server = await startScriptedServer(MODEL, (r) => (!r.probe && ++refused <= 3 ? 'loading' : 'ok'));
    const out = newOut();
    const { events, stats, summary } = await run({ out, maxFailures: 5, attempts: 4, waitReadyMs: 0 });
    const retries = events.filter((e) => e.startsWith('retry '));
    expect(retries).toHaveLength(3);
    for (const line of retries) {
      expect(line).toMatch(
        new RegExp(
          `^retry [234] of 4 in (500 ms|1\\.0 s|2\\.0 s): ${server.url}/chat/completions answered HTTP 503 \\(server-error\\)$`,
        ),
      );
    }
    // Said when it happened: before any image was done.
    expect(events.indexOf(retries[0] ?? '')).toBeLessThan(events.findIndex((e) => e.startsWith('ok ')));
    expect(stats.retries).toEqual({ 'server-error': 3 });
    expect(summary).toMatchObject({ done: 10, failed: 0 });
  });

  test('no abort-listener pile-up on the run signal: one listener however many requests wait in backoff', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const abort = new AbortController();
    let most = 0;
    try {
      // Sixteen requests in backoff at once on one run signal: the count the rerun met.
      const sleeps = Array.from({ length: 16 }, () => realSleep(60_000, abort.signal).catch(() => 'stopped'));
      most = getEventListeners(abort.signal, 'abort').length;
      abort.abort(new Error('stopped'));
      expect(await Promise.all(sleeps)).toEqual(Array(16).fill('stopped'));
      // A warning is emitted on the next tick: give it that tick (an event, not a wait on time).
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(most).toBe(1);
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  });
});

describe('the flags', () => {
  /** Runs the CLI in this process; returns its exit code and what it printed. */
  const cli = (...args: string[]) => runCli(args);

  test('--max-consecutive-failures and --wait-ready: a dead server stops the run (exit 75), the rerun finishes it', async () => {
    let answered = 0;
    server = await startScriptedServer(MODEL, (r) =>
      (r.probe && answered === 0) || (!r.probe && ++answered <= 2) ? 'ok' : 'drop',
    );
    const out = newOut();
    // --retries 1 and --wait-ready 0: no backoff and a single probe, so no wall time is spent waiting.
    const args = [
      'caption',
      join(work, 'imgs'),
      '--out',
      out,
      '--engine',
      'openai',
      '--endpoint',
      server.url,
      '--vlm-model',
      MODEL,
      '--mode',
      'single-pass',
      '--judge-attempts',
      '0',
      '--domain',
      'natural',
      '--ocr',
      'vlm',
      '--concurrency',
      '1',
      '--retries',
      '1',
      '--max-consecutive-failures',
      '3',
      '--wait-ready',
      '0',
    ];
    const first = await cli(...args);
    expect(first.code).toBe(75);
    expect(first.err).toContain(`pausing ${server.url}: 3 requests in a row failed every try`);
    expect(first.err).toContain(`giving up: ${server.url} stopped answering`);
    expect(first.out).toContain('Stopped early: ');
    expect(first.out).toMatch(/6 images were not tried and have no record in .*: run the same command again/);
    expect(lines(out).filter((l) => l.ok)).toHaveLength(2);
    expect(lines(out).filter((l) => !l.ok)).toHaveLength(2);

    server.script = () => 'ok';
    const second = await cli(...args, '--retry-failed');
    expect(second.code).toBe(0);
    expect(second.out).toContain('Captioned 8 images');
    expect(
      new Set(
        lines(out)
          .filter((l) => l.ok)
          .map((l) => l.file),
      ).size,
    ).toBe(10);

    // A server still loading when the wait ends: exit 75 before any image, nothing written.
    server.script = () => 'loading';
    const before = lines(out).length;
    const loading = await cli(...args, '--retry-failed');
    expect(loading.code).toBe(75);
    expect(loading.err).toContain(
      `NotReadyError: ${server.url} was not ready after 0s (last answer: HTTP 503 Loading model).`,
    );
    expect(lines(out)).toHaveLength(before);

    const bad = await cli(...args, '--wait-ready', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--wait-ready must be a duration such as 90s, 10m or 1h30m');
  });
});
