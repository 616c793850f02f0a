import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { isSystemEvent, toEventData, toExpectedRevision, toRecordedEvent } from './mapping';

const meta = { customerId: 'c', correlationId: 'r', causationId: 'x', schemaVersion: 1, occurredAt: 'now' };

describe('EventStoreDB mapping', () => {
  it('maps expected revisions', () => {
    expect([
      toExpectedRevision('any'),
      toExpectedRevision('no_stream'),
      toExpectedRevision('stream_exists'),
    ]).toEqual([ANY, NO_STREAM, STREAM_EXISTS]);
    expect(toExpectedRevision(7)).toBe(7n);
  });

  it('writes JSON events with our id and metadata', () => {
    expect(toEventData({ id: 'id-1', type: 'T', data: { a: 1 }, metadata: meta })).toMatchObject({
      id: 'id-1',
      type: 'T',
      contentType: 'application/json',
      data: { a: 1 },
      metadata: meta,
    });
  });

  it('refuses event data that is not a JSON object or array, naming the event', () => {
    for (const data of [42, 'text', null, new Uint8Array([1])])
      expect(() => toEventData({ id: 'id-2', type: 'T', data, metadata: meta })).toThrow(
        /id-2 \(T\): data must be a JSON object/,
      );
  });

  it('reads an event, and hides system events', () => {
    const event = {
      streamId: 's',
      id: 'id-1',
      revision: 3n,
      type: 'T',
      data: { a: 1 },
      metadata: meta,
      isJson: true as const,
      created: new Date(5),
      position: { commit: 10n, prepare: 9n },
    };
    expect(toRecordedEvent({ event })).toEqual({
      id: 'id-1',
      type: 'T',
      streamId: 's',
      revision: 3,
      position: { commit: 10n, prepare: 9n },
      data: { a: 1 },
      metadata: meta,
      recordedAt: new Date(5),
    });
    expect(toRecordedEvent({ event: { ...event, type: '$metadata' } })).toBeUndefined();
    expect(toRecordedEvent({})).toBeUndefined();
    expect(() => toRecordedEvent({ event: { ...event, metadata: new Uint8Array([1]) } })).toThrow(
      'no JSON metadata',
    );
    expect(isSystemEvent({ type: 'T', streamId: '$et-T' })).toBe(true);
  });
});
