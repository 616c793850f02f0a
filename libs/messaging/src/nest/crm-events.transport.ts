import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import type { BoundedContext, CloudEvent, ParsedEvent } from '@crm/contracts';
import { JsonLogger, type MessagingLogger } from '../log/json-logger';
import type { MessagePublisher, MessageSubscriber } from '../message-bus.port';
import type { Delivery } from '../consumer/consumer.types';
import { ExactlyOnceConsumer } from '../consumer/exactly-once-consumer';
import { describeError, type RetryPolicy } from '../consumer/failures';
import { CrmEventContext } from './crm-event-context';
import { parseEventPattern, patternsFor } from './event-patterns';

/** The id of the transport: `@EventPattern(pattern, CRM_EVENTS, extras)` binds a handler to it alone. */
export const CRM_EVENTS = Symbol('crm-events');

/** The extras every `@EventPattern` of this transport gives: which consumer the handler belongs to. */
export interface CrmEventExtras {
  /** Consumer name: its consumer group (see `groupIdOf`) and the scope of its dedupe rows. */
  consumer: string;
}

export interface CrmEventsTransportOptions {
  subscriber: MessageSubscriber;
  /** The database handlers write to; also holds `processed_events` and `dead_letters`. */
  dataSource: DataSource;
  /** Schema of `processed_events` and `dead_letters`. */
  schema: string;
  /** The topic a context publishes on in this deployment (`crm.<context>.events`, maybe prefixed). */
  topicOf: (context: BoundedContext) => string;
  /** The consumer group of a consumer. */
  groupIdOf: (consumer: string) => string;
  /** Creates the consumed topics (and their dead-letter topics) before the consumers join. */
  prepareTopics?: (topics: string[]) => Promise<unknown>;
  retry?: Partial<RetryPolicy>;
  /** Publishes dead letters on `<topic>.dlq`; without it they are only kept in the table. */
  deadLetterPublisher?: MessagePublisher;
  /** Where a new consumer group starts (default: the beginning of the topics). */
  fromBeginning?: boolean;
  /** Logger of the transport, and of each consumer. */
  logger?: MessagingLogger;
  loggerOf?: (consumer: string) => MessagingLogger;
  /** Attempts at joining a group while Kafka answers with retriable errors (default 10). */
  startAttempts?: number;
  /**
   * Opens the personal values of an event's data (sealed on the wire with the customer's key)
   * before its handler sees them; what it throws fails the event like a handler would.
   */
  reveal?: (event: CloudEvent, parsed: ParsedEvent) => Promise<unknown>;
}

/** A consumer of the transport: a named group of handlers with its own consumer group. */
export interface EventConsumer {
  name: string;
  groupId: string;
  topics: string[];
  consumer: ExactlyOnceConsumer;
}

/** Nest's composite route of a handler: one per consumer and pattern, never shared between consumers. */
const route = (consumer: string, pattern: string) => JSON.stringify({ consumer, event: pattern });

/** A filter may end a handler with something else than an Error; the consumer wants one. */
function asError(value: unknown): unknown {
  if (value instanceof Error) return value;
  const message = (value as { message?: unknown } | null)?.message;
  return new Error(typeof message === 'string' ? message : JSON.stringify(value), { cause: value });
}

/**
 * A Nest microservice transport for the CRM's CloudEvents on Kafka. Projections and reactions are
 * Nest controllers whose methods say `@EventPattern('crm.leads.LeadConverted', { consumer: 'lead-conversion' })`
 * (patterns: see `event-patterns.ts`) and take `@Payload()` (the data, read through its contract)
 * and `@Ctx()` ({@link CrmEventContext}); Nest's guards, interceptors, pipes and exception filters
 * apply to them as to any handler.
 *
 * `listen()` starts one {@link ExactlyOnceConsumer} per consumer name, on the topics of the contexts
 * its patterns name, with every guarantee of that consumer: one transaction per batch holding the
 * handlers' writes and a dedupe row per event; offsets committed after it; contract checks and
 * dead letters; retries, then event by event isolation; the producer's trace continued. Each
 * event is handed to the consumer's handler of its exact type, else of its context's `*`, else
 * to none (it is marked processed, nothing else). The handler's completion (a promise or an
 * observable) is awaited before the next event: per-partition order holds. What it throws comes
 * back to the consumer unchanged (with {@link EventHandlerErrorFilter} installed, see
 * `startCrmEvents`), so a failing handler rolls its batch back as any other.
 */
export class CrmEventsTransport extends Server implements CustomTransportStrategy {
  private readonly patterns = new Map<string, Set<string>>();
  private running: EventConsumer[] = [];
  private readonly log: MessagingLogger;

  constructor(private readonly options: CrmEventsTransportOptions) {
    super();
    this.setTransportId(CRM_EVENTS);
    this.log = options.logger ?? new JsonLogger('messaging.nest');
  }

  /** Called by Nest for each `@EventPattern`; refuses anything it could not deliver to. */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const where = `@EventPattern(${JSON.stringify(pattern)})`;
    if (!isEventHandler)
      throw new Error(`${where}: the CRM events transport delivers events: use @EventPattern`);
    const consumer = extras.consumer;
    if (typeof consumer !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(consumer))
      throw new Error(
        `${where}: name its consumer in the extras, e.g. { consumer: 'lead-summary' } (lower case, digits, "-")`,
      );
    parseEventPattern(pattern);
    const patterns = this.patterns.get(consumer) ?? new Set<string>();
    if (patterns.has(pattern as string))
      throw new Error(`${where}: consumer ${consumer} has two handlers for it; which first is not defined`);
    this.patterns.set(consumer, patterns.add(pattern as string));
    super.addHandler({ consumer, event: pattern }, callback, true, extras);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Leaves every consumer group after its batch in flight. */
  async close(): Promise<void> {
    await Promise.allSettled(this.running.map((c) => c.consumer.stop()));
  }

  /** The consumers, once `listen()` made them (for metrics, readiness and replays). */
  consumers(): EventConsumer[] {
    return [...this.running];
  }

  unwrap<T>(): T {
    return this.consumers() as T;
  }

  on(): never {
    throw new Error('the CRM events transport emits no events: read its consumers() stats');
  }

  /**
   * Hands an event to the handler `consumer` declared for it, through Nest, inside the batch's
   * transaction (`manager`); resolves when the handler completed, rejects with what it threw.
   * Without a handler it does nothing (the consumer does not even open a transaction for it: `wants`).
   */
  async dispatch(consumer: string, event: CloudEvent, manager: EntityManager, delivery: Delivery) {
    const pattern = patternsFor(event.type).find((p) => this.patterns.get(consumer)?.has(p));
    if (pattern === undefined) return;
    const handler = this.getHandlerByPattern(route(consumer, pattern));
    if (!handler) throw new Error(`no Nest handler for ${consumer} ${pattern}`);
    const { message, parsed } = delivery;
    const context = new CrmEventContext({ consumer, pattern, event, parsed, manager, message });
    const reveal = this.options.reveal;
    const data = parsed && reveal ? await reveal(event, parsed) : parsed?.data;
    const completion = this.transformToObservable(handler(data, context));
    await lastValueFrom(completion, { defaultValue: undefined }).catch((error: unknown) => {
      throw asError(error);
    });
  }

  private async start(): Promise<void> {
    const o = this.options;
    this.running = [...this.patterns].map(([name, patterns]) => {
      const contexts = new Set([...patterns].map((p) => parseEventPattern(p).context as BoundedContext));
      const topics = [...contexts].map(o.topicOf);
      const groupId = o.groupIdOf(name);
      const consumer = new ExactlyOnceConsumer({
        subscriber: o.subscriber,
        dataSource: o.dataSource,
        consumerName: name,
        groupId,
        topics,
        schema: o.schema,
        handle: (event, manager, delivery) => this.dispatch(name, event, manager, delivery),
        wants: (event) => patternsFor(event.type).some((p) => patterns.has(p)),
        ...(o.fromBeginning !== undefined ? { fromBeginning: o.fromBeginning } : {}),
        ...(o.retry ? { retry: o.retry } : {}),
        ...(o.deadLetterPublisher ? { deadLetterPublisher: o.deadLetterPublisher } : {}),
        ...(o.loggerOf ? { logger: o.loggerOf(name) } : {}),
      });
      return { name, groupId, topics, consumer };
    });
    for (const { consumer } of this.running) await consumer.migrate();
    await o.prepareTopics?.([...new Set(this.running.flatMap((c) => c.topics))]);
    for (const { name, consumer } of this.running) await this.startWithRetries(name, () => consumer.start());
    this.log.log('info', 'event consumers started', {
      consumers: this.running.map(({ name, topics }) => ({ name, topics })),
    });
  }

  /**
   * Kafka answers some requests with retriable errors while a cluster settles (a topic another
   * service just created, a coordinator moving): those are retried for a while before giving up.
   */
  private async startWithRetries(name: string, start: () => Promise<void>): Promise<void> {
    const attempts = this.options.startAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= attempts) throw error;
        this.log.log('warn', 'consumer start failed, retrying', {
          consumer: name,
          attempt,
          error: describeError(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }
}
