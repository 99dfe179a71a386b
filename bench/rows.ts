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
  /** Whether the target was met (null: no target, or not measured). */
  readonly met: boolean | null;
  /** "not built" / "not measured yet" and why, for figures that cannot run. */
  readonly note?: string;
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

/** A row with one figure and no comparison or target. */
export function valueRow(figure: string, measure: string, a: { label: string; value: number }): BenchRow {
  return { figure, measure, a, b: null, ratio: null, target: '', met: null };
}

/** A row that is a note: a figure that cannot run here or yet and why, or what a figure found. */
export function noteRow(figure: string, note: string): BenchRow {
  return { figure, measure: '', a: null, b: null, ratio: null, target: '', met: null, note };
}

/** The table as text, one row per line. */
export function formatTable(rows: readonly BenchRow[]): string {
  const number = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));
  const lines = rows.map((r) => [
    r.figure,
    r.note ?? r.measure,
    r.a ? `${r.a.label}: ${number(r.a.value)}` : '',
    r.b ? `${r.b.label}: ${number(r.b.value)}` : '',
    r.ratio === null ? '' : `×${r.ratio >= 0.001 || r.ratio === 0 ? r.ratio.toFixed(3) : r.ratio.toPrecision(2)}`,
    r.target ? `${r.target} ${r.met ? 'met' : 'MISSED'}` : '',
  ]);
  const head = ['figure', 'measure', 'A', 'B', 'A/B', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [row(head), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}
