import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, ParsedEvent } from '@crm/contracts';
import type { IncomingMessage } from '../message-bus.port';

export interface CrmEventArgs {
  /** The consumer whose handler runs (its consumer group and dedupe scope). */
  consumer: string;
  /** The pattern that matched, e.g. `crm.leads.LeadConverted` or `crm.leads.*`. */
  pattern: string;
  event: CloudEvent;
  parsed: ParsedEvent | undefined;
  manager: EntityManager;
  message: IncomingMessage;
}

/**
 * What a handler of the CRM events transport gets with `@Ctx()`: the event, the Kafka record it
 * came in, and the transaction of its batch. Every write of the handler goes through
 * {@link getManager}: it commits with the event's dedupe row, before the offset, or not at all.
 */
export class CrmEventContext extends BaseRpcContext<[CrmEventArgs]> {
  constructor(args: CrmEventArgs) {
    super([args]);
  }

  /** The batch's transaction. Writes anywhere else are not undone when the batch fails. */
  getManager(): EntityManager {
    return this.args[0].manager;
  }

  /** The event as its contract reads it (newest version); undefined for a type outside the contracts. */
  getEvent(): ParsedEvent | undefined {
    return this.args[0].parsed;
  }

  /** The CloudEvent: id, type, subject (aggregate id), time, correlation and causation ids, trace context. */
  getCloudEvent(): CloudEvent {
    return this.args[0].event;
  }

  /** Position of the event in its aggregate's stream (the CloudEvent `sequence`). */
  getRevision(): number {
    return Number(this.args[0].event.sequence);
  }

  /** The Kafka record: topic, partition, offset, key and headers. */
  getMessage(): IncomingMessage {
    return this.args[0].message;
  }

  getConsumer(): string {
    return this.args[0].consumer;
  }

  getPattern(): string {
    return this.args[0].pattern;
  }
}
