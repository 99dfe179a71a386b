/**
 * Figure 2: the weight cache. Time to ready (worker start, load, session,
 * one token) of a heavy forge model: cold from a local HTTP server into our
 * IndexedDB cache, warm from that cache (every chunk's SHA-256 checked as
 * it streams), and warm from transformers.js's default Cache API path, each
 * in a fresh worker, the two warm paths alternating. The verdict row is a
 * model under the Cache API's 256 MiB limit on one body, which both keep;
 * full runs add one over it, labelled as what it is (no verdict).
 */
import { type Remote, wrap } from 'comlink';
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import type { ModelSpec } from '../../src/shared/model-spec';
import type { Preset } from '../../src/shared/presets';
import { TINY_PRESET } from '../../test/fixtures/specs';
import { forgeSpec } from '../forge-spec';
import { type BenchRow, noteRow, ratioRow, roundsRow, withoutVerdict } from '../rows';
import { alternate, median, peakDuring, record, residentBytes, settings, size, timed } from '../support';
import type { RawLlmApi } from '../workers/raw-llm.worker';

const heavy = inject('heavy');
const source = { kind: 'host', host: heavy.host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const device = settings.device;
const FIGURE = '2 weight cache';

/** A heavy forge model: its repo and ballast bytes. */
interface HeavyModel {
  readonly repo: string;
  readonly bytes: number;
}

/** The model spec of a heavy forge model. */
function spec(model: HeavyModel): ModelSpec {
  return forgeSpec('qwen3', model.repo, model.bytes);
}

/**
 * A load of the model in a fresh captioner; ms to ready. Timed on the page
 * from creating the captioner (its worker starts) to the first token, as
 * the Cache API side is: both include the worker's start.
 */
async function engineLoad(model: HeavyModel, expectFromCache: boolean): Promise<number> {
  const preset: Preset = { ...TINY_PRESET, id: 'forge', llm: spec(model) };
  // The captioner starts its worker on its first call: inside the timing.
  const c = createCaptioner({ source });
  try {
    let fromCache: boolean | undefined;
    const ms = await timed(async () => {
      const report = await c.load({ preset, roles: ['llm'], device });
      fromCache = report.roles[0]?.fromCache;
    });
    expect(fromCache).toBe(expectFromCache);
    return ms;
  } finally {
    c.dispose();
  }
}

/** A load through transformers.js's own Cache API path, in a fresh worker; ms to ready, timed as {@link engineLoad}. */
async function cacheApiLoad(model: HeavyModel): Promise<number> {
  const started = performance.now();
  const worker = new Worker(new URL('../workers/raw-llm.worker.ts', import.meta.url), { type: 'module' });
  try {
    const raw: Remote<RawLlmApi> = wrap(worker);
    await raw.load(heavy.host, model.repo, device);
    return performance.now() - started;
  } finally {
    worker.terminate();
  }
}

/** Whether the Cache API kept the model's weights file (it refuses one body of 256 MiB or more). */
async function cacheApiKept(model: HeavyModel): Promise<boolean> {
  const url = `${heavy.host}${model.repo}/resolve/main/onnx/model.onnx`;
  return (await (await caches.open('transformers-cache')).match(url)) !== undefined;
}

/** Cold into our cache, then warm from both caches, alternating; ms. */
async function loads(model: HeavyModel, rounds: number) {
  const cold = await engineLoad(model, false);
  await cacheApiLoad(model); // fills the Cache API (or, over its limit, tries to)
  const warm = await alternate(
    rounds,
    () => engineLoad(model, true),
    () => cacheApiLoad(model),
  );
  return { cold, warm, kept: await cacheApiKept(model) };
}

/**
 * Peak memory above the start of a warm load against the weights (≤ 1.5×),
 * the Cache API's likewise, and ours against plain transformers.js's.
 */
function peakRows(peaks: { ours: number | null; cacheApi: number | null }, mb: number): BenchRow[] {
  if (peaks.ours === null || peaks.cacheApi === null) {
    return [
      noteRow(
        FIGURE,
        'peak memory during a warm load: not measured (needs Linux /proc, and the memory of earlier loads freed)',
      ),
    ];
  }
  const ours = { label: 'IndexedDB warm', value: peaks.ours / 2 ** 20 };
  const plain = { label: 'Cache API warm', value: peaks.cacheApi / 2 ** 20 };
  const weights = { label: 'weights', value: mb };
  const what = `peak memory during a warm load of the ${mb.toFixed(0)} MB model, MB above the start (Chromium renderer + GPU processes)`;
  return [
    ratioRow(FIGURE, what, ours, weights, 1.5),
    ratioRow(FIGURE, what, plain, weights, null),
    ratioRow(FIGURE, `peak memory during a warm load of the ${mb.toFixed(0)} MB model, MB`, ours, plain, null),
  ];
}

test('2 weight cache: cold from HTTP, warm from IndexedDB, warm from the Cache API', async () => {
  const idle = await residentBytes();
  const reset = createCaptioner({ source });
  await reset.cache.clear();
  reset.dispose();
  await caches.delete('transformers-cache');
  const rounds = size(3, 1);
  const mbOf = (model: HeavyModel) => model.bytes / 2 ** 20;
  const rate = (model: HeavyModel, ms: number) => mbOf(model) / (ms / 1000);

  // Like for like: a model under the Cache API's limit, which both caches keep.
  const below: HeavyModel = heavy.belowBytes
    ? { repo: 'forge/heavy-qwen3-below', bytes: heavy.belowBytes }
    : { repo: 'forge/heavy-qwen3', bytes: heavy.bytes };
  const same = await loads(below, rounds);
  const timeRow = roundsRow(
    FIGURE,
    `time to ready, ms, ${mbOf(below).toFixed(0)} MB model (both caches keep it), warm, worker start included: median of ${rounds}, ${device}`,
    { label: 'IndexedDB warm', values: same.warm.a },
    { label: 'Cache API warm', values: same.warm.b },
    1.0,
  );
  const rows: BenchRow[] = [
    same.kept ? timeRow : withoutVerdict(timeRow, 'the Cache API did not keep the file: its side downloaded again'),
    ratioRow(
      FIGURE,
      `MB/s to ready, ${mbOf(below).toFixed(0)} MB model`,
      { label: 'IndexedDB warm', value: rate(below, median(same.warm.a)) },
      { label: 'HTTP cold', value: rate(below, same.cold) },
      null,
    ),
    ratioRow(
      FIGURE,
      `MB/s to ready, ${mbOf(below).toFixed(0)} MB model`,
      { label: 'Cache API warm', value: rate(below, median(same.warm.b)) },
      { label: 'HTTP cold', value: rate(below, same.cold) },
      null,
    ),
  ];
  // Memory apart from the timed rounds: reading /proc between steps must not disturb them.
  const peaks = {
    ours: await peakDuring(() => engineLoad(below, true), idle),
    cacheApi: await peakDuring(() => cacheApiLoad(below), idle),
  };
  rows.push(...peakRows(peaks, mbOf(below)));

  // Over the limit (full runs): the Cache API cannot keep the file, so its "warm" load is a download.
  if (heavy.belowBytes) {
    const over: HeavyModel = { repo: 'forge/heavy-qwen3', bytes: heavy.bytes };
    const big = await loads(over, rounds);
    rows.push(
      roundsRow(
        FIGURE,
        `time to ready, ms, ${mbOf(over).toFixed(0)} MB model, over the Cache API's 256 MiB limit on one body: ` +
          `${big.kept ? 'it kept the file' : 'its warm load downloads again'} (not like for like), median of ${rounds}, ${device}`,
        { label: 'IndexedDB warm', values: big.warm.a },
        { label: 'Cache API "warm"', values: big.warm.b },
        null,
      ),
    );
  } else {
    rows.push(noteRow(FIGURE, "a model over the Cache API's 256 MiB limit on one body: full runs only"));
  }
  await record(...rows);
});
