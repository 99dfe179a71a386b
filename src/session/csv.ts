/**
 * CSV that spreadsheets open safely: RFC 4180 quoting, CRLF rows, a UTF-8
 * byte-order mark (so Excel reads accents and emoji), and every cell that a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
 * neutralised with a leading apostrophe (OWASP's CSV-injection advice).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, quoted and neutralised. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  // Numbers are data, not formulas, even when negative.
  if (typeof value !== 'number' && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** A whole CSV document from a header and rows. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
