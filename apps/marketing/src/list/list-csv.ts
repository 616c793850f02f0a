/**
 * The rows of a CSV import: one customer per line, named by the first field (a customer id or an
 * e-mail address; further fields are ignored). Lines are numbered as in the file (from 1, across
 * the upload's chunks), so a rejected row can be found in the spreadsheet it came from. Blank lines
 * are no rows; a first line naming the column (`customerId`, `customer_id`, `email`, `e-mail`) is
 * the header, no row.
 */
export interface CsvRow {
  line: number;
  value: string;
}

const HEADERS = new Set(['customerid', 'customer_id', 'customer id', 'email', 'e-mail']);
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const EMAIL = /^[^\s@",;]+@[^\s@",;]+\.[^\s@",;]+$/;

/** The first field of a CSV line: unquoted up to the first comma or semicolon, or quoted ("" an escaped quote). */
export function firstField(text: string): string | undefined {
  const line = text.trim();
  if (!line.startsWith('"')) return line.split(/[,;]/)[0].trim();
  let value = '';
  for (let i = 1; i < line.length; i++) {
    if (line[i] !== '"') value += line[i];
    else if (line[i + 1] === '"') {
      value += '"';
      i++;
    } else return value.trim();
  }
  return undefined; // an unterminated quote
}

/**
 * The rows of one chunk of the upload, its first line numbered `firstLine`; `lines` is how many
 * lines it had (a trailing newline ends the last line, it starts none).
 */
export function csvRows(csv: string, firstLine: number): { rows: CsvRow[]; lines: number } {
  const texts = csv.split('\n');
  if (texts.length > 1 && texts[texts.length - 1] === '') texts.pop();
  const rows: CsvRow[] = [];
  texts.forEach((text, i) => {
    const line = firstLine + i;
    if (text.trim() === '') return;
    const value = firstField(text.replace(/\r$/, ''));
    if (line === 1 && value !== undefined && HEADERS.has(value.toLowerCase())) return;
    rows.push({ line, value: value === undefined ? text.slice(0, 320) : value.slice(0, 320) });
  });
  return { rows, lines: texts.length };
}

/** Why a row names no customer, before looking it up (or what to look up). */
export type RowKind =
  { kind: 'customerId'; customerId: string } | { kind: 'email'; email: string } | { kind: 'invalid' };

export function rowKind(value: string): RowKind {
  if (UUID.test(value)) return { kind: 'customerId', customerId: value.toLowerCase() };
  if (EMAIL.test(value)) return { kind: 'email', email: value.toLowerCase() };
  return { kind: 'invalid' };
}

/** The reasons a row is rejected, as the import's GET shows them. */
export const REJECTIONS = {
  invalid: 'INVALID_VALUE: neither a customer id nor an e-mail address',
  unknownCustomer: 'UNKNOWN_CUSTOMER: no customer profile with this id',
  erased: 'ERASED_CUSTOMER: the customer was erased',
  unknownEmail: 'UNKNOWN_EMAIL: no customer profile with this e-mail address',
  ambiguousEmail: 'AMBIGUOUS_EMAIL: several customer profiles have this e-mail address',
} as const;
