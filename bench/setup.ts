/**
 * Global setup of the bench project: hands the figures this run's settings,
 * gathers the rows they record, and at the end prints one table and writes
 * every figure, with the machine it ran on, to `bench-results.json`
 * (git-ignored).
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeHeavyTextLlm } from '../test/fixtures/forge/models';
import { writePartModels } from './memory/part-model.ts';
import type { PartModels } from './memory/parts.ts';
import { startModelServer } from '../test/support/model-server';
import { benchRows } from './row-store.ts';
import { formatTable } from './rows';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The model server of the heavy forge models: `forge/heavy-qwen3` with
     * `bytes` of ballast (figures 2 and 8), and in full runs
     * `forge/heavy-qwen3-below` with `belowBytes`, under the Cache API's
     * 256 MiB limit on one body (figure 2's like-for-like row).
     */
    heavy: { host: string; bytes: number; belowBytes: number | null };
    /** Figure 10's VLMs with the real export's proportions, on the heavy models' server. */
    parts: PartModels;
  }
}

/** The Cache API refuses one body of this size or more (Chromium): its "warm" load downloads again. */
export const CACHE_API_BODY_LIMIT = 256 * 2 ** 20;

/** Where the figures go. */
export const RESULTS_FILE = 'bench-results.json';

export default async function setup(project: TestProject) {
  const quick = process.env.MC_BENCH_QUICK === '1';
  const gpu = process.env.MC_BENCH_GPU === '1';
  // Fresh OCR scenes every run unless MC_BENCH_OCR_BASE repeats a run's (the table prints the base).
  const ocrFreshBase = Number(process.env.MC_BENCH_OCR_BASE) || 1000 * randomInt(1, 1000);
  if (ocrFreshBase < 1000) throw new Error('MC_BENCH_OCR_BASE must be 1000 or more (below are the tuning seeds)');
  project.provide('benchSettings', { quick, gpu, device: gpu ? 'webgpu' : 'wasm', ocrFreshBase });
  benchRows().length = 0;
  // The heavy models: the tiny text LLM plus one large initializer. Full runs: one just over the Cache API's
  // limit (256 MiB of ballast and the model's own weights) and one well under it (192 MiB);
  // quick runs: 16 MiB, under it.
  const root = mkdtempSync(join(tmpdir(), 'mc-bench-'));
  const bytes = quick ? 16 * 2 ** 20 : CACHE_API_BODY_LIMIT;
  const belowBytes = quick ? null : 192 * 2 ** 20;
  writeHeavyTextLlm(join(root, 'forge', 'heavy-qwen3'), bytes);
  if (belowBytes) writeHeavyTextLlm(join(root, 'forge', 'heavy-qwen3-below'), belowBytes);
  const parts = writePartModels(root, quick);
  const heavy = await startModelServer(root);
  project.provide('heavy', { host: heavy.url, bytes, belowBytes });
  project.provide('parts', parts);
  return async () => {
    await heavy.close();
    rmSync(root, { recursive: true, force: true });
    // Figures in issue order, whatever order the files ran in.
    const rows = [...benchRows()].sort((a, b) => Number.parseInt(a.figure) - Number.parseInt(b.figure));
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    };
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ date: new Date().toISOString(), quick, gpu, machine, rows }, null, 2)}\n`,
    );
    console.log(
      `\nMetaCaptioner Web bench (${quick ? 'quick' : 'full'}${gpu ? ', GPU' : ''}) on ${machine.cpu}, ` +
        `${machine.cores} cores, ${machine.memoryGb} GB\n\n${formatTable(rows)}\n\nFigures written to ${RESULTS_FILE}.\n`,
    );
  };
}
