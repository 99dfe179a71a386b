/**
 * `preset=auto` through the public client and a real worker: the worker
 * resolves it, judging the device once per load or plan, and a load still
 * refuses, before anything is fetched, the tier auto falls back to when no
 * tier fits.
 */
import { wrap } from 'comlink';
import { afterEach, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type Captioner, createCaptioner } from '../../src/client/captioner';
import { PRESETS } from '../../src/shared/presets';
import type { SmallMemory } from './workers/small-memory.worker';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;
const smallMemoryWorker = () =>
  new Worker(new URL('./workers/small-memory.worker.ts', import.meta.url), { type: 'module' });

const open: Captioner[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.dispose();
});

/** A captioner on the small-memory worker, and the worker's count of device judgements. */
function onSmallMemory(): { c: Captioner; reads: () => Promise<number> } {
  let worker: Worker | null = null;
  const c = createCaptioner({ source, createWorker: () => (worker = smallMemoryWorker()) });
  open.push(c);
  return {
    c,
    reads: () => {
      if (!worker) throw new Error('no worker yet');
      return wrap<SmallMemory>(worker).memoryReads();
    },
  };
}

test('auto on a device too small for every tier: the smallest is refused with its reasons, the device judged once, nothing fetched', async () => {
  const { c, reads } = onSmallMemory();
  await c.probe();
  await commands.takeModelRequests();
  const error = await c.load({ device: 'wasm' }).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'DeviceTooSmallError' });
  expect(String((error as Error).message)).toMatch(
    /^Tiny needs about [\d.]+ [MG]B of memory while it loads; this device reports 0\.25 GB\. /,
  );
  expect(await reads()).toBe(1);
  expect(await commands.takeModelRequests()).toEqual([]);
  // A named tier is judged too, once.
  await expect(c.load({ preset: 'tiny', device: 'wasm' })).rejects.toMatchObject({ name: 'DeviceTooSmallError' });
  expect(await reads()).toBe(2);
  expect(await commands.takeModelRequests()).toEqual([]);
});

test('plan(auto) plans the tier auto takes, judging the device once', async () => {
  const { c, reads } = onSmallMemory();
  const plan = await c.plan({ device: 'wasm' });
  expect(plan.roles.map((r) => r.repo)).toEqual([PRESETS.tiny.vlm.repo]);
  expect(await reads()).toBe(1);
  // With a VLM of one's own, auto is the default tier, unjudged.
  await c.plan({ device: 'wasm', overrides: { vlm: { kind: 'repo', repo: 'me/my-vlm' } } });
  expect(await reads()).toBe(1);
});
