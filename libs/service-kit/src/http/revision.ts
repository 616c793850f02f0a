import { DomainError } from '@crm/decider';

/** Weak or strong ETag for a resource's revision: `"3"`. */
export function etagFor(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revision a client last saw, from `If-Match: "3"` (or `W/"3"`); undefined when absent.
 * A malformed header is the client's mistake: 400.
 */
export function revisionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(-?\d+)"?$/.exec(header.trim());
  if (!match) {
    throw new DomainError(
      'validation',
      'BAD_IF_MATCH',
      'If-Match must be an ETag this API returned, e.g. "3"',
      {
        fields: ['If-Match'],
      },
    );
  }
  return Number(match[1]);
}
