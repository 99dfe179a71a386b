import { median } from './stats';

/** One line of the benchmark table (plain data: it crosses from Chromium to Node and into the JSON file). */
export interface BenchRow {
  /** The figure of issue 10 it belongs to, e.g. "1 engine overhead". */
  readonly figure: string;
  /** What was measured, with its unit and how many rounds. */
  readonly measure: string;
  readonly a: { readonly label: string; readonly value: number } | null;
  readonly b: { readonly label: string; readonly value: number } | null;
  /** a ÷ b, when both exist. */
  readonly ratio: number | null;
  /** The target, as text ("≤ 1.05"), or "" when the row is information only. */
  readonly target: string;
  /** Whether the target was met (null: no target, not measured, or no verdict earned). */
  readonly met: boolean | null;
  /** Why a row with a target prints no verdict (too few rounds, rounds that disagree, sides that did other work). */
  readonly noVerdict?: string;
  /** Each side's rounds, where the values are medians of rounds. */
  readonly rounds?: { readonly a: readonly number[]; readonly b: readonly number[] };
  /** "not built" / "not measured yet" and why, for figures that cannot run. */
  readonly note?: string;
}

/** The fewest rounds a side needs before its spread can tell a verdict from noise. */
export const MIN_ROUNDS_FOR_VERDICT = 3;

/** One side of a comparison measured over rounds. */
export interface Rounds {
  readonly label: string;
  readonly values: readonly number[];
}

/**
 * A row comparing a with b against a ratio bound: by default the ratio
 * must not exceed `bound`; with `atLeast` it must not fall below it.
 */
export function ratioRow(
  figure: string,
  measure: string,
  a: { label: string; value: number },
  b: { label: string; value: number },
  bound: number | null,
  atLeast = false,
): BenchRow {
  const ratio = a.value / b.value;
  return {
    figure,
    measure,
    a,
    b,
    ratio,
    target: bound === null ? '' : `${atLeast ? '≥' : '≤'} ${bound}`,
    met: bound === null ? null : atLeast ? ratio >= bound : ratio <= bound,
  };
}

/**
 * A row comparing the medians of two sides' rounds. A verdict is earned
 * only when the rounds agree on it: met when even the least favourable
 * pairing (a's worst round against b's best) meets the bound, missed when
 * even the most favourable misses it. Otherwise the sides differ by less
 * than their rounds disagree, and the row says so instead; likewise with
 * fewer than {@link MIN_ROUNDS_FOR_VERDICT} rounds a side.
 */
export function roundsRow(
  figure: string,
  measure: string,
  a: Rounds,
  b: Rounds,
  bound: number | null,
  atLeast = false,
): BenchRow {
  const row = {
    ...ratioRow(
      figure,
      measure,
      { label: a.label, value: median(a.values) },
      { label: b.label, value: median(b.values) },
      bound,
      atLeast,
    ),
    rounds: { a: a.values, b: b.values },
  };
  if (bound === null) return row;
  if (Math.min(a.values.length, b.values.length) < MIN_ROUNDS_FOR_VERDICT) {
    return withoutVerdict(row, `fewer than ${MIN_ROUNDS_FOR_VERDICT} rounds`);
  }
  const low = Math.min(...a.values) / Math.max(...b.values);
  const high = Math.max(...a.values) / Math.min(...b.values);
  const meets = (ratio: number) => (atLeast ? ratio >= bound : ratio <= bound);
  // Lower is better for ≤ (its worst case is `high`), higher for ≥ (its worst case is `low`).
  const [worst, best] = atLeast ? [low, high] : [high, low];
  if (meets(worst)) return { ...row, met: true };
  if (!meets(best)) return { ...row, met: false };
  return withoutVerdict(row, `rounds span ×${low.toFixed(3)}–×${high.toFixed(3)}`);
}

/** The row with its verdict withheld, and why. */
export function withoutVerdict(row: BenchRow, reason: string): BenchRow {
  return { ...row, met: null, noVerdict: reason };
}

/** A row with one figure and no comparison or target. */
export function valueRow(figure: string, measure: string, a: { label: string; value: number }): BenchRow {
  return { figure, measure, a, b: null, ratio: null, target: '', met: null };
}

/** A row that is a note: a figure that cannot run here or yet and why, or what a figure found. */
export function noteRow(figure: string, note: string): BenchRow {
  return { figure, measure: '', a: null, b: null, ratio: null, target: '', met: null, note };
}

/** A figure as the table prints it: three significant places or so. */
export function formatNumber(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
}

/** A ratio as the table prints it (×0.123). */
export function formatRatio(ratio: number): string {
  return `×${ratio >= 0.001 || ratio === 0 ? ratio.toFixed(3) : ratio.toPrecision(2)}`;
}

/** A targeted row's verdict as the table prints it. */
export function verdict(row: BenchRow): string {
  if (row.met === null) return `no verdict (${row.noVerdict ?? 'not measured'})`;
  return row.met ? 'met' : 'MISSED';
}

/** The table as text, one row per line. */
export function formatTable(rows: readonly BenchRow[]): string {
  const lines = rows.map((r) => [
    r.figure,
    r.note ?? r.measure,
    r.a ? `${r.a.label}: ${formatNumber(r.a.value)}` : '',
    r.b ? `${r.b.label}: ${formatNumber(r.b.value)}` : '',
    r.ratio === null ? '' : formatRatio(r.ratio),
    r.target ? `${r.target} ${verdict(r)}` : '',
  ]);
  const head = ['figure', 'measure', 'A', 'B', 'A/B', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [row(head), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}
