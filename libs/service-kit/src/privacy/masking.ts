import { escapeIdentifier } from 'pg';
import { ERASED } from '@crm/contracts';

/**
 * The SET list that masks personal columns of a read model after an erasure: every value that was
 * there reads `[erased]` (as the customer's events now do), an empty one stays empty. The value is
 * the statement's first parameter: pass {@link ERASED} as `$1`.
 */
export function maskedColumns(columns: readonly string[]): string {
  return columns
    .map((column) => escapeIdentifier(column))
    .map((c) => `${c} = case when ${c} is null then null else $1 end`)
    .join(', ');
}

export { ERASED };
