/**
 * Figure 2: the weight cache. Time to ready (load, session, one token) for
 * the heavy forge model: cold from a local HTTP server into our IndexedDB
 * cache, warm from that cache (every chunk's SHA-256 checked as it
 * streams), and warm from transformers.js's default Cache API path, each
 * in a fresh worker, the two warm paths alternating.
 */
import { type Remote, wrap } from 'comlink';
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import type { ModelSpec } from '../../src/shared/model-spec';
import type { Preset } from '../../src/shared/presets';
import { TINY_PRESET } from '../../test/fixtures/specs';
import { type BenchRow, noteRow, ratioRow } from '../rows';
import { alternate, median, peakDuring, record, residentBytes, settings, size, timed } from '../support';
import type { RawLlmApi } from '../workers/raw-llm.worker';

const heavy = inject('heavy');
const source = { kind: 'host', host: heavy.host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const HEAVY_LLM = {
  family: 'qwen3',
  repo: 'forge/heavy-qwen3',
  revision: 'main',
  dtypes: { webgpuF16: 'fp32', webgpu: 'fp32', wasm: 'fp32' },
  approxBytes: heavy.bytes,
} as const satisfies ModelSpec;
const PRESET: Preset = { ...TINY_PRESET, id: 'forge', llm: HEAVY_LLM };
const device = settings.device;

/** A load of the heavy model in a fresh captioner (and so a fresh worker); ms to ready. */
async function engineLoad(expectFromCache: boolean): Promise<number> {
  const c = createCaptioner({ source });
  try {
    let fromCache: boolean | undefined;
    const ms = await timed(async () => {
      const report = await c.load({ preset: PRESET, roles: ['llm'], device });
      fromCache = report.roles[0]?.fromCache;
    });
    expect(fromCache).toBe(expectFromCache);
    return ms;
  } finally {
    c.dispose();
  }
}

/** A load through transformers.js's own Cache API path, in a fresh worker; ms to ready. */
async function cacheApiLoad(): Promise<number> {
  const worker = new Worker(new URL('../workers/raw-llm.worker.ts', import.meta.url), { type: 'module' });
  try {
    const raw: Remote<RawLlmApi> = wrap(worker);
    return await raw.load(heavy.host, HEAVY_LLM.repo, device);
  } finally {
    worker.terminate();
  }
}

/**
 * Peak memory above the start of a warm load against the weights (≤ 1.5×),
 * the Cache API's likewise, and ours against plain transformers.js's.
 */
function peakRows(peaks: { ours: number | null; cacheApi: number | null }, mb: number): BenchRow[] {
  if (peaks.ours === null || peaks.cacheApi === null) {
    return [
      noteRow(
        '2 weight cache',
        'peak memory during a warm load: not measured (needs Linux /proc, and the memory of earlier loads freed)',
      ),
    ];
  }
  const ours = { label: 'IndexedDB warm', value: peaks.ours / 2 ** 20 };
  const plain = { label: 'Cache API warm', value: peaks.cacheApi / 2 ** 20 };
  const weights = { label: 'weights', value: mb };
  const what = 'peak memory during a warm load, MB above the start (Chromium renderer + GPU processes)';
  return [
    ratioRow('2 weight cache', what, ours, weights, 1.5),
    ratioRow('2 weight cache', what, plain, weights, null),
    ratioRow('2 weight cache', 'peak memory during a warm load, MB', ours, plain, null),
  ];
}

test('2 weight cache: cold from HTTP, warm from IndexedDB, warm from the Cache API', async () => {
  const mb = heavy.bytes / 2 ** 20;
  const idle = await residentBytes();
  const reset = createCaptioner({ source });
  await reset.cache.clear();
  reset.dispose();
  await caches.delete('transformers-cache');
  const cold = await engineLoad(false);
  await cacheApiLoad(); // fills the Cache API
  const rounds = size(3, 1);
  const warm = await alternate(rounds, () => engineLoad(true), cacheApiLoad);
  // Memory apart from the timed rounds: reading /proc between steps must not disturb them.
  const peaks = { ours: await peakDuring(() => engineLoad(true), idle), cacheApi: await peakDuring(cacheApiLoad, idle) };
  const rate = (ms: number) => mb / (ms / 1000);
  // The Cache API refuses a single body of 256 MiB or more: then its "warm" load downloads again.
  const modelUrl = `${heavy.host}${HEAVY_LLM.repo}/resolve/main/onnx/model.onnx`;
  const kept = (await (await caches.open('transformers-cache')).match(modelUrl)) !== undefined;
  const rows: BenchRow[] = [
    ratioRow(
      '2 weight cache',
      `time to ready, ms, ${mb.toFixed(0)} MB model, warm: median of ${rounds}, ${device}`,
      { label: 'IndexedDB warm', value: median(warm.a) },
      { label: 'Cache API warm', value: median(warm.b) },
      1.0,
    ),
    ratioRow(
      '2 weight cache',
      'MB/s to ready',
      { label: 'IndexedDB warm', value: rate(median(warm.a)) },
      { label: 'HTTP cold', value: rate(cold) },
      null,
    ),
    ratioRow(
      '2 weight cache',
      'MB/s to ready',
      { label: 'Cache API warm', value: rate(median(warm.b)) },
      { label: 'HTTP cold', value: rate(cold) },
      null,
    ),
    noteRow(
      '2 weight cache',
      kept
        ? 'the Cache API kept the model file'
        : 'the Cache API did not keep the model file (one body of 256 MiB or more): its warm load downloaded it again',
    ),
    ...peakRows(peaks, mb),
  ];
  await record(...rows);
});
