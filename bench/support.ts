/**
 * What every figure of the benchmark shares: its settings (full or quick,
 * which device), medians, alternating rounds, memory after garbage
 * collection, and the row format the table is printed from.
 */
import { inject } from 'vitest';
import { commands } from 'vitest/browser';
import type { BenchRow } from './rows';

export { median } from './stats';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Settings of this bench run (from `npm run bench -- [--quick] [--gpu]`). */
    benchSettings: {
      quick: boolean;
      gpu: boolean;
      device: 'wasm' | 'webgpu';
      /** Figure 4's fresh scenes are drawn from seeds above this (≥ 1000: never the tuning set's). */
      ocrFreshBase: number;
    };
  }
}

/** This run's settings. */
export const settings = inject('benchSettings');

/** `full` in a normal run, `quick` with `--quick` (CI: a few rounds, small sizes, so the bench never rots). */
export function size<T>(full: T, quick: T): T {
  return settings.quick ? quick : full;
}

/**
 * Runs both sides of a comparison `rounds` times after one warm-up round,
 * alternating which goes first (so neither always meets a warm or a cold
 * machine), and returns each side's measurements.
 */
export async function alternate(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number[]; b: number[] }> {
  await a();
  await b();
  const out = { a: [] as number[], b: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/** Milliseconds `run` takes. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * Bytes of memory after garbage collection: the page and its workers, as
 * `measureUserAgentSpecificMemory` counts them (cross-origin isolated pages),
 * else the page's JS heap alone.
 */
export async function memoryAfterGc(): Promise<{ bytes: number; what: string }> {
  const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> })
    .measureUserAgentSpecificMemory;
  if (globalThis.crossOriginIsolated && measure) {
    return { bytes: (await measure.call(performance)).bytes, what: 'page + workers' };
  }
  const heap = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return { bytes: heap?.usedJSHeapSize ?? Number.NaN, what: 'page JS heap' };
}

/** Chromium's renderer + GPU resident bytes now (null where /proc cannot tell): the idle level for {@link peakDuring}. */
export async function residentBytes(): Promise<number | null> {
  return (await commands.benchMemory(false))?.rss ?? null;
}

/**
 * The most memory Chromium's renderer and GPU processes (the page, its
 * workers, WebGPU buffers) held while `run` ran, above what they held just
 * before, in bytes; null where the OS cannot tell (see process-memory.ts),
 * or when the memory of workers ended earlier (a terminated worker frees it
 * only seconds later) has not come back to within 64 MB of `idle` within a
 * minute: measured on top of it, the peak would read low.
 */
export async function peakDuring(run: () => Promise<unknown>, idle: number | null): Promise<number | null> {
  if (idle === null || !(await backNear(idle))) return null;
  const before = await commands.benchMemory(true);
  await run();
  const after = await commands.benchMemory(false);
  return before && after ? after.peak - before.rss : null;
}

/**
 * Whether Chromium's resident memory came back to within 64 MB of `idle`
 * within a minute (a terminated worker frees its memory only seconds later).
 */
export async function backNear(idle: number): Promise<boolean> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    if (((await residentBytes()) ?? Number.POSITIVE_INFINITY) <= idle + 64 * 2 ** 20) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** Sends rows to the runner, which prints the table and writes the JSON file. */
export function record(...rows: BenchRow[]): Promise<void> {
  return commands.benchRecord(rows);
}
