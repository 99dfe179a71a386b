/**
 * The built CLI (`npm run build:cli`) run as a process, as users run it:
 * its exit code and what it printed. For tests of what only a real process
 * shows (exit codes, signals, nothing left behind), where the in-process
 * runner (in-process-cli.ts) would share the test's state.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The command's entry (tests run from the repository root). */
export const BIN = join(process.cwd(), 'bin/metacaptioner.js');

/** One run of the built CLI. */
export interface BuiltRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Fails with the way out when the CLI has not been built. */
export function expectBuiltCli(): void {
  expect(existsSync(join(process.cwd(), 'dist-cli/metacaptioner.js')), 'run `npm run build:cli` first').toBe(true);
}

/** Runs the built CLI with `args` in `cwd`; resolves with its exit code and output. */
export function runBuiltCli(cwd: string, args: readonly string[]): Promise<BuiltRun> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, out, err) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}
