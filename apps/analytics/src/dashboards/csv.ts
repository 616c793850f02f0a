/**
 * A tiny RFC 4180 CSV writer (no CSV library is installed in node_modules, and package.json is
 * not ours to change): CRLF line ends, every field quoted when it holds a comma, a double quote,
 * CR or LF (quotes doubled), null and undefined as empty fields, numbers in JavaScript's shortest
 * round-trip form, booleans as true/false, dates as ISO 8601.
 *
 * A dashboard's CSV is one table: the first column `section` names the part of the JSON answer a
 * row comes from; the other columns are the union of the rows' keys, in order of first appearance
 * (a row without a column leaves it empty).
 */
export type CsvValue = string | number | boolean | Date | null | undefined;
export type CsvRow = Record<string, CsvValue>;

export interface CsvSection {
  readonly name: string;
  readonly rows: readonly CsvRow[];
}

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text of `sections` (module comment), header first, each line ended by CRLF. */
export function toCsv(sections: readonly CsvSection[]): string {
  const columns = [...new Set(sections.flatMap((s) => s.rows.flatMap((row) => Object.keys(row))))];
  const lines = [
    ['section', ...columns].map(field).join(','),
    ...sections.flatMap((s) =>
      s.rows.map((row) => [s.name, ...columns.map((c) => row[c])].map(field).join(',')),
    ),
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

/** Reads CSV text written by `toCsv` (RFC 4180 quoting) back into rows of strings: for tests and tools. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else value += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(value);
      value = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(value);
      records.push(record);
      record = [];
      value = '';
      i++;
    } else value += ch;
  }
  if (value !== '' || record.length > 0) records.push([...record, value]);
  const [header = [], ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
