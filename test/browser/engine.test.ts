/**
 * The inference engine in real Chromium: the IndexedDB weight cache
 * (offline second load, interrupted download, low quota, delete/clear,
 * import from disk), device fallback, cancellation and crash recovery —
 * all through the public client, real workers and the local model server.
 */
import { wrap } from 'comlink';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type Captioner, type CaptionerOptions, createCaptioner } from '../../src/client/captioner';
import { describeDevice, describeDeviceDetail } from '../../src/shared/device';
import type { CaptionEvent } from '../../src/shared/events';
import { TINY_ENDLESS_VLM, TINY_PRESET, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;
const VLM_FILES = ['vision_encoder.onnx', 'embed_tokens.onnx', 'decoder_model_merged.onnx'];
const ENDLESS_PRESET = { ...TINY_PRESET, vlm: TINY_ENDLESS_VLM };

const workers = {
  smallChunks: () => new Worker(new URL('./workers/small-chunks.worker.ts', import.meta.url), { type: 'module' }),
  lowQuota: () => new Worker(new URL('./workers/low-quota.worker.ts', import.meta.url), { type: 'module' }),
  noWebgpu: () => new Worker(new URL('./workers/no-webgpu.worker.ts', import.meta.url), { type: 'module' }),
  gpuFaults: () => new Worker(new URL('./workers/gpu-faults.worker.ts', import.meta.url), { type: 'module' }),
  smallGpu: () => new Worker(new URL('./workers/small-gpu.worker.ts', import.meta.url), { type: 'module' }),
};

/** The fault switches of gpu-faults.worker.ts. */
interface GpuFaults {
  loseGpuDevice(): Promise<boolean>;
  failNextGpuJob(message?: string): Promise<void>;
  failNextCapflowStep(message: string): Promise<void>;
}

const open: Captioner[] = [];
function captioner(options: CaptionerOptions = {}): Captioner {
  const c = createCaptioner({ source, createWorker: workers.smallChunks, ...options });
  open.push(c);
  return c;
}

/** A captioner on the fault-injecting worker, with the tiny VLM loaded on WebGPU. */
async function onWebGpu() {
  let worker: Worker | null = null;
  const c = captioner({ createWorker: () => (worker = workers.gpuFaults()) });
  const report = await c.load({ preset: TINY_PRESET, device: 'webgpu' });
  expect(report.device).toBe('webgpu');
  if (!worker) throw new Error('no worker');
  return { c, faults: wrap<GpuFaults>(worker) };
}

afterEach(async () => {
  await commands.setModelServerOffline(false);
  for (const c of open.splice(0)) c.dispose();
});

const onnxRequests = (paths: readonly string[]) =>
  paths.filter((p) => p.endsWith('.onnx')).map((p) => p.split('/').pop());

describe('loading more roles', () => {
  test('a later load that asks for more roles keeps the models already loaded and loads only the rest', async () => {
    const c = captioner();
    await c.load({ preset: TINY_PRESET, roles: ['vlm'], device: 'wasm' });
    await commands.takeModelRequests();
    const events: CaptionEvent[] = [];
    const report = await c.load({
      preset: TINY_PRESET,
      roles: ['vlm', 'llm', 'router'],
      device: 'wasm',
      onEvent: (e) => events.push(e),
    });
    expect(report.roles.map((r) => [r.role, r.loadMs === 0 && r.compileMs === 0])).toEqual([
      ['vlm', true],
      ['llm', false],
      ['router', false],
    ]);
    // Nothing of the VLM was read again, from the network or the cache.
    expect(events.filter((e) => (e.type === 'cached' || e.type === 'download') && e.role === 'vlm')).toEqual([]);
    const fetched = await commands.takeModelRequests();
    expect(fetched.filter((p) => p.includes(TINY_VLM.repo))).toEqual([]);
    const record = await c.capflow({
      image: await solidImage('rgb(230, 20, 30)'),
      options: { domain: 'natural', judge: null },
    });
    expect(record.trace.find((t) => t.agent === 'natural-perception')?.output).toBe(TINY_VLM_CAPTIONS.red);
  });
});

describe('weight cache', () => {
  test('first load downloads and caches; with the network off a second load still captions, from the cache alone', async () => {
    const first = captioner();
    await first.cache.clear();
    await commands.takeModelRequests();
    const firstEvents: CaptionEvent[] = [];
    const report = await first.load({ preset: TINY_PRESET, device: 'wasm', onEvent: (e) => firstEvents.push(e) });
    expect(report.roles[0]?.fromCache).toBe(false);
    expect(onnxRequests(await commands.takeModelRequests()).sort()).toEqual([...VLM_FILES].sort());
    const downloads = firstEvents.filter((e) => e.type === 'download');
    expect(downloads.at(-1)).toMatchObject({ loadedAll: expect.any(Number), totalAll: expect.any(Number) });
    const [listed] = await first.cache.list();
    expect(listed).toMatchObject({ repo: TINY_VLM.repo, revision: 'main', complete: true });
    expect(listed?.bytes).toBeGreaterThan(500_000);
    first.dispose();

    await commands.setModelServerOffline(true);
    const second = captioner();
    const events: CaptionEvent[] = [];
    const again = await second.load({ preset: TINY_PRESET, device: 'wasm', onEvent: (e) => events.push(e) });
    expect(again.roles[0]).toMatchObject({ fromCache: true, repo: TINY_VLM.repo });
    expect(events.filter((e) => e.type === 'download')).toEqual([]);
    expect(events.filter((e) => e.type === 'cached').map((e) => e.type === 'cached' && e.file)).toEqual(
      expect.arrayContaining(VLM_FILES.map((f) => `onnx/${f}`)),
    );
    const result = await second.caption({ image: await solidImage('#e01020') });
    expect(result.text).toBe(TINY_VLM_CAPTIONS.red);
    expect(await commands.takeModelRequests(), 'requests while offline').toEqual([]);
  });

  test('a download cut half-way leaves no cached entry, and the next load fetches just that file', async () => {
    const c = captioner();
    await c.cache.clear();
    await commands.takeModelRequests();
    await commands.cutDownloadHalfway('/forge/tiny-smolvlm/resolve/main/onnx/decoder_model_merged.onnx');
    await expect(c.load({ preset: TINY_PRESET, device: 'wasm' })).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringMatching(
        /^Could not load forge\/tiny-smolvlm@main on wasm: the download of onnx\/decoder_model_merged\.onnx from 127\.0\.0\.1:\d+ broke off after \d+ of \d+ bytes \(.+\); nothing of it was kept, and a retry fetches only the files not yet stored$/,
      ),
    });
    const [partial] = await c.cache.list();
    expect(partial).toMatchObject({ repo: TINY_VLM.repo, complete: false });
    await commands.takeModelRequests();

    const report = await c.load({ preset: TINY_PRESET, device: 'wasm' });
    expect(report.roles[0]?.repo).toBe(TINY_VLM.repo);
    expect(onnxRequests(await commands.takeModelRequests())).toEqual(['decoder_model_merged.onnx']);
    expect((await c.cache.list())[0]).toMatchObject({ complete: true });
    expect((await c.caption({ image: await solidImage('#1030e0') })).text).toBe(TINY_VLM_CAPTIONS.blue);
  });

  test('too little storage: a clear error naming the bytes, before any download, and nothing written', async () => {
    const c = captioner({ createWorker: workers.lowQuota });
    await c.cache.clear();
    await commands.takeModelRequests();
    const big = { ...TINY_PRESET, vlm: { ...TINY_VLM, approxBytes: 5_000_000 } };
    const error = await c.load({ preset: big, device: 'wasm' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'QuotaExceededError' });
    expect(String((error as Error).message)).toMatch(
      /needs about 5\.00 MB \(5000000 bytes\), only 1\.00 MB \(1000000 bytes\) available/,
    );
    expect(onnxRequests(await commands.takeModelRequests())).toEqual([]);
    expect(await c.cache.list()).toEqual([]);
  });

  test('delete and clear really free the entries', async () => {
    const c = captioner();
    await c.cache.clear();
    await c.load({ preset: TINY_PRESET, roles: ['vlm', 'llm', 'router'], device: 'wasm' });
    const listed = await c.cache.list();
    expect(listed.map((m) => m.repo).sort()).toEqual(['forge/tiny-clip', 'forge/tiny-qwen3', 'forge/tiny-smolvlm']);
    const vlm = listed.find((m) => m.repo === TINY_VLM.repo);
    await c.cache.delete(vlm?.key ?? '');
    expect((await c.cache.list()).map((m) => m.repo).sort()).toEqual(['forge/tiny-clip', 'forge/tiny-qwen3']);
    await c.cache.clear();
    expect(await c.cache.list()).toEqual([]);
    await commands.takeModelRequests();
    // A new worker (this one keeps its loaded models in memory): nothing is left to load from.
    await captioner().load({ preset: TINY_PRESET, device: 'wasm' });
    expect(onnxRequests(await commands.takeModelRequests()).sort(), 'everything downloads again').toEqual(
      [...VLM_FILES].sort(),
    );
  });

  test('a model folder imported from disk loads with the network off', async () => {
    const c = captioner();
    const paths = [
      'config.json',
      'generation_config.json',
      'preprocessor_config.json',
      'processor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
      ...VLM_FILES.map((f) => `onnx/${f}`),
    ];
    const files = await Promise.all(
      paths.map(async (path) => {
        const blob = await (await fetch(`${source.host}forge/tiny-smolvlm/${path}`)).blob();
        return { path: `my-vlm/${path}`, blob };
      }),
    );
    await expect(c.cache.importFolder(files.slice(1))).rejects.toMatchObject({
      name: 'ImportError',
      message: expect.stringContaining('config.json'),
    });
    const repo = await c.cache.importFolder(files);
    expect(repo).toBe('imported/my-vlm');
    await commands.setModelServerOffline(true);
    await commands.takeModelRequests();
    await c.load({ preset: TINY_PRESET, overrides: { vlm: { kind: 'imported', repo } }, device: 'wasm' });
    expect((await c.caption({ image: await solidImage('#10c020') })).text).toBe(TINY_VLM_CAPTIONS.green);
    expect(await commands.takeModelRequests()).toEqual([]);
  });
});

describe('devices', () => {
  test('an adapter reporting small limits: quality is refused with the reason before any request, auto takes balanced', async () => {
    const c = captioner({ createWorker: workers.smallGpu });
    await commands.takeModelRequests();
    const fit = await c.fit('webgpu');
    expect(fit.tiers.map((t) => [t.tier, t.kind])).toEqual([
      ['tiny', 'fits'],
      ['balanced', 'fits'],
      ['quality', 'doesNot'],
    ]);
    expect(fit.auto).toMatchObject({ tier: 'balanced', fits: true });
    const error = await c.load({ preset: 'quality', device: 'webgpu' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DeviceTooSmallError' });
    expect(String((error as Error).message)).toMatch(/^Quality needs one 254 MB buffer; this GPU allows 134 MB\. /);
    // Refused before anything was fetched: no config, no weights.
    expect(await commands.takeModelRequests()).toEqual([]);
    // Automatic on this software adapter means WASM, whose runtime lacks the Qwen3.5 tiers' GatherBlockQuantized.
    expect((await c.fit()).auto.tier).toBe('tiny');
  });

  test('without WebGPU, auto falls back to WASM with the same caption; asking for WebGPU says why not', async () => {
    const c = captioner({ createWorker: workers.noWebgpu });
    const info = await c.probe();
    expect(info).toMatchObject({ adapter: null, preferred: 'wasm', webgpuError: 'navigator.gpu is missing' });
    await expect(c.load({ preset: TINY_PRESET, device: 'webgpu' })).rejects.toMatchObject({
      name: 'WebGpuUnavailableError',
    });
    const report = await c.load({ preset: TINY_PRESET, device: 'auto' });
    expect(report.device).toBe('wasm');
    const result = await c.caption({ image: await solidImage('#e01020') });
    expect(result).toMatchObject({ text: TINY_VLM_CAPTIONS.red, device: 'wasm' });
  });

  // Issue 25: on SwiftShader an OCR-routed screenshot took 306 s on WebGPU and 10.4 s on WASM.
  test(
    'on a software adapter (SwiftShader here) auto runs on WASM and says why; WebGPU stays an explicit choice',
    {
      timeout: 120_000,
    },
    async () => {
      const c = captioner();
      const info = await c.probe();
      const why = /^the WebGPU adapter \(google swiftshader\) is a software fallback adapter, slower than WASM$/;
      expect(info.adapter?.isFallback).toBe(true);
      expect(info).toMatchObject({ preferred: 'wasm', autoReason: expect.stringMatching(why) });
      expect(describeDevice(info)).toBe(
        'Runs on the CPU: the GPU here is a slow software emulation (it stays a choice in the settings)',
      );
      expect(describeDeviceDetail(info)).toMatch(
        /^WebGPU: google swiftshader \(software fallback adapter\).*automatic picks wasm \(the WebGPU adapter .* software fallback adapter/,
      );
      expect(describeDevice(info, 'webgpu')).toBe(
        'Runs on the GPU, a slow software emulation (chosen in the settings)',
      );
      // The plans (the page's sizes and dtypes) follow the same choice.
      const plan = await c.plan({ preset: TINY_PRESET, roles: ['vlm'], device: 'auto', ocr: true });
      expect(plan).toMatchObject({ device: 'wasm', exact: true });
      expect((await c.plan({ preset: TINY_PRESET, roles: ['vlm'], device: 'webgpu' })).device).toBe('webgpu');

      const events: CaptionEvent[] = [];
      const report = await c.load({ preset: TINY_PRESET, roles: ['vlm'], onEvent: (e) => events.push(e) });
      expect(report).toMatchObject({ device: 'wasm', deviceReason: expect.stringMatching(why) });
      expect(events.filter((e) => e.type === 'notice').map((e) => e.message)).toEqual([
        expect.stringMatching(
          /^Automatic device: WASM \(CPU\), because the WebGPU adapter .*\. Ask for WebGPU to use it anyway\.$/,
        ),
      ]);
      const record = await c.capflow({
        image: await solidImage('rgb(230, 20, 30)'),
        options: { mode: 'single-pass', domain: 'natural', judge: null },
      });
      expect(record.runtime).toMatchObject({ device: 'wasm', deviceReason: expect.stringMatching(why) });

      // Asked for by name, the software adapter is used, and nothing needs explaining.
      const gpuEvents: CaptionEvent[] = [];
      const gpu = await c.load({
        preset: TINY_PRESET,
        roles: ['vlm'],
        device: 'webgpu',
        onEvent: (e) => gpuEvents.push(e),
      });
      expect(gpu.device).toBe('webgpu');
      expect(gpu.deviceReason).toBeUndefined();
      expect(gpuEvents.filter((e) => e.type === 'notice')).toEqual([]);
      expect(await c.caption({ image: await solidImage('#e01020') })).toMatchObject({
        text: TINY_VLM_CAPTIONS.red,
        device: 'webgpu',
      });
    },
  );
});

// WebGPU here is SwiftShader (a CPU emulating a GPU), and each test loads on it and then again on WASM.
describe('GPU failures', { timeout: 300_000 }, () => {
  test('device.lost: the models reload on WASM and the job runs there with the same caption', async () => {
    const { c, faults } = await onWebGpu();
    expect(await faults.loseGpuDevice(), 'ORT exposes its GPUDevice').toBe(true);
    const notes: CaptionEvent[] = [];
    const result = await c.caption({ image: await solidImage('#e01020'), onEvent: (e) => notes.push(e) });
    expect(result).toMatchObject({ text: TINY_VLM_CAPTIONS.red, device: 'wasm' });
    expect(notes.find((e) => e.type === 'notice')).toMatchObject({
      message: expect.stringMatching(/^WebGPU failed \(.*destroyed.*\); reloading/),
    });
    expect((await c.caption({ image: await solidImage('#1030e0') })).device, 'later jobs stay on WASM').toBe('wasm');
  });

  test('an error while generating on WebGPU is retried once on WASM', async () => {
    const { c, faults } = await onWebGpu();
    await faults.failNextGpuJob();
    const notes: CaptionEvent[] = [];
    const result = await c.caption({ image: await solidImage('#10c020'), onEvent: (e) => notes.push(e) });
    expect(result).toMatchObject({ text: TINY_VLM_CAPTIONS.green, device: 'wasm' });
    expect(notes.find((e) => e.type === 'notice')).toMatchObject({
      message: expect.stringContaining('GPU dispatch failed'),
    });
  });
});

describe('only real GPU faults move work to the CPU', { timeout: 300_000 }, () => {
  test('on WebGPU, a failure that is not the GPU’s fails its job alone, and extreme shapes caption without a fallback', async () => {
    const { c, faults } = await onWebGpu();
    await faults.failNextGpuJob('the tokenizer met an unexpected byte');
    const events: CaptionEvent[] = [];
    const onEvent = (e: CaptionEvent) => events.push(e);
    await expect(c.caption({ image: await solidImage('#e01020'), onEvent })).rejects.toThrow(
      'the tokenizer met an unexpected byte',
    );
    // Letterboxed to a shape the model's preprocessing takes; no reload, the device stays.
    for (const [width, height] of [
      [10000, 10],
      [10, 10000],
      [1, 1],
    ] as const) {
      const result = await c.caption({ image: await solidImage('#e01020', width, height), onEvent });
      expect(result, `${width}×${height}`).toMatchObject({ text: TINY_VLM_CAPTIONS.red, device: 'webgpu' });
    }
    expect(events.filter((e) => ['device-fallback', 'notice', 'download', 'cached'].includes(e.type))).toEqual([]);
  });

  test('the GPU failing mid-CapFlow: that job finishes on WASM with a notice, and the device says so', async () => {
    const { c, faults } = await onWebGpu();
    await c.load({ preset: TINY_PRESET, roles: ['vlm', 'llm', 'router'], device: 'webgpu' });
    await faults.failNextCapflowStep('GPUOutOfMemoryError: buffer allocation failed');
    const events: CaptionEvent[] = [];
    const record = await c.capflow({
      image: await solidImage('#e01020'),
      options: { domain: 'natural', judge: null },
      onEvent: (e) => events.push(e),
    });
    expect(record.runtime?.device).toBe('wasm');
    expect(record.trace.map((t) => t.agent)).toEqual([
      'natural-perception',
      'general-reasoning',
      'visual-guideline',
      'summary',
    ]);
    expect(events.find((e) => e.type === 'device-fallback')).toMatchObject({ from: 'webgpu', to: 'wasm' });
    expect(events.find((e) => e.type === 'notice')).toMatchObject({
      message: expect.stringContaining('GPUOutOfMemoryError'),
    });
  });
});

describe('cancel and recovery', () => {
  test('cancel mid-generation stops within a few tokens and the next job runs', async () => {
    const stopped: CaptionEvent[] = [];
    const c = captioner({ onEvent: (e) => e.type === 'cancelled' && stopped.push(e), cancelGraceMs: 60_000 });
    await c.load({ preset: ENDLESS_PRESET, device: 'wasm' });
    const image = await solidImage('#e01020');
    const words: string[] = [];
    const running = c.caption({
      jobId: 'endless',
      image,
      maxNewTokens: 5000,
      onEvent: (e) => {
        if (e.type !== 'token') return;
        words.push(e.text);
        if (words.length === 2) c.cancel('endless');
      },
    });
    await expect(running).rejects.toMatchObject({ name: 'CancelledError' });
    const next = await c.caption({ image, maxNewTokens: 5 });
    expect(next.text).toBe('RSTUV');
    expect(stopped).toHaveLength(1);
    const [event] = stopped;
    if (event?.type !== 'cancelled') throw new Error('expected a cancelled event');
    expect(event.tokensAfterCancel, 'tokens generated after the cancel reached the worker').toBeLessThanOrEqual(2);
    expect(words.slice(0, 2)).toEqual(['RSTUVWXYZ. ', 'abcdefghijklmnopqrstuvwxyz. ']);
  });

  test('a queued job can be cancelled by AbortSignal before it starts', async () => {
    const c = captioner();
    await c.load({ preset: TINY_PRESET, device: 'wasm' });
    const image = await solidImage('#1030e0');
    const abort = new AbortController();
    const first = c.caption({ image });
    const second = c.caption({ image, signal: abort.signal });
    abort.abort();
    await expect(second).rejects.toMatchObject({ name: 'CancelledError' });
    expect((await first).text).toBe(TINY_VLM_CAPTIONS.blue);
  });

  test('a worker killed mid-job fails that job clearly, restarts, reloads from the cache and runs the next job', async () => {
    let last: Worker | null = null;
    const notices: string[] = [];
    const c = captioner({
      createWorker: () => (last = workers.smallChunks()),
      onEvent: (e) => e.type === 'notice' && notices.push(e.message),
    });
    await c.load({ preset: ENDLESS_PRESET, device: 'wasm' });
    const image = await solidImage('#e01020');
    const running = c.caption({
      image,
      name: 'crash me.png',
      maxNewTokens: 5000,
      onEvent: (e) => e.type === 'token' && last?.terminate(),
    });
    // The error names the file it was captioning, as every error a user sees does.
    await expect(running).rejects.toMatchObject({
      name: 'WorkerCrashedError',
      message: expect.stringMatching(/^"crash me\.png": The captioning worker stopped/),
    });
    await commands.takeModelRequests();
    const next = await c.caption({ image, maxNewTokens: 5 });
    expect(next.text).toBe('RSTUV');
    expect(onnxRequests(await commands.takeModelRequests()), 'models came back from the cache').toEqual([]);
    expect(notices.join(' ')).toMatch(/stopped .*reloading models/s);
  });
});
