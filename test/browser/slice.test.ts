/**
 * The first vertical slice, for real: a module worker loads the tiny VLM
 * fixture from the local server through transformers.js and captions a red
 * PNG — on WebGPU (SwiftShader here, no shader-f16, so fp32) and on WASM.
 */
import { describe, expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import type { CaptionEvent } from '../../src/shared/events';
import { TINY_PRESET, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidImage } from './images';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;

describe.each(['webgpu', 'wasm'] as const)('caption slice on %s', (device) => {
  test('captions a red PNG exactly', async () => {
    const captioner = createCaptioner({ source });
    try {
      await captioner.cache.clear(); // every device starts from a download
      const info = await captioner.probe();
      expect(info.adapter, 'the WebGPU adapter (SwiftShader in CI)').not.toBeNull();
      expect(info.adapter?.shaderF16).toBe(false);

      const events: CaptionEvent[] = [];
      const report = await captioner.load({ preset: TINY_PRESET, device, onEvent: (e) => events.push(e) });
      expect(report).toMatchObject({ device, roles: [{ role: 'vlm', dtype: 'fp32', repo: TINY_VLM.repo }] });
      expect(events.some((e) => e.type === 'download' && e.file === 'onnx/decoder_model_merged.onnx')).toBe(true);
      expect(events.find((e) => e.type === 'compile')).toMatchObject({ type: 'compile', device });

      const tokens: string[] = [];
      const result = await captioner.caption({
        image: await solidImage('#e01020'),
        name: 'red.png',
        onEvent: (e) => e.type === 'token' && tokens.push(e.text),
      });
      expect(result.text).toBe(TINY_VLM_CAPTIONS.red);
      expect(result).toMatchObject({ device, dtype: 'fp32', tokens: TINY_VLM_CAPTIONS.red.length + 1 });
      expect(tokens.join('')).toBe(TINY_VLM_CAPTIONS.red);
    } finally {
      captioner.dispose();
    }
  });
});
