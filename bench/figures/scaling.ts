/**
 * Figure 5: scaling. Single-pass over a small and a five-times larger
 * batch, and CapFlow the same: the per-image time of the large batch
 * against the small one (linear is ×1.0), and the memory after garbage
 * collection at the end of the large batch against the end of the small
 * one. Every caption is checked.
 */
import { afterAll, expect, inject, test } from 'vitest';
import { type Captioner, createCaptioner } from '../../src/client/captioner';
import { solidImage } from '../../test/browser/images';
import { tinyLlmAnswer } from '../../test/fixtures/forge/oracle';
import { TINY_PRESET, TINY_VLM_CAPTIONS } from '../../test/fixtures/specs';
import { noteRow, ratioRow } from '../rows';
import { memoryAfterGc, record, settings, size, timed } from '../support';

const host = inject('modelHost');
const source = { kind: 'host', host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const COLOURS = [
  ['red', '#e01020'],
  ['green', '#10c020'],
  ['blue', '#1030e0'],
] as const;

let c: Captioner | null = null;
afterAll(() => c?.dispose());

/** Runs `count` images through `mode`; returns ms per image. */
async function batch(captioner: Captioner, mode: 'single-pass' | 'capflow', count: number): Promise<number> {
  const ms = await timed(async () => {
    for (let i = 0; i < count; i++) {
      const [name, css] = COLOURS[i % COLOURS.length] ?? COLOURS[0];
      // A new image every time, as a real batch has.
      const image = await solidImage(css, 40 + (i % 17), 30 + (i % 13));
      const r = await captioner.capflow({ image, name: `${mode}-${i}.png`, options: { mode } });
      const summary = r.trace.find((t) => t.agent === 'summary');
      expect(r.caption).toBe(mode === 'capflow' ? tinyLlmAnswer(summary?.prompt ?? '') : TINY_VLM_CAPTIONS[name]);
    }
  });
  return ms / count;
}

test.each([
  ['single-pass', size(50, 10), size(250, 30)],
  ['capflow', size(20, 4), size(100, 12)],
] as const)('5 scaling: %s over %i and %i images', async (mode, small, large) => {
  c ??= createCaptioner({ source });
  await c.load({ preset: TINY_PRESET, roles: ['vlm', 'llm', 'router'], device: settings.device });
  await batch(c, mode, 3); // warm-up
  const smallMs = await batch(c, mode, small);
  // Each measurement waits about a minute for the worker to answer once models are loaded: full runs only.
  const before = settings.quick ? null : await memoryAfterGc();
  const largeMs = await batch(c, mode, large);
  const after = settings.quick ? null : await memoryAfterGc();
  await record(
    ratioRow(
      '5 scaling',
      `${mode}: ms/image, ${large} images ÷ ${small} images, ${settings.device}`,
      { label: `${large} images`, value: largeMs },
      { label: `${small} images`, value: smallMs },
      1.1,
    ),
    before && after
      ? ratioRow(
          '5 scaling',
          `${mode}: MB after GC (${before.what}), after ${large} more images ÷ before them`,
          { label: 'after', value: after.bytes / 1e6 },
          { label: 'before', value: before.bytes / 1e6 },
          1.1,
        )
      : noteRow('5 scaling', `${mode}: memory after GC is measured in full runs only (about a minute each)`),
  );
});
