/**
 * Load on the built site, as a long afternoon's batch: 500 images through
 * single-pass and 100 through CapFlow. Every result present and exact, no
 * worker started after the first images (no restarts), and the memory of
 * the page and its workers after garbage collection at the end within 20%
 * of what it was after the first 100 (the first 20 for CapFlow). Memory is
 * measured with `performance.measureUserAgentSpecificMemory`, which
 * collects garbage first and counts the workers too (the flag makes it
 * answer at once).
 */
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import type { SessionItem } from '../../src/session/item';
import { tinyLlmAnswer } from '../fixtures/forge/oracle';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type Harness, addFiles, forgeParams, freshPage, pngFile, storedItems, useHarness } from './harness';

let h: Harness;
useHarness((started) => (h = started), ['--enable-blink-features=ForceEagerMeasureMemory']);

const COLOURS = [
  ['red', [230, 20, 30]],
  ['green', [10, 200, 40]],
  ['blue', [20, 30, 220]],
] as const;

/**
 * `count` solid PNGs named `<prefix>-<n>-<colour>.png`, cycling through the
 * colours. Each is a slightly different shade of its colour (the two weaker
 * channels move by up to 15), so no two files are the same bytes: the page
 * would skip a repeat as a duplicate.
 */
function images(prefix: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const [colour, rgb] = COLOURS[n % COLOURS.length] ?? COLOURS[0];
    const shade = Math.floor(n / COLOURS.length);
    const values: readonly number[] = rgb;
    const top = values.indexOf(Math.max(...values));
    const tinted = values.map((v, k) =>
      k === top ? v : v + (k === (top + 1) % 3 ? shade % 16 : Math.floor(shade / 16) % 16),
    ) as [number, number, number];
    return pngFile(`${prefix}-${String(n).padStart(4, '0')}-${colour}.png`, tinted);
  });
}

/** The colour a file was made with, from its name. */
const colourOf = (name: string) => /-(red|green|blue)\.png$/.exec(name)?.[1] as 'red' | 'green' | 'blue';

/** Waits until `count` items are done (fails fast on a failed one). */
async function waitDone(page: Page, count: number): Promise<SessionItem[]> {
  let items: SessionItem[] = [];
  await expect
    .poll(
      async () => {
        items = await storedItems(page);
        const failed = items.find((i) => i.status === 'failed');
        if (failed) throw new Error(`${failed.name} failed: ${failed.error?.message}`);
        return items.filter((i) => i.status === 'done').length;
      },
      { timeout: 600_000, interval: 1000 },
    )
    .toBe(count);
  return items;
}

/** Bytes of JavaScript and DOM memory of the page and its workers, after garbage collection. */
async function memoryAfterGc(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const measure = (
      performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }
    ).measureUserAgentSpecificMemory();
    return (await measure).bytes;
  });
}

/** Runs `total` images through `mode`, memory measured after the first `baseline` and at the end. */
async function soak(
  mode: 'single-pass' | 'capflow',
  baseline: number,
  total: number,
  check: (item: SessionItem) => void,
) {
  const page = await freshPage(h);
  let workers = 0;
  page.on('worker', () => (workers += 1));
  await page.goto(h.url(forgeParams(h.models, { mode })));
  expect(await page.evaluate(() => crossOriginIsolated), 'memory is measurable').toBe(true);

  const started = performance.now();
  await addFiles(page, images(mode, 0, baseline));
  await waitDone(page, baseline);
  const first = await memoryAfterGc(page);
  const workersAfterFirst = workers;
  await addFiles(page, images(mode, baseline, total - baseline));
  const items = await waitDone(page, total);
  const seconds = (performance.now() - started) / 1000;
  const last = await memoryAfterGc(page);

  expect(items).toHaveLength(total);
  for (const item of items) check(item);
  expect(workers, `no worker started after the first ${baseline} (no restarts)`).toBe(workersAfterFirst);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(
    `[soak ${mode}] ${total} images in ${seconds.toFixed(0)} s (${((seconds * 1000) / total).toFixed(0)} ms each); ` +
      `memory after GC: ${mb(first)} after ${baseline}, ${mb(last)} after ${total} (×${(last / first).toFixed(3)}); ` +
      `${workers} worker(s)`,
  );
  expect(last, `memory after GC at the end within 20% of after the first ${baseline}`).toBeLessThanOrEqual(first * 1.2);
  await page.context().close();
}

// Minutes of work each: the per-test limit is the run's, not the suite default.
test(
  '500 images through single-pass: every caption exact, no restarts, memory flat',
  { timeout: 900_000 },
  async () => {
    await soak('single-pass', 100, 500, (item) => {
      expect(item.status, item.name).toBe('done');
      expect(item.record?.caption, item.name).toBe(TINY_VLM_CAPTIONS[colourOf(item.name)]);
    });
  },
);

test(
  '100 images through CapFlow: every caption the summary of its own notes, no restarts, memory flat',
  {
    timeout: 900_000,
  },
  async () => {
    await soak('capflow', 20, 100, (item) => {
      const trace = item.record?.trace ?? [];
      const summary = trace.find((t) => t.agent === 'summary');
      expect(summary, item.name).toBeDefined();
      // Every agent's note read this image's colour, and the caption is the summary of those notes.
      const notes = trace.filter((t) => ['guideline', 'perception', 'reasoning', 'coder'].includes(t.role));
      expect(notes.length, item.name).toBeGreaterThan(0);
      for (const note of notes) {
        expect(note.output, `${item.name}: ${note.agent}`).toBe(TINY_VLM_CAPTIONS[colourOf(item.name)]);
      }
      expect(item.record?.caption, item.name).toBe(tinyLlmAnswer(summary?.prompt ?? ''));
      expect(
        notes.map((n) => n.output),
        `${item.name}: the caption is not a note`,
      ).not.toContain(item.record?.caption);
    });
  },
);
