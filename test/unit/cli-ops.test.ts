/** The CLI's cluster operations as pure logic: which key goes where, shards from the scheduler, the offline route. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { chooseKey, isLoopback, keysFor } from '../../src/cli/keys';
import { chooseRoute, isOnDisk, loadingRouter, modelFolder } from '../../src/cli/offline-route';
import { chosenShard, shardFromEnv } from '../../src/cli/shard';
import { CLIP_B32 } from '../../src/shared/presets';

describe('keys', () => {
  const none = { allowInsecure: false };
  test('loopback hosts are this machine, and nothing else is', () => {
    for (const host of ['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', 'localhost.example.com', 'gpu-1', '[::2]', '0.0.0.0'])
      expect(isLoopback(host), host).toBe(false);
  });

  test('the default variable goes to https only; a named one to https and this machine, else it is refused', () => {
    const env = { OPENAI_API_KEY: 'sk-default', MY_KEY: 'sk-mine', EMPTY: '' };
    expect(chooseKey('https://api.example.com/v1', none, env)).toEqual({
      kind: 'send',
      variable: 'OPENAI_API_KEY',
      key: 'sk-default',
    });
    expect(chooseKey('http://127.0.0.1:8000/v1', none, env)).toEqual({ kind: 'none', unsent: 'OPENAI_API_KEY' });
    expect(chooseKey('http://gpu-1:8000/v1', none, env)).toEqual({ kind: 'none', unsent: 'OPENAI_API_KEY' });
    expect(chooseKey('https://api.example.com/v1', none, {})).toEqual({ kind: 'none' });
    const named = { keyEnv: 'MY_KEY', allowInsecure: false };
    expect(chooseKey('http://localhost:11434/v1', named, env)).toMatchObject({ kind: 'send', key: 'sk-mine' });
    expect(chooseKey('https://gpu-1/v1', named, env)).toMatchObject({ kind: 'send', key: 'sk-mine' });
    expect(chooseKey('http://gpu-1:8000/v1', named, env)).toEqual({
      kind: 'refused',
      variable: 'MY_KEY',
      host: 'gpu-1',
    });
    expect(chooseKey('http://gpu-1:8000/v1', { ...named, allowInsecure: true }, env)).toMatchObject({ kind: 'send' });
    expect(chooseKey('https://gpu-1/v1', { keyEnv: 'EMPTY', allowInsecure: false }, env)).toEqual({
      kind: 'unset',
      variable: 'EMPTY',
    });
  });

  test('a run’s keys: one notice for every endpoint, a refusal naming the endpoint and the flag', () => {
    const urls = ['https://a.example/v1', 'https://a.example/v1', 'http://127.0.0.1:8000/v1'];
    const run = keysFor(urls, { allowInsecure: false }, { OPENAI_API_KEY: 'k' });
    expect([...run.keys]).toEqual([['https://a.example/v1', 'k']]);
    expect(run.notice).toBe(
      'API key: $OPENAI_API_KEY, sent to https://a.example/v1.\n' +
        'API key: $OPENAI_API_KEY is set but not sent to http://127.0.0.1:8000/v1 (plain http; --api-key-env OPENAI_API_KEY sends it).',
    );
    expect(keysFor(urls, { allowInsecure: false }, {}).notice).toBeNull();
    expect(() => keysFor(['http://10.1.2.3:8000/v1'], { keyEnv: 'K', allowInsecure: false }, { K: 'x' })).toThrow(
      /to http:\/\/10\.1\.2\.3:8000\/v1: it is plain http to another machine \(10\.1\.2\.3\).*--allow-insecure-key/,
    );
  });
});

describe('--shard auto', () => {
  const slurm = (id: number, count: number, min: number, max: number, step?: number) => ({
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_COUNT: String(count),
    SLURM_ARRAY_TASK_MIN: String(min),
    SLURM_ARRAY_TASK_MAX: String(max),
    ...(step !== undefined && { SLURM_ARRAY_TASK_STEP: String(step) }),
  });

  test('Slurm arrays from 0, from 1 and with a step give the task’s position', () => {
    expect([0, 1, 2, 3].map((id) => shardFromEnv(slurm(id, 4, 0, 3, 1)).shard)).toEqual(
      [1, 2, 3, 4].map((index) => ({ index, count: 4 })),
    );
    expect([1, 2, 3, 4].map((id) => shardFromEnv(slurm(id, 4, 1, 4)).shard.index)).toEqual([1, 2, 3, 4]);
    expect([0, 4, 8].map((id) => shardFromEnv(slurm(id, 3, 0, 8, 4)).shard.index)).toEqual([1, 2, 3]);
    expect(shardFromEnv(slurm(5, 1, 5, 5)).shard).toEqual({ index: 1, count: 1 });
    expect(shardFromEnv(slurm(2, 3, 0, 2)).from).toBe('SLURM_ARRAY_TASK_ID=2 in 0…2 (3 tasks)');
  });

  test('Slurm arrays with gaps, ids outside the range and missing variables are refused by name', () => {
    // --array=1,2,8: no step fits; --array=1,2,9 looks like 1-9:4 to every task but task 2, which stops.
    expect(() => shardFromEnv(slurm(8, 3, 1, 8))).toThrow(/evenly spaced indices.*3 tasks from 1 to 8/);
    expect(shardFromEnv(slurm(9, 3, 1, 9)).shard.index).toBe(3);
    expect(() => shardFromEnv(slurm(2, 3, 1, 9))).toThrow(/SLURM_ARRAY_TASK_ID=2 is not one of .* without gaps/);
    expect(() => shardFromEnv(slurm(3, 3, 1, 5, 1))).toThrow(/with step 1/);
    expect(() => shardFromEnv(slurm(4, 3, 1, 3))).toThrow(
      'SLURM_ARRAY_TASK_ID=4 is not one of the evenly spaced indices 1…3',
    );
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(
      'without SLURM_ARRAY_TASK_MIN',
    );
    expect(() => shardFromEnv({ ...slurm(1, 3, 0, 2), SLURM_ARRAY_TASK_ID: 'x' })).toThrow(
      'SLURM_ARRAY_TASK_ID must be a whole number; it is "x".',
    );
    expect(() => shardFromEnv(slurm(1, 3, 0, 2), 4)).toThrow('--shards 4 contradicts SLURM_ARRAY_TASK_COUNT=3');
    expect(shardFromEnv(slurm(1, 3, 0, 2), 3).shard).toEqual({ index: 2, count: 3 });
  });

  test('Kubernetes Indexed Jobs: 0-based index with --shards N', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0' }, 3)).toEqual({
      shard: { index: 1, count: 3 },
      from: 'JOB_COMPLETION_INDEX=0 of 3',
    });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2' }, 3).shard.index).toBe(3);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' }, 3)).toThrow(
      'JOB_COMPLETION_INDEX=3 is not below --shards 3',
    );
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0' })).toThrow('add --shards N');
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '' }, 3)).toThrow('JOB_COMPLETION_INDEX is set but empty.');
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0', ...slurm(0, 2, 0, 1) }, 2)).toThrow('found both');
    expect(() => shardFromEnv({})).toThrow('--shard auto found no scheduler');
  });

  test('--shard i/n and --shards go together only with auto', () => {
    expect(chosenShard(undefined, undefined, {})).toBeNull();
    expect(chosenShard('2/3', undefined, {})).toEqual({ shard: { index: 2, count: 3 }, from: '--shard 2/3' });
    expect(() => chosenShard(undefined, 3, {})).toThrow('--shards N goes with --shard auto');
    expect(() => chosenShard('2/3', 3, {})).toThrow('--shards N goes with --shard auto, not --shard 2/3.');
    expect(chosenShard('auto', 3, { JOB_COMPLETION_INDEX: '1' })?.shard).toEqual({ index: 2, count: 3 });
  });
});

describe('offline route', () => {
  const root = mkdtempSync(join(tmpdir(), 'mc-route-'));
  const place = { cacheDir: join(root, 'cache') };
  const question = { engine: 'openai' as const, routerNamed: false, pinned: false, router: CLIP_B32, place };
  /** Writes the router's config and its two q8 towers where transformers.js's file cache keeps a pinned revision. */
  const cacheRouter = () => {
    const folder = join(place.cacheDir, CLIP_B32.repo, CLIP_B32.revision);
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx'])
      writeFileSync(join(folder, f), '{}');
  };

  test('the openai engine routes with the VLM until the router is on disk; flags, pins and the local engine decide first', async () => {
    expect(modelFolder(CLIP_B32, place)).toBe(join(place.cacheDir, CLIP_B32.repo, CLIP_B32.revision));
    expect(modelFolder({ ...CLIP_B32, revision: 'main' }, place)).toBe(join(place.cacheDir, CLIP_B32.repo));
    expect(modelFolder(CLIP_B32, { ...place, modelsDir: '/m' })).toBe(join('/m', CLIP_B32.repo));
    const missing = await chooseRoute(question);
    expect(missing.route).toBe('vlm');
    expect(missing.notice).toContain(`the router ${CLIP_B32.repo} is not in the cache (${place.cacheDir})`);
    expect(await chooseRoute({ ...question, flag: 'local' })).toEqual({ route: 'local', notice: null });
    expect(await chooseRoute({ ...question, engine: 'local' })).toEqual({ route: 'local', notice: null });
    expect(await chooseRoute({ ...question, routerNamed: true })).toEqual({ route: 'local', notice: null });
    expect(await chooseRoute({ ...question, pinned: true })).toEqual({ route: 'local', notice: null });
    expect((await chooseRoute({ ...question, place: { ...place, modelsDir: root } })).notice).toContain(
      `is not in --models ${root}`,
    );
    cacheRouter();
    expect(await isOnDisk(CLIP_B32, place)).toBe(true);
    expect(await chooseRoute(question)).toEqual({ route: 'local', notice: null });
  });

  test('a router that fails to load keeps the reason and names where it looked and the ways out', async () => {
    const failing = loadingRouter(CLIP_B32, { ...place, host: 'http://mirror:9' }, () =>
      Promise.reject(new Error('fetch failed')),
    );
    await expect(failing).rejects.toThrow(
      `Could not load the router ${CLIP_B32.repo} from http://mirror:9 (not in the cache ${place.cacheDir}): fetch failed. ` +
        'Ways out: --route vlm',
    );
    await expect(failing).rejects.toMatchObject({ name: 'ModelLoadError' });
    await expect(loadingRouter(CLIP_B32, place, async () => 'loaded')).resolves.toBe('loaded');
  });
});
