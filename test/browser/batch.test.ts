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
import { colourVideo } from './videos';

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
    video: {},
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

test('videos in the batch: sampled in the worker with their stages shown; a damaged one fails alone', async () => {
  const captioner = createCaptioner({ source });
  const store = await SessionStore.open(10_000_000, `mc-batch-video-${Date.now()}`);
  const stages = new Set<string>();
  let settle = () => {};
  const done = new Promise<void>((resolve) => (settle = resolve));
  const config: BatchConfig = {
    load: { preset: TINY_PRESET, overrides: {}, roles: ['vlm'], device: 'wasm' },
    options: () => ({ mode: 'single-pass', domain: 'video', judge: null }),
    video: { frames: 4 },
    key: 'tiny',
  };
  const batch: Batch = new Batch({
    captioner: () => captioner,
    store,
    config: () => config,
    onChange: () => {
      for (const live of batch.live.values()) stages.add(live.stage.replace(/\d+%|\d+ of \d+/, 'N'));
      if (!batch.busy) settle();
    },
    announce: () => {},
  });
  const clip = await colourVideo([
    { colour: '#e01010', seconds: 1 },
    { colour: '#1020e0', seconds: 1 },
  ]);
  const damaged = new Blob([new Uint8Array(await clip.arrayBuffer()).slice(0, 300)]);
  await batch.add([
    { file: new File([clip], 'clip.webm', { type: 'video/webm' }), path: 'clip.webm' },
    { file: new File([damaged], 'damaged.webm', { type: 'video/webm' }), path: 'damaged.webm' },
    { file: new File([await solidImage('#10c020')], 'after.png', { type: 'image/png' }), path: 'after.png' },
  ]);
  await done;
  const byName = Object.fromEntries(batch.items.map((i) => [i.name, i]));
  expect(byName['clip.webm']).toMatchObject({
    media: 'video',
    status: 'done',
    record: { timestamps: [0.25, 0.75, 1.25, 1.75] },
  });
  expect(byName['damaged.webm']).toMatchObject({
    media: 'video',
    status: 'failed',
    error: { name: 'VideoDecodeError' },
  });
  expect(byName['after.png']).toMatchObject({ status: 'done', record: { caption: TINY_VLM_CAPTIONS.green } });
  expect(byName['after.png']?.media).toBeUndefined();
  expect(stages).toContain('finding scene changes (N)');
  expect(stages).toContain('reading frames (N)');
  captioner.dispose();
  store.close();
});
