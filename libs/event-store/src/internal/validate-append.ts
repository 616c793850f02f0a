import type { ExpectedRevision, NewEvent } from '../event-store.port';

/** Rejects appends that no adapter can honour, with the same message whichever adapter is used. */
export function assertValidAppend(
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): void {
  if (typeof streamId !== 'string' || streamId.length === 0)
    throw new Error('append: streamId must be a non-empty string');
  if (events.length === 0) throw new Error(`append to ${streamId}: at least one event is required`);
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new Error(
      `append to ${streamId}: expected revision must be a non-negative integer, got ${expected}`,
    );
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (ids.has(event.id)) throw new Error(`append to ${streamId}: event id ${event.id} appears twice`);
    ids.add(event.id);
  }
}
