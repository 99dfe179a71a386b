/**
 * VLM families beyond the shipped SmolVLM load and caption through the
 * public client and the real worker, on WebGPU (SwiftShader here) and on
 * WASM: the Qwen3.5 fixture (hybrid attention, multimodal rope).
 */
import { afterEach, expect, inject, test } from 'vitest';
import { type Captioner, createCaptioner } from '../../src/client/captioner';
import { TINY_PRESET, TINY_QWEN35_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;
const QWEN35_PRESET = { ...TINY_PRESET, vlm: TINY_QWEN35_VLM };

const open: Captioner[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.dispose();
});

test.each(['webgpu', 'wasm'] as const)('Qwen3.5 captions exactly on %s, alone and as a CapFlow job', async (device) => {
  const c = createCaptioner({ source });
  open.push(c);
  const report = await c.load({ preset: QWEN35_PRESET, roles: ['vlm'], device });
  expect(report.device).toBe(device);
  const image = await solidImage('#e01020', 48, 32);
  expect((await c.caption({ image, prompt: 'Describe this image.', maxNewTokens: 40 })).text).toBe(
    TINY_VLM_CAPTIONS.red,
  );
  const record = await c.capflow({ image, options: { mode: 'single-pass', domain: 'natural', judge: null } });
  expect(record.caption).toBe(TINY_VLM_CAPTIONS.red);
  expect(record.runtime?.models.vlm).toBe(TINY_QWEN35_VLM.repo);
});
