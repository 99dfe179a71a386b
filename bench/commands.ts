/** The bench's browser command: rows from Chromium into the Node runner. */
import type { BrowserCommand } from 'vitest/node';
import type { BenchRow } from './rows';
import { benchRows } from './setup';

export const benchRecord: BrowserCommand<[rows: BenchRow[]]> = (_ctx, rows) => {
  benchRows().push(...rows);
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    benchRecord(rows: BenchRow[]): Promise<void>;
  }
}
