/**
 * The weight cache under faults, in real Chromium and real IndexedDB:
 * a damaged chunk is found on read and fetched again; a file that could
 * not be stored keeps its model incomplete (and the next load says it
 * downloads); storage that runs out mid-write says by how much and keeps
 * nothing partial; a failed re-store keeps the good copy; writes to one URL run
 * in order; files of a folder no load registered can still be listed and
 * deleted; a warm load reads one session's files at a time; a model file served damaged is named, and the roles that loaded
 * stay loaded, and one the runtime cannot run costs its worker, not the
 * page; and the worker fetches from no host it was not given.
 */
import { wrap } from 'comlink';
import { openDB } from 'idb';
import { afterEach, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type Captioner, type CaptionerOptions, createCaptioner } from '../../src/client/captioner';
import type { GateEvent } from '../../src/models/cache/session-gate';
import { CACHE_FORMAT, WeightCache } from '../../src/models/cache/weight-cache';
import type { CaptionEvent } from '../../src/shared/events';
import { TINY_CLIP, TINY_PRESET, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const host = inject('modelHost');
const source = { kind: 'host', host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const workers = {
  smallChunks: () => new Worker(new URL('./workers/small-chunks.worker.ts', import.meta.url), { type: 'module' }),
  noRoom: () => new Worker(new URL('./workers/no-room.worker.ts', import.meta.url), { type: 'module' }),
  storageFull: () => new Worker(new URL('./workers/storage-full.worker.ts', import.meta.url), { type: 'module' }),
  storageFrozen: () => new Worker(new URL('./workers/storage-frozen.worker.ts', import.meta.url), { type: 'module' }),
  sessionOrder: () => new Worker(new URL('./workers/session-order.worker.ts', import.meta.url), { type: 'module' }),
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

test("a warm load reads one session's files at a time, each once the session before it exists", async () => {
  const first = captioner();
  await first.cache.clear();
  await first.load({ preset: TINY_PRESET, roles: ['vlm'], device: 'wasm' });
  first.dispose();

  const worker = workers.sessionOrder();
  const warm = captioner({ createWorker: () => worker });
  const report = await warm.load({ preset: TINY_PRESET, roles: ['vlm'], device: 'wasm' });
  expect(report.roles[0]?.fromCache).toBe(true);
  const events = await wrap<{ gateEvents(): GateEvent[] }>(worker).gateEvents();
  // transformers.js asks for all three sessions' files at once; the gate lets each be read after the last exists.
  // (Sessions the runtime creates after the load, of no file of the model, read nothing and do not count.)
  expect(events.slice(0, 6).map((e) => e.type)).toEqual(['read', 'created', 'read', 'created', 'read', 'created']);
  expect(events.slice(6).every((e) => e.type === 'created')).toBe(true);
  const sessions = events.flatMap((e) => (e.type === 'read' ? [e.session.split('/').pop()] : []));
  expect(sessions.toSorted()).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
  expect((await warm.caption({ image: await solidImage('#e01020') })).text).toBe(TINY_VLM_CAPTIONS.red);
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

test('storage that runs out mid-write: a notice with the bytes needed, nothing partial kept, a retry fetches the rest', async () => {
  const c = captioner({ createWorker: workers.storageFull });
  await c.cache.clear();
  // The worker has room for about one of the fixture's three ~280 kB ONNX files: the others fail part-way.
  const notices: string[] = [];
  let stored: string[];
  {
    await commands.takeModelRequests();
    const report = await c.load({
      preset: TINY_PRESET,
      device: 'wasm',
      onEvent: (e) => e.type === 'notice' && notices.push(e.message),
    });
    expect(report.roles[0]?.fromCache).toBe(false);
    expect((await c.caption({ image: await solidImage('#e01020') })).text).toBe(TINY_VLM_CAPTIONS.red);
    const full = notices.filter((m) => m.includes('Not enough browser storage'));
    expect(full.length, notices.join('\n')).toBeGreaterThan(0);
    for (const message of full) {
      expect(message).toMatch(
        /^onnx\/\w+\.onnx was not cached \(Not enough browser storage for \w+\.onnx: needs about 0\.\d+ MB \(\d+ bytes\), and the browser’s storage is full\. Delete cached models or free disk space, then try again\.\); it will download again next time\.$/,
      );
    }
    expect((await c.cache.list()).find((m) => m.repo === TINY_VLM.repo)?.complete).toBe(false);
    // Nothing partial: every chunk belongs to a stored file, and every stored file has all its chunks.
    const db = await openDB('metacaptioner-weights', CACHE_FORMAT);
    const files = (await db.getAll('files')) as { url: string; generation: string; hashes: string[] }[];
    const chunkKeys = (await db.getAllKeys('chunks')) as unknown as [string, number][];
    db.close();
    const perFile = new Map(files.map((f) => [`${f.url}#${f.generation}`, f.hashes.length]));
    for (const [key] of chunkKeys) expect(perFile.has(key), `chunk of ${key}`).toBe(true);
    for (const [key, count] of perFile) expect(chunkKeys.filter(([k]) => k === key).length, key).toBe(count);
    stored = files.map((f) => f.url.split('/').pop() ?? '');
  }
  // With room again, a new worker downloads only the files that were not kept.
  c.dispose();
  await commands.takeModelRequests();
  await captioner({ createWorker: workers.smallChunks }).load({ preset: TINY_PRESET, device: 'wasm' });
  const fetched = (await commands.takeModelRequests()).map((p) => p.split('/').pop() ?? '');
  expect(fetched.length).toBeGreaterThan(0);
  for (const file of fetched) expect(stored, file).not.toContain(file);
});

test('storage already full: models complete in the cache load and caption from reads alone; a new one is refused with its size', async () => {
  const first = captioner();
  await first.cache.clear();
  await first.load({ preset: TINY_PRESET, device: 'wasm' });
  first.dispose();
  const full = captioner({ createWorker: workers.storageFrozen });
  const notices: string[] = [];
  const report = await full.load({
    preset: TINY_PRESET,
    device: 'wasm',
    onEvent: (e) => e.type === 'notice' && notices.push(e.message),
  });
  expect(report.roles.every((r) => r.fromCache)).toBe(true);
  expect((await full.caption({ image: await solidImage('#e01020') })).text).toBe(TINY_VLM_CAPTIONS.red);
  // The bookkeeping that could not be written is a notice, never a failure.
  expect(notices).toContain(
    `Browser storage is full: ${TINY_VLM.repo} loads from the cache, but when it was last used is not recorded. Delete cached models or free disk space.`,
  );
  // A model that is not cached cannot be stored: refused before any download, with its size and the way out.
  const refused = await full.load({ preset: TINY_PRESET, roles: ['router'], device: 'wasm' }).catch((e: Error) => e);
  expect(refused).toMatchObject({ name: 'QuotaExceededError' });
  expect((refused as Error).message).toMatch(
    new RegExp(
      `^Not enough browser storage for ${TINY_CLIP.repo}: needs about [\\d.]+ MB .*Delete cached models or free disk space, then try again\\.$`,
    ),
  );
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

test('a model file the host serves damaged: the error names it, the other roles stay loaded, a retry fetches just it', async () => {
  const c = captioner();
  await c.cache.clear();
  const vision = `/${TINY_CLIP.repo}/resolve/main/onnx/vision_model.onnx`;
  await commands.replaceModelFile(vision, '<!doctype html><title>502 Bad Gateway</title>');
  try {
    const failed = c.load({ preset: TINY_PRESET, roles: ['vlm', 'router'], device: 'wasm' });
    await expect(failed).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringMatching(
        /^Could not load forge\/tiny-clip@main on wasm: onnx\/vision_model\.onnx from 127\.0\.0\.1:\d+ has an unexpected field .* not an ONNX model .*it was not kept$/,
      ),
    });
    // The VLM loaded before the router failed, and stays loaded: a caption runs with no download.
    await commands.takeModelRequests();
    expect((await c.caption({ image: await solidImage('#e01020') })).text).toBe(TINY_VLM_CAPTIONS.red);
    expect(await commands.takeModelRequests()).toEqual([]);
    expect(await c.cache.list().then((l) => l.find((m) => m.repo === TINY_CLIP.repo)?.complete)).not.toBe(true);
  } finally {
    await commands.replaceModelFile(vision, null);
  }
  // The host is mended: the retry keeps the VLM and downloads only the router's damaged file.
  const report = await c.load({ preset: TINY_PRESET, roles: ['vlm', 'router'], device: 'wasm' });
  expect(report.roles.map((r) => [r.role, r.fromCache])).toEqual([
    ['vlm', true],
    ['router', false],
  ]);
  expect(await commands.takeModelRequests()).toEqual([vision]);
});

test('a model onnxruntime cannot run: the error names it and its files; a fresh worker loads the next model', async () => {
  const notices: string[] = [];
  const c = captioner({ onEvent: (e) => e.type === 'notice' && notices.push(e.message) });
  const unrunnable = { ...TINY_PRESET, router: { ...TINY_CLIP, repo: 'forge/tiny-clip-unrunnable' } };
  await expect(c.load({ preset: unrunnable, roles: ['vlm', 'router'], device: 'wasm' })).rejects.toMatchObject({
    name: 'ModelLoadError',
    message: expect.stringMatching(
      /^Could not load forge\/tiny-clip-unrunnable@main on wasm: .*NoSuchOperator.* \(its files: onnx\/text_model\.onnx, onnx\/vision_model\.onnx\)$/s,
    ),
  });
  expect(notices).toContain(
    'A model failed to load; a fresh captioning worker takes over (loaded models reload from the cache).',
  );
  // transformers.js would fail every later session in the old worker; the new one loads and captions.
  const report = await c.load({ preset: TINY_PRESET, roles: ['vlm', 'router'], device: 'wasm' });
  expect(report.roles.map((r) => r.role)).toEqual(['vlm', 'router']);
  expect((await c.caption({ image: await solidImage('#10c020') })).text).toBe(TINY_VLM_CAPTIONS.green);
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
