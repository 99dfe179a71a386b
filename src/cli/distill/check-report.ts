/**
 * What `distill check` prints: a table (image, score, time, the start of
 * the student's caption and of CapFlow's), the mean score and the load
 * time; or, with `--json`, the same as one JSON object for scripts.
 */
import { printable } from '../file-words';
import { OVERLAP_METHOD } from './overlap';

/** One captioned example. */
export interface CheckRow {
  readonly image: string;
  readonly score: number;
  readonly ms: number;
  readonly tokens: number;
  /** The student's caption. */
  readonly caption: string;
  /** The CapFlow caption. */
  readonly reference: string;
}

/** A whole check. */
export interface CheckReport {
  readonly model: string;
  readonly dtype: unknown;
  /** The JSONL the examples come from, and how many it holds. */
  readonly data: string;
  readonly split: 'val' | 'train';
  readonly available: number;
  readonly loadMs: number;
  readonly rows: readonly CheckRow[];
}

/** The mean score (0 for no rows). */
export const meanScore = (rows: readonly CheckRow[]): number =>
  rows.length ? rows.reduce((t, r) => t + r.score, 0) / rows.length : 0;

/** `text` on one line, cut to `width` characters with an ellipsis. */
function cell(text: string, width: number): string {
  const flat = printable(text.replace(/\s+/g, ' ').trim());
  const chars = [...flat];
  const cut = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : flat;
  return cut.padEnd(width);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The report as the terminal shows it. */
export function reportText(r: CheckReport): string {
  const imageWidth = Math.min(32, Math.max(5, ...r.rows.map((row) => [...row.image].length)));
  const head = `${'image'.padEnd(imageWidth)}  score  ${'time'.padStart(8)}  ${'student'.padEnd(36)}  CapFlow`;
  const lines = r.rows.map(
    (row) =>
      `${cell(row.image, imageWidth)}  ${row.score.toFixed(3)}  ${seconds(row.ms).padStart(8)}  ` +
      `${cell(row.caption, 36)}  ${cell(row.reference, 36).trimEnd()}`,
  );
  return (
    [
      `Checked ${r.rows.length} of ${r.available} examples in ${r.data} with ${r.model} (loaded in ${seconds(r.loadMs)}).`,
      `Score: ${OVERLAP_METHOD}, student against CapFlow (1 = the same words).`,
      '',
      head,
      ...lines,
      '',
      `Mean score ${meanScore(r.rows).toFixed(3)} over ${r.rows.length} image${r.rows.length === 1 ? '' : 's'}; ` +
        `captioning took ${seconds(r.rows.reduce((t, row) => t + row.ms, 0))}.`,
    ].join('\n') + '\n'
  );
}

/** The report for `--json`. */
export function reportJson(r: CheckReport): string {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return `${JSON.stringify(
    {
      kind: 'metacaptioner-distill-check',
      version: 1,
      model: r.model,
      dtype: r.dtype,
      data: r.data,
      split: r.split,
      available: r.available,
      scoring: OVERLAP_METHOD,
      loadMs: Math.round(r.loadMs),
      meanScore: round(meanScore(r.rows)),
      examples: r.rows.map((row) => ({ ...row, score: round(row.score), ms: Math.round(row.ms) })),
    },
    null,
    2,
  )}\n`;
}
