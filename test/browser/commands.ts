/**
 * Browser commands (run in Node, called from tests in Chromium) that read
 * the network guard started by global setup. Global setup and commands load
 * through different module graphs, so the guard is shared on `globalThis`.
 */
import type { BrowserCommand } from 'vitest/node';
import type { NetworkGuard } from '../support/network-guard';

const KEY = Symbol.for('metacaptioner.networkGuard');

/** Registers the guard for the commands below (called by global setup). */
export function shareGuard(guard: NetworkGuard | undefined): void {
  (globalThis as Record<symbol, unknown>)[KEY] = guard;
}

function sharedGuard(): NetworkGuard {
  const guard = (globalThis as Record<symbol, NetworkGuard | undefined>)[KEY];
  if (!guard) throw new Error('network guard not running: is test/browser/global-setup.ts configured?');
  return guard;
}

/** App requests that left localhost since the last call. */
export const takeOutsideRequests: BrowserCommand<[]> = () => sharedGuard().takeAppRequests();

declare module 'vitest/browser' {
  interface BrowserCommands {
    takeOutsideRequests(): Promise<string[]>;
  }
}
