/** The bench's browser commands: rows from Chromium into the Node runner, and figures measured in Node. */
import type { BrowserCommand } from 'vitest/node';
import { nodeImport } from '../test/support/node-import.ts';
import type { ImageReuseFigures } from './capflow/node';
import type { CliFigures } from './cli/node';
import type { OcrSets } from './ocr/compare';
import { type ProcessMemory, chromiumMemory } from './process-memory.ts';
import type { BenchRow } from './rows';
import { benchRows } from './row-store.ts';

export const benchRecord: BrowserCommand<[rows: BenchRow[]]> = (_ctx, rows) => {
  benchRows().push(...rows);
};

/** Figure 4's Node half (loaded through the module runner: the vitest config imports this file). */
export const benchOcrNode: BrowserCommand<[rounds: number, quick: boolean, freshBase: number]> = async (
  ctx,
  rounds,
  quick,
  freshBase,
) => {
  const { nodeOcrComparison } = await nodeImport<typeof import('./ocr/node.ts')>(ctx, '/bench/ocr/node.ts');
  return nodeOcrComparison(rounds, quick, freshBase);
};

/** Figure 3's image-reuse half, measured in Node. */
export const benchImageReuseNode: BrowserCommand<[rounds: number, quick: boolean]> = async (ctx, rounds, quick) => {
  const { nodeImageReuse } = await nodeImport<typeof import('./capflow/node.ts')>(ctx, '/bench/capflow/node.ts');
  return nodeImageReuse(rounds, quick);
};

/** Figure 9: the CLI's throughput against the test server, in Node. */
export const benchCliNode: BrowserCommand<[quick: boolean]> = async (ctx, quick) => {
  const { nodeCliThroughput } = await nodeImport<typeof import('./cli/node.ts')>(ctx, '/bench/cli/node.ts');
  return nodeCliThroughput(quick);
};

/** Chromium's renderer and GPU memory now, and its peak (reset first with `resetPeak`). */
export const benchMemory: BrowserCommand<[resetPeak: boolean]> = (_ctx, resetPeak) => chromiumMemory(resetPeak);

declare module 'vitest/browser' {
  interface BrowserCommands {
    benchRecord(rows: BenchRow[]): Promise<void>;
    benchOcrNode(rounds: number, quick: boolean, freshBase: number): Promise<OcrSets>;
    benchImageReuseNode(rounds: number, quick: boolean): Promise<ImageReuseFigures>;
    benchMemory(resetPeak: boolean): Promise<ProcessMemory | null>;
    benchCliNode(quick: boolean): Promise<CliFigures>;
  }
}
