import { escapeIdentifier } from 'pg';

/**
 * Quotes a PostgreSQL identifier (schema or table name) with pg's `escapeIdentifier`, after
 * checking it is a plain name of at most 63 characters (PostgreSQL would silently cut a longer one).
 */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
  return escapeIdentifier(name);
}
