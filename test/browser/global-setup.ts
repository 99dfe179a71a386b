/**
 * Global setup for the Chromium tests: forges the fixture models into a
 * temp folder, serves them from a local "hub", and runs the network guard
 * that Chromium's proxy flag points at. Each test file asserts through a
 * browser command (see setup.ts) that no request left localhost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { forgeAll } from '../fixtures/forge/models';
import { startModelServer } from '../support/model-server';
import { startNetworkGuard } from '../support/network-guard';
import { shareServers } from './commands';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the local model server ("http://127.0.0.1:PORT/"). */
    modelHost: string;
    /** `MC_OCR_WEBGPU_ALL=1`: the WebGPU OCR test reads every sample and scene, not one of each case. */
    ocrWebgpuAll: boolean;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'mc-fixtures-'));
  const forgeMs = forgeAll(join(root, 'forge'), { dtypes: ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] });
  console.log(`[fixtures] forged in ${forgeMs.toFixed(1)} ms at ${root}`);
  const server = await startModelServer(root);
  const guard = await startNetworkGuard(Number(process.env.MC_GUARD_PORT));
  shareServers({ guard, models: server });
  project.provide('modelHost', server.url);
  project.provide('ocrWebgpuAll', process.env.MC_OCR_WEBGPU_ALL === '1');

  return async () => {
    await server.close();
    await guard.close();
    shareServers(undefined);
    rmSync(root, { recursive: true, force: true });
  };
}
