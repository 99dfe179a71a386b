/**
 * The batch with a real captioner, real workers and the real session store
 * in Chromium: a worker that dies under an item is replaced, the item is
 * tried once more and then failed with the reason, and nothing finished is
 * lost.
 */
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import { Batch, type BatchConfig } from '../../src/session/batch';
import { SessionStore } from '../../src/session/store';
import { TINY_PRESET, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;

test('a worker that dies under an item: a new worker, one more try, then a clear failure; finished work kept', async () => {
  const captioner = createCaptioner({
    source,
    createWorker: () => new Worker(new URL('./workers/crashy.worker.ts', import.meta.url), { type: 'module' }),
  });
  const store = await SessionStore.open(10_000_000, `mc-batch-test-${Date.now()}`);
  const messages: string[] = [];
  let changed = () => {};
  const settled = () =>
    new Promise<void>((resolve) => {
      changed = () => {
        if (!batch.busy) resolve();
      };
    });
  const config: BatchConfig = {
    load: { preset: TINY_PRESET, overrides: {}, roles: ['vlm'], device: 'wasm' },
    options: () => ({ mode: 'prompt', prompt: 'Describe.', judge: null }),
    key: 'tiny',
  };
  const batch = new Batch({
    captioner: () => captioner,
    store,
    config: () => config,
    onChange: () => changed(),
    announce: (m) => messages.push(m),
  });
  const done = settled();
  await batch.add([
    { file: new File([await solidImage('#e01020')], 'first.png', { type: 'image/png' }), path: 'first.png' },
    { file: new File([await solidImage('#1030e0')], 'crash.png', { type: 'image/png' }), path: 'crash.png' },
    { file: new File([await solidImage('#10c020')], 'last.png', { type: 'image/png' }), path: 'last.png' },
  ]);
  await done;
  const byName = Object.fromEntries(batch.items.map((i) => [i.name, i]));
  expect(byName['first.png']?.record?.caption).toBe(TINY_VLM_CAPTIONS.red);
  expect(byName['last.png']?.record?.caption).toBe(TINY_VLM_CAPTIONS.green);
  expect(byName['crash.png']).toMatchObject({ status: 'failed', error: { name: 'WorkerCrashedError' } });
  expect(messages).toContain('crash.png: the captioning worker stopped; trying once more.');
  expect(messages.filter((m) => m.startsWith('crash.png: failed.'))).toHaveLength(1);
  // What finished is in the store.
  const restored = await store.restore();
  expect(restored.items.find((i) => i.name === 'first.png')?.status).toBe('done');
  captioner.dispose();
  store.close();
});
