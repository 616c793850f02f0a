import type { EntityManager } from 'typeorm';
import {
  PUBLISHERS,
  hasContract,
  parseCloudEventType,
  type CloudEvent,
  type ContractEventType,
  type ParsedEvent,
} from '@crm/contracts';
import {
  ExactlyOnceConsumer,
  type DeliveredEvent,
  type ExactlyOnceConsumerOptions,
  type MessagingLogger,
} from '@crm/messaging';
import { applyBatch } from '../projection/apply-batch';
import type { AnalyticsEvent, Projector } from '../projection/projector';

/** What a generation's runner needs from the service. */
export interface GenerationRunnerOptions extends Pick<
  ExactlyOnceConsumerOptions,
  'subscriber' | 'dataSource' | 'groupId' | 'topics' | 'retry' | 'deadLetterPublisher'
> {
  n: number;
  schema: string;
  projectors: readonly Projector[];
  /**
   * Opens the personal values of the events' data (sealed on the wire with each customer's key),
   * the batch's keys fetched at once; answers the data in the order given.
   */
  reveal: (events: { event: CloudEvent; parsed: ParsedEvent }[]) => Promise<unknown[]>;
  /** Called for each record of a type outside the contracts (acknowledged, nothing written). */
  onUnknown: (type: string) => void;
  logger: MessagingLogger;
  /** Attempts at joining the group while Kafka answers with retriable errors. */
  startAttempts?: number;
}

/** The event type of a CloudEvent `crm.<context>.<Type>.v<n>` if the contracts know it from that context. */
export function contractTypeOf(event: Pick<CloudEvent, 'type'>): ContractEventType | undefined {
  const parsed = parseCloudEventType(event.type);
  if (!parsed || !hasContract(parsed.eventType)) return undefined;
  return PUBLISHERS[parsed.eventType].includes(parsed.context) ? parsed.eventType : undefined;
}

/**
 * One generation's consumer: an ExactlyOnceConsumer in its own group (`analytics-g<n>`, from the
 * beginning of the topics) writing to its own schema (`analytics_g<n>`, which also holds its
 * processed_events and dead_letters), in the consumer's batch mode: the new events of a batch
 * (one dedupe statement) are revealed and handed at once to `applyBatch` (set-based, per type,
 * erasures last) in the batch's transaction. Types outside the contracts are counted and acknowledged; known
 * types no projector handles are acknowledged without a transaction; unknown versions of known
 * types fail their contract and are dead-lettered by the consumer.
 */
export class GenerationRunner {
  readonly consumer: ExactlyOnceConsumer;
  /** Event types some projector handles. */
  private readonly handled = new Set<string>();

  constructor(private readonly options: GenerationRunnerOptions) {
    for (const projector of options.projectors)
      for (const type of Object.keys(projector.handlers)) this.handled.add(type);
    this.consumer = new ExactlyOnceConsumer({
      subscriber: options.subscriber,
      dataSource: options.dataSource,
      consumerName: `analytics-g${options.n}`,
      groupId: options.groupId,
      topics: options.topics,
      schema: options.schema,
      fromBeginning: true,
      handleSet: (items, manager) => this.apply(items, manager),
      wants: (event) => this.wants(event),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.deadLetterPublisher ? { deadLetterPublisher: options.deadLetterPublisher } : {}),
      logger: options.logger,
    });
  }

  get n(): number {
    return this.options.n;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  get topics(): string[] {
    return this.options.topics;
  }

  /** Creates its bookkeeping tables and joins the group (retrying while Kafka settles). */
  async start(): Promise<void> {
    await this.consumer.migrate();
    const attempts = this.options.startAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.consumer.start();
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private wants(event: CloudEvent): boolean {
    const type = contractTypeOf(event);
    if (type === undefined) {
      this.options.onUnknown(event.type);
      return false;
    }
    return type === 'CustomerErased' || this.handled.has(type);
  }

  private async apply(items: DeliveredEvent[], manager: EntityManager): Promise<void> {
    const events = await this.reveal(items);
    await applyBatch(this.options.projectors, events, manager, this.options.schema);
  }

  /**
   * The batch's events as the projectors read them, personal values opened (the keys of the
   * batch's customers fetched with one query, each key object made once).
   */
  private async reveal(items: DeliveredEvent[]): Promise<AnalyticsEvent[]> {
    // Wanted events passed their contract: `parsed` is there.
    const data = await this.options.reveal(items.map(({ event, parsed }) => ({ event, parsed: parsed! })));
    return items.map(
      ({ event, parsed }, i) =>
        ({
          id: event.id,
          type: parsed!.type,
          context: parsed!.context,
          customerId: event.customerid,
          time: event.time,
          subject: event.subject,
          data: data[i],
        }) as AnalyticsEvent,
    );
  }
}
