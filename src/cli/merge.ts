/**
 * `metacaptioner merge`: the outputs of a sharded run into one, checked:
 * no image in two shards, no shard missing (from the `i/n` each line
 * carries), and, given the run's inputs, no image missing. One line per
 * image (the last, when an image was captioned again), sorted by path, so
 * merging the same results always gives the same bytes.
 */
import { type RunLine, latestByFile } from './run-log';

/** What merging found. */
export interface Merged {
  readonly lines: readonly RunLine[];
  /** Images in more than one input file. */
  readonly duplicates: readonly string[];
  /** Images expected but in no input file. */
  readonly missing: readonly string[];
  /** Shards (`i/n`) no line came from, when the lines carry shards. */
  readonly missingShards: readonly string[];
}

/** Merges `logs` (path and lines); `expected`: the run's whole input list, when known. */
export function mergeRunLogs(
  logs: readonly { path: string; lines: readonly RunLine[] }[],
  expected?: readonly string[],
): Merged {
  const owner = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const log of logs) {
    for (const file of latestByFile(log.lines).keys()) {
      const first = owner.get(file);
      if (first !== undefined && first !== log.path) duplicates.add(file);
      owner.set(file, log.path);
    }
  }
  const latest = latestByFile(logs.flatMap((l) => l.lines));
  const lines = [...latest.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const shards = new Set(logs.flatMap((log) => log.lines.flatMap((l) => (l.shard ? [l.shard] : []))));
  const counts = new Set([...shards].map((s) => Number(s.split('/')[1])));
  const missingShards = [...counts].flatMap((n) =>
    Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).filter((s) => !shards.has(s)),
  );
  return {
    lines,
    duplicates: [...duplicates].sort(),
    missing: expected ? expected.filter((f) => !latest.has(f)) : [],
    missingShards,
  };
}

/** The problems of a merge as sentences (none: the merge is sound). */
export function mergeProblems(merged: Merged): string[] {
  const few = (files: readonly string[]) =>
    `${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}`;
  const images = (n: number, one: string, many: string) => `${n} ${n === 1 ? `image ${one}` : `images ${many}`}`;
  return [
    ...(merged.duplicates.length
      ? [`${images(merged.duplicates.length, 'is', 'are')} in more than one input: ${few(merged.duplicates)}.`]
      : []),
    ...(merged.missingShards.length ? [`No lines from shard ${merged.missingShards.join(', ')}.`] : []),
    ...(merged.missing.length
      ? [`${images(merged.missing.length, 'has', 'have')} no line: ${few(merged.missing)}.`]
      : []),
  ];
}
