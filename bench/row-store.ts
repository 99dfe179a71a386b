/**
 * The rows the figures have recorded so far. Global setup (which prints
 * them) and the browser commands (which receive them) load through
 * different module graphs, so the list lives on `globalThis`.
 */
import type { BenchRow } from './rows';

const KEY = Symbol.for('metacaptioner.benchRows');

export function benchRows(): BenchRow[] {
  const store = globalThis as Record<symbol, BenchRow[] | undefined>;
  store[KEY] ??= [];
  return store[KEY];
}
