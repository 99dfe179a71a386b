/**
 * How a VLM load follows its model's family (see shared/family-plan.ts),
 * through the app's own Vlm wrapper over HTTP from the tests' model host:
 * only a user's model has its config read ahead of its other files, and a
 * followed family's settings (its pixel cap) are the ones the processor
 * gets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Vlm } from '../../src/models/vlm';
import type { ModelSpec } from '../../src/shared/model-spec';
import { PRESETS } from '../../src/shared/presets';
import { applyOverride } from '../../src/shared/roles';
import { writeSmolVlm } from '../fixtures/forge/models';
import { writeQwen35Vlm } from '../fixtures/forge/qwen';
import { TINY_VLM } from '../fixtures/specs';
import { closeHub, serveAsHub } from '../support/hub-env';
import type { ModelServer } from '../support/model-server';

let root: string;
let server: ModelServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-vlm-family-'));
  for (const name of ['own', 'users']) writeSmolVlm(join(root, `forge/${name}`));
  writeQwen35Vlm(join(root, 'forge/qwen-over-tiny'));
  // Loaded over HTTP from the test's model host into an empty cache folder, so every file it needs is requested.
  server = await serveAsHub(root);
});

afterAll(() => closeHub(server, root));

const configPath = (repo: string) => `/${repo}/resolve/main/config.json`;

test("a tier's own model asks for its config side by side with its other files; a user's asks for it first", async () => {
  // The host answers config.json only once another file is asked for (or after a while): a load that reads the
  // config alone, before anything else, waits the while out and the config is not released by another file.
  const own = { ...TINY_VLM, repo: 'forge/own' };
  server.faults.holdUntilAnother.add(configPath(own.repo));
  await (await Vlm.load(own, 'wasm', 'fp32', () => {})).dispose();
  expect(server.faults.releasedByAnother).toContain(configPath(own.repo));

  // A user's model may be of another family, whose plan names its files: its config is read before them.
  const users = applyOverride(TINY_VLM, { kind: 'repo', repo: 'forge/users' });
  server.faults.holdUntilAnother.add(configPath(users.repo));
  await (await Vlm.load(users, 'wasm', 'fp32', () => {})).dispose();
  expect(server.faults.releasedByAnother).not.toContain(configPath(users.repo));
}, 60_000);

test("a user's Qwen3.5 model over the SmolVLM tier gets the Qwen3.5 tier's pixel cap", async () => {
  const tiny: ModelSpec = PRESETS.tiny.vlm;
  expect(tiny.maxImagePixels).toBeUndefined();
  const spec = applyOverride(tiny, { kind: 'repo', repo: 'forge/qwen-over-tiny' });
  // fp32 is no slot of the tiny plan: kept, so the forged fp32 files load.
  const vlm = await Vlm.load(spec, 'wasm', 'fp32', () => {});
  try {
    const cap = PRESETS.balanced.vlm.maxImagePixels;
    expect(vlm.spec.family).toBe('qwen3_5');
    expect(vlm.spec.maxImagePixels).toBe(cap);
    // The export allows 16.7 MP; the followed family's cap is what its processor keeps.
    const processor = Reflect.get(vlm, 'processor') as { image_processor: { max_pixels: number } };
    expect(processor.image_processor.max_pixels).toBe(cap);
  } finally {
    await vlm.dispose();
  }
}, 60_000);
