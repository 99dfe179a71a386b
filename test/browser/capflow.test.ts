/**
 * A whole CapFlow job in the worker, end to end on WebGPU (SwiftShader in
 * CI): the document workflow's VLM agents, the real OCR tool, the summary
 * agent and the judge, with every step traced and streamed as events.
 */
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import { DOMAINS } from '../../src/capflow/spec';
import type { CaptionEvent } from '../../src/shared/events';
import { tinyLlmAnswer } from '../fixtures/forge/oracle';
import { TINY_PRESET, TINY_VLM_CAPTIONS } from '../fixtures/specs';

const source = { kind: 'host', host: inject('modelHost'), pathTemplate: '{model}/resolve/{revision}/' } as const;

async function documentImage(): Promise<Blob> {
  const canvas = new OffscreenCanvas(360, 120);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, 360, 120);
  ctx.fillStyle = '#e01020'; // a red logo: the tiny VLM's agents see red
  ctx.fillRect(250, 20, 90, 80);
  ctx.fillStyle = '#111111';
  ctx.font = '32px sans-serif';
  ctx.fillText('Total 42', 20, 70);
  return canvas.convertToBlob({ type: 'image/png' });
}

// WebGPU here is SwiftShader, a CPU emulating a GPU: on two busy cores this job takes minutes, not seconds.
test('a CapFlow job runs in the worker on WebGPU: agents, OCR, summary, judge', { timeout: 300_000 }, async () => {
  const captioner = createCaptioner({ source });
  try {
    const report = await captioner.load({ preset: TINY_PRESET, roles: ['vlm', 'llm', 'router'], device: 'webgpu' });
    expect(report.device).toBe('webgpu');
    const events: CaptionEvent[] = [];
    const record = await captioner.capflow({
      image: await documentImage(),
      options: { domain: 'infographic-document', judge: { attempts: 1 } },
      ocrDevice: 'webgpu',
      onEvent: (e) => events.push(e),
    });
    expect(record).toMatchObject({ version: 3, mode: 'capflow', style: 'detailed', runtime: { device: 'webgpu' } });
    expect(record.domain).toMatchObject({ id: 'infographic-document', decidedBy: 'pinned' });
    const steps = record.trace.map((t) => t.agent);
    // The colour fixture's judge answers a letter chain: asked again, still unread.
    expect(steps).toEqual([...DOMAINS['infographic-document'].agents, 'summary', 'judge-1', 'judge-1-again']);
    expect(record.trace.find((t) => t.agent === 'ocr')?.output).toContain('"Total 42"');
    expect(record.trace.find((t) => t.agent === 'visual-guideline')?.output).toBe(TINY_VLM_CAPTIONS.red);
    const summary = record.trace.find((t) => t.agent === 'summary');
    expect(summary?.prompt).toContain('"Total 42"');
    expect(record.caption).toBe(tinyLlmAnswer(summary?.prompt ?? ''));
    expect(record.judge?.attempts).toHaveLength(1);
    // The OCR tool runs before the batch of VLM agents; the trace lists them in the domain's order.
    const done = events.filter((e) => e.type === 'agent-done').map((e) => (e.type === 'agent-done' ? e.agent : ''));
    expect([...done].sort()).toEqual([...steps].sort());
    expect(record.trace.filter((t) => t.batch === 3).map((t) => t.agent)).toEqual(
      DOMAINS['infographic-document'].agents.filter((a) => a !== 'ocr'),
    );
    expect(events.some((e) => e.type === 'ready' && e.role === 'ocr' && e.device === 'webgpu')).toBe(true);
  } finally {
    captioner.dispose();
  }
});
