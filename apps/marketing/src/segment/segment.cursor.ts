/**
 * Positions in the segment list and in a segment's members as opaque cursors: the base64url of a
 * JSON array `[order, key, id]` (the order the page was read in, the sort key of its last item,
 * that item's id), so that a cursor of one order is refused in another.
 */
export const SEGMENT_ORDERS = ['newest', 'name'] as const;
export type SegmentOrder = (typeof SEGMENT_ORDERS)[number];
export type CursorOrder = SegmentOrder | 'joined';

export interface Position {
  order: CursorOrder;
  key: string;
  id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const encodeCursor = ({ order, key, id }: Position): string =>
  Buffer.from(JSON.stringify([order, key, id])).toString('base64url');

/** The position a cursor holds if it is one of `order` (instants keys of newest and joined checked). */
export function decodeCursor(cursor: string, order: CursorOrder): Position | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [o, key, id] = parsed as unknown[];
  if (o !== order || typeof key !== 'string' || typeof id !== 'string' || !UUID.test(id)) return undefined;
  if (
    order !== 'name' &&
    (!ISO.test(key) || Number.isNaN(Date.parse(key)) || new Date(key).toISOString() !== key)
  )
    return undefined;
  return { order, key, id };
}
