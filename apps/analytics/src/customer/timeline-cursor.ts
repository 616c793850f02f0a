/**
 * The position of an entry in a customer's timeline (newest first: instant, then event id, both
 * descending) as an opaque cursor: the base64url of `<occurred at, ISO 8601>|<event id>`.
 */
export interface TimelinePosition {
  occurredAt: Date;
  eventId: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EVENT_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const encodeTimelineCursor = ({ occurredAt, eventId }: TimelinePosition): string =>
  Buffer.from(`${occurredAt.toISOString()}|${eventId}`).toString('base64url');

/** The position a cursor holds, or undefined for anything that is not a timeline cursor. */
export function decodeTimelineCursor(cursor: string): TimelinePosition | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const [at, eventId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !ISO.test(at ?? '') || !EVENT_ID.test(eventId ?? '')) return undefined;
  const occurredAt = new Date(at);
  return Number.isNaN(occurredAt.getTime()) || occurredAt.toISOString() !== at
    ? undefined
    : { occurredAt, eventId };
}
