/**
 * The position of a case in the case list (newest first: opening instant, then case id, both
 * descending) as an opaque `cursor`: the base64url of `<opened at, ISO 8601>|<case id>`.
 */
export interface CasePosition {
  openedAt: Date;
  caseId: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const encodeCaseCursor = ({ openedAt, caseId }: CasePosition): string =>
  Buffer.from(`${openedAt.toISOString()}|${caseId}`).toString('base64url');

/** The position a cursor holds, or undefined for anything that is not a cursor of the case list. */
export function decodeCaseCursor(cursor: string): CasePosition | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const [at, caseId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !ISO.test(at ?? '') || !UUID.test(caseId ?? '')) return undefined;
  const openedAt = new Date(at);
  return Number.isNaN(openedAt.getTime()) || openedAt.toISOString() !== at
    ? undefined
    : { openedAt, caseId: caseId.toLowerCase() };
}
