import type { EventMetadata } from '@crm/contracts';
import {
  jsonEvent,
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.port';

/** System events ($-prefixed types or streams) are EventStoreDB's own and never leave the adapter. */
export function isSystemEvent(event: { type: string; streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

export function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** Event data is a JSON object or array (what the client's JSONType admits); anything else is refused. */
const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !(value instanceof Uint8Array);

function jsonData(event: NewEvent): JSONType {
  const data: unknown = event.data;
  if (Array.isArray(data) || isJsonObject(data)) return data;
  throw new TypeError(`event ${event.id} (${event.type}): data must be a JSON object or array`);
}

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: jsonData(event),
    metadata: { ...event.metadata },
  });
}

/** Our view of an event read from EventStoreDB; undefined for system events and links to deleted events. */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || isSystemEvent(event)) return undefined;
  const position =
    event.position ??
    (resolved.commitPosition === undefined
      ? undefined
      : { commit: resolved.commitPosition, prepare: resolved.commitPosition });
  if (position === undefined)
    throw new Error(`event ${event.id} in ${event.streamId} has no position (server < 22.6?)`);
  const metadata = event.metadata;
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) {
    throw new Error(
      `event ${event.id} in ${event.streamId} has no JSON metadata: not written through this event store`,
    );
  }
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position,
    data: event.data,
    metadata: metadata as unknown as EventMetadata,
    recordedAt: event.created,
  };
}
