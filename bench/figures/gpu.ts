/**
 * Figure 8: a real GPU. With `--gpu` Chromium runs WebGPU on the machine's
 * GPU (Vulkan through ANGLE); without one it is SwiftShader, and the figure
 * still runs end to end. It names the adapter, measures its memory
 * bandwidth with buffer copies, and compares transformers.js's decode
 * tokens/s on the heavy forge model (every weight read at every step, as
 * in a real decoder) with the bound that bandwidth sets: bandwidth ÷ weight
 * bytes read per token.
 */
import { type Remote, wrap } from 'comlink';
import { expect, inject, test } from 'vitest';
import { type BenchRow, noteRow, ratioRow } from '../rows';
import { median, record, settings, size } from '../support';
import type { RawLlmApi } from '../workers/raw-llm.worker';

const heavy = inject('heavy');
const REPO = 'forge/heavy-qwen3';
const GB = 1e9;

/** Bytes per second a buffer-to-buffer copy moves (read + write), median of several submissions. */
async function copyBandwidth(adapter: GPUAdapter): Promise<number> {
  const device = await adapter.requestDevice({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize } });
  try {
    const bytes = Math.min(256 * 2 ** 20, adapter.limits.maxBufferSize) & ~3;
    const src = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_SRC });
    const dst = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_DST });
    const copies = 4;
    const once = async () => {
      const encoder = device.createCommandEncoder();
      for (let i = 0; i < copies; i++) encoder.copyBufferToBuffer(src, 0, dst, 0, bytes);
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return (2 * bytes * copies) / ((performance.now() - started) / 1000);
    };
    await once();
    const rates = [];
    for (let round = 0; round < size(5, 2); round++) rates.push(await once());
    return median(rates);
  } finally {
    device.destroy();
  }
}

/** The model file's size, from a one-byte range request (the app probes sizes the same way). */
async function modelBytes(): Promise<number> {
  const response = await fetch(`${heavy.host}${REPO}/resolve/main/onnx/model.onnx`, {
    headers: { Range: 'bytes=0-0' },
  });
  const total = Number(response.headers.get('Content-Range')?.split('/')[1]);
  await response.body?.cancel();
  if (!Number.isFinite(total)) throw new Error('the model server did not give the model size');
  return total;
}

test('8 GPU: adapter, bandwidth, decode tokens/s against the bandwidth bound', async () => {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    await record(noteRow('8 GPU', 'not measured: Chromium offers no WebGPU adapter here'));
    return;
  }
  const { vendor, architecture, description } = adapter.info;
  const bandwidth = await copyBandwidth(adapter);
  const bytesPerToken = await modelBytes();
  // SwiftShader runs a 256 MB decoder at seconds per token: a few tokens tell its rate.
  const tokens = settings.gpu ? size(32, 8) : 4;
  const worker = new Worker(new URL('../workers/raw-llm.worker.ts', import.meta.url), { type: 'module' });
  let decode: { first: number; all: number; generated: number };
  try {
    const raw: Remote<RawLlmApi> = wrap(worker);
    await raw.load(heavy.host, REPO, 'webgpu');
    decode = await raw.decode(tokens);
  } finally {
    worker.terminate();
  }
  expect(decode.generated, 'the heavy model never stops early').toBe(tokens);
  const perSecond = (tokens - 1) / ((decode.all - decode.first) / 1000);
  const bound = bandwidth / bytesPerToken;
  const rows: BenchRow[] = [
    noteRow(
      '8 GPU',
      `adapter: ${[vendor, architecture, description].filter(Boolean).join(' / ') || 'unnamed'}; ` +
        `buffer copy moves ${(bandwidth / GB).toFixed(1)} GB/s (read + write)`,
    ),
    ratioRow(
      '8 GPU',
      `decode tokens/s, transformers.js on WebGPU, ${(bytesPerToken / 2 ** 20).toFixed(0)} MB fp32 read per token, ${tokens} tokens`,
      { label: 'measured', value: perSecond },
      { label: 'bandwidth bound', value: bound },
      null,
    ),
  ];
  await record(...rows);
});
