/**
 * The weight cache under faults, in real Chromium and real IndexedDB:
 * a damaged chunk is found on read and fetched again; a file that could
 * not be stored keeps its model incomplete (and the next load says it
 * downloads); a failed re-store keeps the good copy; writes to one URL run
 * in order; files of a folder no load registered can still be listed and
 * deleted; and the worker fetches from no host it was not given.
 */
import { wrap } from 'comlink';
import { openDB } from 'idb';
import { afterEach, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type Captioner, type CaptionerOptions, createCaptioner } from '../../src/client/captioner';
import { CACHE_FORMAT, WeightCache } from '../../src/models/cache/weight-cache';
import type { CaptionEvent } from '../../src/shared/events';
import { TINY_PRESET, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const host = inject('modelHost');
const source = { kind: 'host', host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const workers = {
  smallChunks: () => new Worker(new URL('./workers/small-chunks.worker.ts', import.meta.url), { type: 'module' }),
  noRoom: () => new Worker(new URL('./workers/no-room.worker.ts', import.meta.url), { type: 'module' }),
};

const open: Captioner[] = [];
function captioner(options: CaptionerOptions = {}): Captioner {
  const c = createCaptioner({ source, createWorker: workers.smallChunks, ...options });
  open.push(c);
  return c;
}

afterEach(() => {
  for (const c of open.splice(0)) c.dispose();
});

const storage = { estimate: async () => ({ quota: 1e10, usage: 0 }), persisted: async () => false };
let dbCounter = 0;
const cacheForTest = () => WeightCache.open({ storage, chunkBytes: 4, dbName: `mc-cache-test-${++dbCounter}` });
const bytesOf = async (r: Response | undefined) => (r ? [...new Uint8Array(await r.arrayBuffer())] : null);

test('a same-size corruption of a cached chunk is found on read, dropped, and the file downloads again', async () => {
  const first = captioner();
  await first.cache.clear();
  await first.load({ preset: TINY_PRESET, device: 'wasm' });
  first.dispose();
  const url = `${host}${TINY_VLM.repo}/resolve/main/onnx/decoder_model_merged.onnx`;
  // Overwrite the second chunk of the decoder with the same number of different bytes.
  const db = await openDB('metacaptioner-weights', CACHE_FORMAT);
  const record = (await db.get('files', url)) as { generation: string } | undefined;
  expect(record, 'the decoder is cached').toBeDefined();
  const key = [`${url}#${record?.generation}`, 1];
  const chunk = (await db.get('chunks', key)) as Blob;
  const flipped = new Uint8Array(await chunk.arrayBuffer()).map((b) => b ^ 0xff);
  await db.put('chunks', new Blob([flipped]), key);
  db.close();

  await commands.takeModelRequests();
  const events: CaptionEvent[] = [];
  const second = captioner();
  const report = await second.load({ preset: TINY_PRESET, device: 'wasm', onEvent: (e) => events.push(e) });
  expect(report.roles[0]?.fromCache, 'a file was downloaded: not "from cache"').toBe(false);
  expect(events.find((e) => e.type === 'notice')).toMatchObject({
    message: expect.stringContaining('onnx/decoder_model_merged.onnx of forge/tiny-smolvlm was damaged'),
  });
  expect((await commands.takeModelRequests()).map((p) => p.split('/').pop())).toEqual(['decoder_model_merged.onnx']);
  expect((await second.caption({ image: await solidImage('#e01020') })).text).toBe(TINY_VLM_CAPTIONS.red);
  expect((await second.cache.list()).find((m) => m.repo === TINY_VLM.repo)).toMatchObject({ complete: true });
});

test('a file that could not be stored leaves the model incomplete, and the next load says it downloads', async () => {
  const c = captioner({ createWorker: workers.noRoom });
  await c.cache.clear();
  const events: CaptionEvent[] = [];
  const report = await c.load({ preset: TINY_PRESET, device: 'wasm', onEvent: (e) => events.push(e) });
  expect(report.roles[0]?.fromCache).toBe(false);
  expect(events.some((e) => e.type === 'notice' && /was not cached/.test(e.message))).toBe(true);
  expect((await c.cache.list()).find((m) => m.repo === TINY_VLM.repo)?.complete).toBe(false);
  c.dispose();
  await commands.takeModelRequests();
  const again = await captioner({ createWorker: workers.noRoom }).load({ preset: TINY_PRESET, device: 'wasm' });
  expect(again.roles[0]?.fromCache).toBe(false);
  expect((await commands.takeModelRequests()).some((p) => p.endsWith('.onnx'))).toBe(true);
});

test('a failed re-store keeps the good copy; writes to one URL run in order; stray folders list and delete', async () => {
  const cache = await cacheForTest();
  const url = 'https://models.example/org/m/resolve/main/onnx/model.onnx';
  await cache.put(url, new Response(new Uint8Array([1, 2, 3, 4, 5, 6])));
  const broken = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array([9, 9, 9, 9, 9]));
      controller.error(new Error('connection reset'));
    },
  });
  await expect(cache.put(url, new Response(broken))).rejects.toThrow('connection reset');
  expect(await bytesOf(await cache.match(url))).toEqual([1, 2, 3, 4, 5, 6]);

  // Two writes at once: the second lands after the first, and a read waits for both.
  const one = cache.put(url, new Response(new Uint8Array([7, 7, 7, 7, 7, 7, 7, 7, 7])));
  const two = cache.put(url, new Response(new Uint8Array([8, 8])));
  const read = cache.match(url);
  await Promise.all([one, two]);
  expect(await bytesOf(await read)).toEqual([8, 8]);

  // A folder no load registered (track() never ran) is still listed, by its URL, and deletable.
  const stray = 'https://models.example/other/x/resolve/main/config.json';
  await cache.put(stray, new Response('{}'));
  const listed = await cache.list();
  expect(listed.map((m) => [m.repo, m.files])).toEqual(
    expect.arrayContaining([['https://models.example/other/x/resolve/main/', 1]]),
  );
  await cache.deleteModel('https://models.example/other/x/resolve/main/');
  expect(await cache.match(stray)).toBeUndefined();
  await cache.clear();
  cache.close();
});

test('the worker fetches only from its own origin and the configured model host', async () => {
  let worker: Worker | null = null;
  const c = captioner({
    createWorker: () =>
      (worker = new Worker(new URL('./workers/host-guard.worker.ts', import.meta.url), { type: 'module' })),
  });
  await c.probe(); // starts and configures the worker
  if (!worker) throw new Error('no worker');
  const probe = wrap<{ tryFetch(url: string): Promise<string> }>(worker);
  expect(await probe.tryFetch(`${host}forge/tiny-smolvlm/resolve/main/config.json`)).toBe('status 200');
  expect(await probe.tryFetch('https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.min.js')).toBe(
    'refused: Refused to fetch https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.min.js: https://cdn.jsdelivr.net is not this app or a configured model host.',
  );
  expect(await probe.tryFetch('https://huggingface.co/org/model/resolve/main/config.json')).toMatch(
    /^refused: .*huggingface\.co is not/,
  );
});
