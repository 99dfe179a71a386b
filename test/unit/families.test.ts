/**
 * VLM families beyond the shipped SmolVLM, forged with the layout
 * transformers.js 4.3.2 expects (docs/model-families.md), through the app's
 * own Vlm wrapper: exact captions, batches, image reuse, and the files a
 * load asks the model host for, which the download plan must list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Vlm } from '../../src/models/vlm';
import { plannedFiles } from '../../src/shared/model-files';
import { writeQwen35Vlm } from '../fixtures/forge/qwen';
import { TINY_QWEN35_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type ModelServer, startModelServer } from '../support/model-server';

const QWEN35 = TINY_QWEN35_VLM;

let root: string;
let server: ModelServer;

function solid(r: number, g: number, b: number): RawImage {
  const data = new Uint8ClampedArray(50 * 40 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return new RawImage(data, 50, 40, 3);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-families-'));
  writeQwen35Vlm(join(root, 'forge/tiny-qwen3_5'));
  server = await startModelServer(root);
  // Loaded over HTTP from the test's model host into an empty cache folder, so every file it needs is requested.
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = server.url;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  env.cacheDir = join(root, 'cache');
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('Qwen3.5 (hybrid attention, multimodal rope, Qwen2-VL patches)', () => {
  let vlm: Vlm;
  beforeAll(async () => {
    vlm = await Vlm.load(QWEN35, 'wasm', 'fp32', () => {});
  });
  afterAll(() => vlm.dispose());

  test('the load fetches exactly the files its download plan lists', () => {
    const fetched = new Set(
      server.requests
        .filter((r) => r.status === 200)
        .map((r) => r.path.replace(/^\/forge\/tiny-qwen3_5\/resolve\/main\//, '')),
    );
    expect([...fetched].sort()).toEqual(plannedFiles('qwen3_5', 'fp32', undefined).sort());
  });

  test.each([
    ['red', solid(230, 20, 30)],
    ['green', solid(10, 200, 40)],
    ['blue', solid(20, 30, 220)],
  ] as const)('a %s image gets its exact caption', async (colour, image) => {
    const out = await vlm.generate([image], { prompt: 'Describe this image.', maxNewTokens: 40 });
    expect(out.text).toBe(TINY_VLM_CAPTIONS[colour]);
  });

  test('a batch of prompts answers as each alone; the image is preprocessed and encoded once', async () => {
    const image = solid(10, 200, 40);
    const before = { ...vlm.imageWork };
    const rows = [
      { prompt: 'Describe.', maxNewTokens: 40 },
      { prompt: 'Describe this image in a few more words than that.', maxNewTokens: 5 },
    ];
    const batch = await vlm.generateBatch([image], rows, {});
    expect(batch.map((b) => b.text)).toEqual([TINY_VLM_CAPTIONS.green, TINY_VLM_CAPTIONS.green.slice(0, 5)]);
    expect(vlm.imageWork).toEqual({ preprocessed: before.preprocessed + 1, encoded: before.encoded + 1 });
    for (const [i, row] of rows.entries()) expect(await vlm.generate([image], row)).toEqual(batch[i]);
  });

  test('text-only prompts run on the same model (the summary role of a one-model tier)', async () => {
    expect((await vlm.generateText({ prompt: 'Notes: Blue sky, Big Boat.', maxNewTokens: 40 })).text).toBe(
      TINY_VLM_CAPTIONS.blue,
    );
  });
});
