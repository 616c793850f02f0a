import type { EventStore, RecordedEvent } from '@crm/event-store';

/** One event held about the customer, with its data open (personal values as they read now). */
export interface ExportedEvent {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  occurredAt: string;
  recordedAt: string;
  actor: string | null;
  data: unknown;
}

/** What one service holds about a customer: every event its store keeps about them. */
export interface CustomerExport {
  context: string;
  customerId: string;
  exportedAt: string;
  events: ExportedEvent[];
}

/** The store of this service cannot list a customer's events (EventStoreDB: no index by customer). */
export class CustomerExportUnsupportedError extends Error {
  constructor() {
    super('this event store cannot list events by customer (EventStoreDB keeps no index by customer)');
    this.name = 'CustomerExportUnsupportedError';
  }
}

/**
 * Everything `store` holds about `customerId`: the audit trail names their events (by the
 * customer in each event's metadata), their streams are read through the store, so personal
 * values come out open, or `[erased]`. Oldest first.
 */
export async function exportCustomer(
  store: EventStore,
  context: string,
  customerId: string,
  now = new Date(),
): Promise<CustomerExport> {
  if (!store.auditTrail) throw new CustomerExportUnsupportedError();
  const wanted = new Map<string, Set<string>>();
  let cursor: string | undefined;
  do {
    const page = await store.auditTrail({ customerId, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const entry of page.items)
      wanted.set(entry.streamId, (wanted.get(entry.streamId) ?? new Set()).add(entry.id));
    cursor = page.next;
  } while (cursor);
  const events: RecordedEvent[] = [];
  for (const [streamId, ids] of wanted)
    events.push(...(await store.readStream(streamId)).filter((e) => ids.has(e.id)));
  events.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || a.revision - b.revision);
  return {
    context,
    customerId,
    exportedAt: now.toISOString(),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      streamId: e.streamId,
      revision: e.revision,
      occurredAt: e.metadata.occurredAt,
      recordedAt: e.recordedAt.toISOString(),
      actor: e.metadata.actor ?? null,
      data: e.data,
    })),
  };
}
