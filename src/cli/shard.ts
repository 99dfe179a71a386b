/**
 * Deterministic sharding: every machine of a run computes the same shard for
 * a file from its path alone (FNV-1a), so `--shard 2/3` needs no
 * coordination and the shards never overlap.
 */

/** One shard of a run: 1-based `index` of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Reads `i/n` (1 ≤ i ≤ n); anything else is a RangeError saying the form. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count) {
    throw new RangeError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/3); got "${text}".`);
  }
  return { index, count };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: fast, stable across machines and Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Is `path` in `shard`? */
export function inShard(path: string, shard: Shard): boolean {
  return (fnv1a(path) % shard.count) + 1 === shard.index;
}
