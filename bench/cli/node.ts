/**
 * Figure 9, in Node: the CLI's openai engine against the local
 * OpenAI-compatible test server, single-pass captions of a folder of images
 * at 1, 8 and 32 requests in flight. Each request waits a fixed time at the
 * server before it is answered, as a serving engine that is not saturated
 * would: what is measured is how well the client keeps it busy. Every
 * caption is checked.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { runCaptions } from '../../src/cli/caption';
import { openAiEngine } from '../../src/cli/engines';
import { emptyStats } from '../../src/cli/openai-client';
import { DEFAULT_RETRY } from '../../src/cli/retry';
import type { RunLine } from '../../src/cli/run-log';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import { forgeAll } from '../../test/fixtures/forge/models';
import { TINY_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../../test/fixtures/specs';
import { startOpenAiServer } from '../../test/support/openai-server';
import { solidPng } from '../../test/support/png';

/** Images/s per number of requests in flight. */
export interface CliFigures {
  readonly images: number;
  readonly delayMs: number;
  readonly runs: readonly { concurrency: number; imagesPerSecond: number; maxInFlight: number }[];
}

const silent = { start: () => {}, image: () => {}, stop: () => {} };

export async function nodeCliThroughput(quick: boolean): Promise<CliFigures> {
  const root = mkdtempSync(join(tmpdir(), 'mc-bench-cli-'));
  forgeAll(join(root, 'forge'));
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
  const [vlm, llm] = await Promise.all([
    Vlm.load(TINY_VLM, 'wasm', 'fp32', () => {}),
    TextLlm.load(TINY_LLM, 'wasm', 'fp32', () => {}),
  ]);
  const server = await startOpenAiServer({ vlm, llm });
  const images = quick ? 32 : 128;
  const delayMs = 100;
  const files = Array.from({ length: images }, (_, i) => join(root, 'imgs', `${String(i).padStart(4, '0')}.png`));
  mkdirSync(join(root, 'imgs'));
  for (const f of files) writeFileSync(f, solidPng(230, 20, 30));
  const runs: { concurrency: number; imagesPerSecond: number; maxInFlight: number }[] = [];
  try {
    for (const concurrency of [1, 8, 32]) {
      server.reset();
      server.behaviour.delayMs = delayMs;
      const endpoint = { url: server.url, model: TINY_VLM.repo };
      const engine = await openAiEngine(
        {
          vlm: endpoint,
          llm: endpoint,
          judge: endpoint,
          concurrency,
          timeoutMs: 60_000,
          retry: DEFAULT_RETRY,
          stats: emptyStats(),
          ocr: 'local',
        },
        null,
      );
      const out = join(root, `out-${concurrency}.jsonl`);
      const summary = await runCaptions({
        files,
        out,
        options: { mode: 'single-pass', judge: null },
        engine,
        parallel: concurrency * 2,
        sidecars: false,
        retryFailed: false,
        progress: silent,
      });
      const lines = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RunLine);
      if (lines.length !== images || lines.some((l) => !l.ok || l.record.caption !== TINY_VLM_CAPTIONS.red)) {
        throw new Error(`concurrency ${concurrency}: not every image got its exact caption`);
      }
      runs.push({
        concurrency,
        imagesPerSecond: summary.done / summary.seconds,
        maxInFlight: server.stats().maxInFlight,
      });
      await engine.dispose();
    }
  } finally {
    await server.close();
    await Promise.all([vlm.dispose(), llm.dispose()]);
    rmSync(root, { recursive: true, force: true });
  }
  return { images, delayMs, runs };
}
