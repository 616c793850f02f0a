import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '@crm/contracts';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from '@crm/event-store';

export const uniqueStream = (prefix: string): string => `${prefix}-${randomUUID()}`;

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    customerId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
    occurredAt: '2025-01-02T03:04:05.678Z',
    ...overrides,
  };
}

export function event(type: string, data: unknown = { n: 1 }, meta: EventMetadata = metadata()): NewEvent {
  return { id: randomUUID(), type, data, metadata: meta };
}

export const events = (count: number, type = 'Tested'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => event(type, { i }));

/** Asserts that `append` was rejected with WrongExpectedRevisionError reporting `actual`. */
export async function expectConflict(
  append: Promise<unknown>,
  actual: number,
): Promise<WrongExpectedRevisionError> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).actual).toBe(actual);
  return error as WrongExpectedRevisionError;
}

/** Appends a marker event and returns its position: everything appended afterwards comes after it. */
export async function mark(store: EventStore): Promise<Position> {
  const stream = uniqueStream('marker');
  await store.append(stream, [event('Marked')], 'no_stream');
  const [marker] = await store.readStream(stream);
  return marker.position;
}

/**
 * readAll until it holds `count` events of `streams`. The global log is read below a fence (the
 * oldest running transaction, for PostgreSQL), so a commit may take a moment to become readable.
 */
export async function readAllOf(
  store: EventStore,
  after: Position,
  streams: readonly string[],
  count: number,
): Promise<RecordedEvent[]> {
  for (;;) {
    const all = await store.readAll({ after });
    const ours = all.filter((e) => streams.includes(e.streamId));
    if (ours.length >= count) return ours;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Collects what a subscription hands over and lets a test wait for a condition on it. */
export class Collector {
  readonly events: RecordedEvent[] = [];
  readonly batchSizes: number[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private error: unknown;

  readonly handler = async (batch: RecordedEvent[]): Promise<void> => {
    this.batchSizes.push(batch.length);
    this.events.push(...batch);
    this.waiters = this.waiters.filter((w) => (w.predicate() ? (w.resolve(), false) : true));
  };

  /** Pass as the subscription's onError: waiters fail at once instead of timing out. */
  readonly onError = (error: unknown): void => {
    this.error = error ?? new Error('subscription failed');
    for (const w of this.waiters) w.reject(this.error);
    this.waiters = [];
  };

  of(streams: readonly string[]): RecordedEvent[] {
    return this.events.filter((e) => streams.includes(e.streamId));
  }

  /** Resolves once the collected events contain an event with this id. */
  untilEvent(id: string): Promise<void> {
    return this.until(() => this.events.some((e) => e.id === id));
  }

  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiters.push({ predicate, resolve, reject }));
  }
}

export const ids = (list: readonly { id: string }[]): string[] => list.map((e) => e.id);
