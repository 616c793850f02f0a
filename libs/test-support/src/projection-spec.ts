import { randomUUID } from 'node:crypto';
import { Module, type Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { toCloudEvent, type CloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import type { GivenEvent } from './in-process-service';

/**
 * The events of one aggregate as its context publishes them: CloudEvents of `subject` whose
 * revisions (`sequence`) run on from `from`, all with one customer and correlation id.
 */
export function publishedEvents(
  context: string,
  subject: string,
  events: GivenEvent[],
  { from = 0, customerId = randomUUID() }: { from?: number; customerId?: string } = {},
): CloudEvent[] {
  const correlationId = randomUUID();
  return events.map(({ type, data, schemaVersion = 1 }, i) =>
    toCloudEvent(
      context,
      {
        id: randomUUID(),
        type,
        streamId: subject,
        revision: from + i,
        data,
        metadata: {
          customerId: (data as { customerId?: string }).customerId ?? customerId,
          correlationId,
          causationId: randomUUID(),
          schemaVersion,
          occurredAt: new Date().toISOString(),
        },
      },
      subject,
    ),
  );
}

/**
 * A projection specified as "given these events, then these rows": the `@EventPattern` handlers
 * of its controllers, bound as the CRM events transport binds them (each event read through its
 * contract first), applied inside real transactions on the service's real read model tables.
 */
export class ProjectionSpec {
  private constructor(
    private readonly db: DataSource,
    private readonly consumer: string,
    private readonly handlers: BoundEventHandlers,
  ) {}

  /** Binds the handlers of `controllers` (which need no providers) for `consumer`, writing to `db`. */
  static async bind(db: DataSource, consumer: string, controllers: Type<unknown>[]): Promise<ProjectionSpec> {
    class ProjectionUnderTest {}
    Module({ controllers })(ProjectionUnderTest);
    return new ProjectionSpec(db, consumer, await bindCrmEventHandlers(ProjectionUnderTest));
  }

  /** Applies the events in order in one transaction, as one batch of the consumer: all of them or none. */
  async given(...events: CloudEvent[]): Promise<void> {
    await this.db.transaction(async (manager) => {
      for (const event of events) await this.handlers.deliver(this.consumer, event, manager);
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of arbitrary queries
  rows<T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.db.query(sql, parameters);
  }

  close(): Promise<void> {
    return this.handlers.close();
  }
}
