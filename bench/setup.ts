/**
 * Global setup of the bench project: hands the figures this run's settings,
 * gathers the rows they record, and at the end prints one table and writes
 * every figure, with the machine it ran on, to `bench-results.json`
 * (git-ignored).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeHeavyTextLlm } from '../test/fixtures/forge/models';
import { startModelServer } from '../test/support/model-server';
import { benchRows } from './row-store.ts';
import { formatTable } from './rows';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The model server of the weight-cache figure's heavy model, and that model's ballast bytes. */
    heavy: { host: string; bytes: number };
  }
}

/** Where the figures go. */
export const RESULTS_FILE = 'bench-results.json';

export default async function setup(project: TestProject) {
  const quick = process.env.MC_BENCH_QUICK === '1';
  const gpu = process.env.MC_BENCH_GPU === '1';
  project.provide('benchSettings', { quick, gpu, device: gpu ? 'webgpu' : 'wasm' });
  benchRows().length = 0;
  // The weight-cache figure's model: the tiny text LLM plus one large initializer (256 MB; 16 MB when quick).
  const root = mkdtempSync(join(tmpdir(), 'mc-bench-'));
  const bytes = (quick ? 16 : 256) * 2 ** 20;
  writeHeavyTextLlm(join(root, 'forge', 'heavy-qwen3'), bytes);
  const heavy = await startModelServer(root);
  project.provide('heavy', { host: heavy.url, bytes });
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
