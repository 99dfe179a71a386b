/**
 * BENCHMARKS.md is generated: its prose comes from a template and every
 * figure in it, tables and the numbers in sentences alike, from the
 * reference run's `bench-results.json`, so text and table cannot drift.
 *
 * Placeholders in the template:
 * - `{{run}}`: the reference run (date, kind, machine);
 * - `{{table}}` or `{{table N}}`: the whole table, or figure N's rows;
 * - `{{a|b|ratio|verdict: TEXT}}`: one figure of the single row whose
 *   "figure | measure | A label | B label" contains TEXT (no row, or more
 *   than one, is an error: a renamed measure cannot leave a stale number).
 *   " … " in TEXT stands for any text between its parts, which must come
 *   in that order (a measure that names the run's fresh seeds, say).
 */
import { type BenchRow, formatNumber, formatRatio, formatTable, verdict } from './rows';

/** What `npm run bench` writes to bench-results.json. */
export interface BenchResults {
  readonly date: string;
  readonly quick: boolean;
  readonly gpu: boolean;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryGb: number; readonly node: string };
  readonly rows: readonly BenchRow[];
}

/** The row a placeholder names, by text it contains. */
function findRow(rows: readonly BenchRow[], text: string): BenchRow {
  const key = (r: BenchRow) => [r.figure, r.note ?? r.measure, r.a?.label ?? '', r.b?.label ?? ''].join(' | ');
  const parts = text.split(' … ');
  const inOrder = (k: string) => {
    let from = 0;
    for (const part of parts) {
      const at = k.indexOf(part, from);
      if (at < 0) return false;
      from = at + part.length;
    }
    return true;
  };
  const found = rows.filter((r) => inOrder(key(r)));
  if (found.length !== 1) {
    throw new Error(`BENCHMARKS template: "${text}" matches ${found.length} rows of the reference run, not one`);
  }
  return found[0] as BenchRow;
}

function field(row: BenchRow, name: string, text: string): string {
  const missing = () => new Error(`BENCHMARKS template: the row of "${text}" has no ${name}`);
  if (name === 'a' || name === 'b') {
    const side = row[name];
    if (!side) throw missing();
    return formatNumber(side.value);
  }
  if (name === 'ratio') {
    if (row.ratio === null) throw missing();
    return formatRatio(row.ratio);
  }
  if (!row.target) throw missing();
  return verdict(row);
}

/** The document from `template` and the reference run. */
export function renderBenchmarks(template: string, results: BenchResults): string {
  const { machine } = results;
  const run =
    `\`npm run bench${results.quick ? ' -- --quick' : ''}${results.gpu ? ' -- --gpu' : ''}\` on ` +
    `${results.date.slice(0, 10)}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}`;
  return template.replace(/\{\{([^}]+)\}\}/g, (_, inner: string) => {
    const body = inner.trim();
    if (body === 'run') return run;
    const table = /^table(?:\s+(\d+))?$/.exec(body);
    if (table) {
      const figure = table[1];
      // Figures run in whatever order vitest schedules their files; the document lists them by number.
      const byNumber = [...results.rows].sort((a, b) => Number.parseInt(a.figure) - Number.parseInt(b.figure));
      const rows = figure ? byNumber.filter((r) => Number.parseInt(r.figure) === Number(figure)) : byNumber;
      if (rows.length === 0) throw new Error(`BENCHMARKS template: the reference run has no figure ${figure}`);
      return formatTable(rows);
    }
    const value = /^(a|b|ratio|verdict):\s*(.+)$/.exec(body);
    if (!value) throw new Error(`BENCHMARKS template: unknown placeholder {{${body}}}`);
    const [, name = '', text = ''] = value;
    return field(findRow(results.rows, text), name, text);
  });
}
