/**
 * CSV as RFC 4180 writes it (CRLF line ends; a cell with a comma, quote or line break is
 * quoted, its quotes doubled), with cells a spreadsheet would run as a formula (starting
 * with `=`, `+`, `-`, `@`, or a tab or carriage return, OWASP's list) prefixed by `'` so
 * it shows them as text.
 */
export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: readonly CsvCell[]): string => `${cells.map(csvCell).join(',')}\r\n`;
