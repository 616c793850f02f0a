import type {
  AppendResult,
  AuditTrailPage,
  AuditTrailQuery,
  EventStore,
  ExpectedRevision,
  FenceStatus,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  SubscriptionOptions,
} from '@crm/event-store';
import { personalDataSchema } from '@crm/contracts';
import type { PersonalDataCipher } from './personal-data-cipher';

/** Whether the event's contract marks any of its values personal (most events: none). */
const holdsPersonalData = (e: NewEvent | RecordedEvent) =>
  personalDataSchema(e.type, e.metadata.schemaVersion) !== undefined;

const identity = (e: NewEvent | RecordedEvent) => ({
  type: e.type,
  schemaVersion: e.metadata.schemaVersion,
  customerId: e.metadata.customerId,
});

/**
 * An event store whose personal values are sealed before they are stored. A service's own
 * aggregates read their streams open (`readStream`), as they wrote them. The global log
 * (`readAll`, `subscribeToAll`) is read as stored, sealed: it is what the relay publishes to
 * Kafka, so no topic ever holds a readable personal value; consumers open them with the key vault
 * (the CRM events transport does) and read `[erased]` once the customer was erased.
 */
export class ProtectedEventStore implements EventStore {
  readonly fenceStatus?: () => Promise<FenceStatus>;
  readonly auditTrail?: (query: AuditTrailQuery) => Promise<AuditTrailPage>;

  constructor(
    private readonly store: EventStore,
    private readonly cipher: PersonalDataCipher,
  ) {
    if (store.fenceStatus) this.fenceStatus = () => store.fenceStatus!();
    if (store.auditTrail) this.auditTrail = (query) => store.auditTrail!(query);
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (!events.some(holdsPersonalData)) return this.store.append(streamId, events, expectedRevision);
    const sealed = await Promise.all(
      events.map(async (e) =>
        holdsPersonalData(e) ? { ...e, data: await this.cipher.protect(identity(e), e.data) } : e,
      ),
    );
    return this.store.append(streamId, sealed, expectedRevision);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(streamId, options);
    if (!events.some(holdsPersonalData)) return events;
    return Promise.all(
      events.map(async (e) =>
        holdsPersonalData(e) ? { ...e, data: await this.cipher.reveal(identity(e), e.data) } : e,
      ),
    );
  }

  /** As stored: personal values sealed. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.store.readAll(options);
  }

  /** As stored: personal values sealed. */
  subscribeToAll(options: SubscriptionOptions): Subscription {
    return this.store.subscribeToAll(options);
  }

  migrate(): Promise<void> {
    return this.store.migrate();
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
