/** The engine's pure parts: chunking, preset contents, role resolution, import checks, the job queue. */
import { describe, expect, test } from 'vitest';
import { folderImport } from '../../src/client/folder-import';
import { JobQueue } from '../../src/client/job-queue';
import { CHUNK_BYTES, chunksOf } from '../../src/models/cache/chunking';
import { importProblem } from '../../src/models/cache/import-model';
import { isFullPrecisionSafe } from '../../src/shared/model-spec';
import { PRESETS, QWEN3_06B, presetBytes, presetIdOf, requirePresetId } from '../../src/shared/presets';
import { applyOverride, resolveRoles } from '../../src/shared/roles';
import { plannedFiles } from '../../src/shared/model-files';
import { loadParts } from '../../src/models/pretrained';

/** A stream that hands out `pieces` as they are, like a network body. */
function streamOf(pieces: readonly number[][]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(new Uint8Array(p));
      controller.close();
    },
  });
}

async function chunks(pieces: readonly number[][], size: number): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of chunksOf(streamOf(pieces), size)) out.push([...c]);
  return out;
}

describe('chunking', () => {
  test('a body arriving in any pieces is cut into exact chunks, the last one short', async () => {
    expect(await chunks([[1, 2, 3], [4, 5, 6, 7, 8, 9], [10]], 4)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(
      await chunks(
        [
          [1, 2],
          [3, 4],
        ],
        4,
      ),
    ).toEqual([[1, 2, 3, 4]]);
    expect(await chunks([], 4)).toEqual([[]]);
    expect(CHUNK_BYTES).toBe(8 * 1024 * 1024);
  });
  test('a bad chunk size is rejected', async () => {
    await expect(chunks([[1]], 0)).rejects.toThrow(RangeError);
  });
});

describe('presets', () => {
  test('three tiers, smallest first, each within its budget at its smallest plan', () => {
    expect(Object.keys(PRESETS)).toEqual(['tiny', 'balanced', 'quality']);
    expect(PRESETS.tiny.vlm.approxBytes).toBeLessThanOrEqual(300_000_000);
    expect(PRESETS.balanced.vlm.approxBytes).toBeLessThanOrEqual(1_000_000_000);
    expect(PRESETS.quality.vlm.approxBytes).toBeLessThanOrEqual(2_500_000_000);
    const sizes = Object.values(PRESETS).map(presetBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(presetBytes(PRESETS.quality)).toBeLessThanOrEqual(2_500_000_000);
  });
  test('every tier’s VLM writes the summary too: one download, one set of GPU buffers', () => {
    for (const preset of Object.values(PRESETS)) expect(preset.llm, preset.id).toBe('vlm');
  });
  test('a tier is named by its id or an earlier name; any other name is a specific error', () => {
    expect(presetIdOf('quality')).toBe('quality');
    expect(presetIdOf('light')).toBe('tiny');
    expect(presetIdOf('toString')).toBeNull();
    expect(presetIdOf(null)).toBeNull();
    expect(requirePresetId('light')).toBe('tiny');
    expect(() => requirePresetId('huge')).toThrow('"huge" is not a preset: use auto, tiny, balanced, quality.');
  });
  test('every preset model has a fallback plan that needs no shader-f16', () => {
    for (const preset of Object.values(PRESETS)) {
      for (const spec of [preset.vlm, preset.router, ...(preset.llm === 'vlm' ? [] : [preset.llm])]) {
        expect(isFullPrecisionSafe(spec.dtypes.webgpu), spec.repo).toBe(true);
        expect(isFullPrecisionSafe(spec.dtypes.wasm), spec.repo).toBe(true);
        expect(spec.repo).toMatch(/^[\w-]+\/[\w.-]+$/);
      }
    }
  });
  test('a plan mixes float types of image features and token embeddings only as fp16 vision over q4 embeddings', () => {
    // Features are converted to the embeddings' type before the CPU-side merge (feature-types.ts, tested below).
    const floatOf = (dtype: string) => (dtype === 'fp16' || dtype === 'q4f16' ? 'f16' : 'f32');
    for (const preset of Object.values(PRESETS)) {
      for (const [device, plan] of Object.entries(preset.vlm.dtypes)) {
        if (typeof plan === 'string') continue; // one dtype for every session
        const { vision_encoder: vision, embed_tokens: embed } = plan;
        if (!vision || !embed || floatOf(vision) === floatOf(embed)) continue;
        expect([vision, embed], `${preset.vlm.repo} ${device}`).toEqual(['fp16', 'q4']);
      }
    }
  });
  test('presets are frozen data', () => {
    expect(Object.isFrozen(PRESETS)).toBe(true);
  });
});

describe('roles', () => {
  test('the tiny preset shares its VLM as the summary LLM', () => {
    const roles = resolveRoles(PRESETS.tiny, {}, ['llm']);
    expect(roles.map((r) => [r.role, r.spec.repo, r.sharedWith])).toEqual([
      ['vlm', PRESETS.tiny.vlm.repo, undefined],
      ['llm', PRESETS.tiny.vlm.repo, 'vlm'],
    ]);
  });
  test('a text model overriding the tiny preset’s shared summary gets a text model’s dtype plan, not the VLM’s', () => {
    const [llm] = resolveRoles(PRESETS.tiny, { llm: { kind: 'repo', repo: 'me/text-llm' } }, ['llm']);
    expect(llm).toMatchObject({ role: 'llm', spec: { family: 'qwen3', repo: 'me/text-llm' } });
    expect(llm?.sharedWith).toBeUndefined();
    expect(llm?.spec.dtypes).toEqual(QWEN3_06B.dtypes);
    expect(llm?.spec.approxBytes).toBe(QWEN3_06B.approxBytes);
    expect(plannedFiles('qwen3', llm?.spec.dtypes.webgpu ?? 'fp32', undefined)).toContain('onnx/model_q4.onnx');
  });
  test('overrides by repo, host and imported folder keep the role’s dtype plan', () => {
    const base = PRESETS.balanced.vlm;
    expect(applyOverride(base, { kind: 'repo', repo: 'me/vlm' })).toMatchObject({
      repo: 'me/vlm',
      revision: 'main',
      dtypes: base.dtypes,
    });
    expect(
      applyOverride(base, {
        kind: 'host',
        repo: 'me/vlm',
        revision: 'v1',
        host: 'https://m.example/',
        pathTemplate: '{model}/',
      }).source,
    ).toEqual({
      kind: 'host',
      host: 'https://m.example/',
      pathTemplate: '{model}/',
    });
    expect(applyOverride(base, { kind: 'imported', repo: 'imported/x' }).source).toEqual({ kind: 'imported' });
    expect(() => applyOverride(base, { kind: 'repo', repo: '../etc' })).toThrow(/not a model repo id/);
  });
  test('roles load in order, each once', () => {
    expect(resolveRoles(PRESETS.balanced, {}, ['router', 'llm', 'vlm']).map((r) => r.role)).toEqual([
      'vlm',
      'llm',
      'router',
    ]);
  });
});

describe('import checks', () => {
  test('a folder needs config.json and ONNX weights', () => {
    expect(importProblem('m', ['config.json', 'onnx/model.onnx'])).toBeNull();
    expect(importProblem('m', ['onnx/model.onnx'])).toMatch(/no config.json/);
    expect(importProblem('m', ['config.json', 'model.safetensors'])).toMatch(/no onnx\/\*\.onnx/);
    expect(importProblem('../x', ['config.json', 'onnx/a.onnx'])).toMatch(/cannot name/);
    expect(importProblem('m', ['config.json', 'onnx/../a.onnx'])).toMatch(/unusual paths/);
  });
  test('picked folder paths lose the folder name, which names the model', () => {
    const blob = new Blob(['{}']);
    const picked = folderImport([
      { path: 'SmolVLM/config.json', blob },
      { path: 'SmolVLM/onnx/a.onnx', blob },
    ]);
    expect(picked.name).toBe('SmolVLM');
    expect(picked.files.map((f) => f.path)).toEqual(['config.json', 'onnx/a.onnx']);
    expect(() => folderImport([])).toThrow(/No files/);
  });
});

describe('job queue', () => {
  const deferred = <T>() => {
    let resolve: (v: T) => void = () => {};
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
  };

  test('runs jobs one at a time, in order', async () => {
    const queue = new JobQueue(() => {});
    const order: string[] = [];
    const a = deferred<string>();
    const first = queue.add('a', () => (order.push('a'), a.promise));
    const second = queue.add('b', async () => (order.push('b'), 'B'));
    expect(order).toEqual(['a']);
    a.resolve('A');
    expect(await first).toBe('A');
    expect(await second).toBe('B');
    expect(order).toEqual(['a', 'b']);
  });

  test('cancelling the running job rejects it at once, asks to stop it, and waits for it before the next', async () => {
    const cancelled: string[] = [];
    const queue = new JobQueue((id) => cancelled.push(id));
    const a = deferred<string>();
    let bStarted = false;
    const first = queue.add('a', () => a.promise);
    const second = queue.add('b', async () => ((bStarted = true), 'B'));
    expect(queue.cancel('a')).toBe(true);
    await expect(first).rejects.toMatchObject({ name: 'CancelledError' });
    expect(cancelled).toEqual(['a']);
    expect(bStarted).toBe(false);
    a.resolve('late result, dropped');
    expect(await second).toBe('B');
  });

  test('cancelling a waiting job never starts it', async () => {
    const queue = new JobQueue(() => {});
    const a = deferred<void>();
    const first = queue.add('a', () => a.promise);
    let started = false;
    const second = queue.add('b', async () => void (started = true));
    expect(queue.cancel('b')).toBe(true);
    await expect(second).rejects.toMatchObject({ name: 'CancelledError' });
    a.resolve();
    await first;
    expect(started).toBe(false);
    expect(queue.cancel('nope')).toBe(false);
  });
});

describe('loading a model’s parts', () => {
  test('when one part fails, the others finish and are freed before the failure is reported', async () => {
    const freed: string[] = [];
    let towerDone = false;
    const tower = new Promise<{ dispose(): Promise<void> }>((resolve) =>
      setTimeout(() => {
        towerDone = true;
        resolve({ dispose: async () => void freed.push('tower') });
      }, 20),
    );
    const failing = Promise.reject(new Error('vision_model.onnx is damaged'));
    await expect(loadParts([Promise.resolve('tokenizer'), tower, failing])).rejects.toThrow('damaged');
    expect(towerDone).toBe(true);
    expect(freed).toEqual(['tower']);
  });
  test('all parts loaded: their values in order', async () => {
    expect(await loadParts([Promise.resolve(1), Promise.resolve('two')])).toEqual([1, 'two']);
  });
});
