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
  type Delivery,
  type ExactlyOnceConsumerOptions,
  type MessagingLogger,
} from '@crm/messaging';
import type { AnalyticsEvent, Projector, ProjectorHandlers } from '../projection/projector';

/** What a generation's runner needs from the service. */
export interface GenerationRunnerOptions extends Pick<
  ExactlyOnceConsumerOptions,
  'subscriber' | 'dataSource' | 'groupId' | 'topics' | 'retry' | 'deadLetterPublisher'
> {
  n: number;
  schema: string;
  projectors: readonly Projector[];
  /** Opens the personal values of an event's data (sealed on the wire with the customer's key). */
  reveal: (event: CloudEvent, parsed: ParsedEvent) => Promise<unknown>;
  /** Called for each record of a type outside the contracts (acknowledged, nothing written). */
  onUnknown: (type: string) => void;
  logger: MessagingLogger;
  /** Attempts at joining the group while Kafka answers with retriable errors. */
  startAttempts?: number;
}

type Handler = (event: AnalyticsEvent, db: EntityManager, schema: string) => Promise<void>;

/** The event type of a CloudEvent `crm.<context>.<Type>.v<n>` if the contracts know it from that context. */
export function contractTypeOf(event: Pick<CloudEvent, 'type'>): ContractEventType | undefined {
  const parsed = parseCloudEventType(event.type);
  if (!parsed || !hasContract(parsed.eventType)) return undefined;
  return PUBLISHERS[parsed.eventType].includes(parsed.context) ? parsed.eventType : undefined;
}

/**
 * One generation's consumer: an ExactlyOnceConsumer in its own group (`analytics-g<n>`, from the
 * beginning of the topics) writing to its own schema (`analytics_g<n>`, which also holds its
 * processed_events and dead_letters). Every event of a batch is handed, in the batch's
 * transaction and in topic order, to each projector's handler of its type, and a `CustomerErased`
 * to each projector's `erase`. Types outside the contracts are counted and acknowledged; known
 * types no projector handles are acknowledged without a transaction; unknown versions of known
 * types fail their contract and are dead-lettered by the consumer.
 */
export class GenerationRunner {
  readonly consumer: ExactlyOnceConsumer;
  private readonly handlers = new Map<string, Handler[]>();

  constructor(private readonly options: GenerationRunnerOptions) {
    for (const projector of options.projectors)
      for (const [type, handler] of Object.entries(projector.handlers as ProjectorHandlers))
        this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler as Handler]);
    this.consumer = new ExactlyOnceConsumer({
      subscriber: options.subscriber,
      dataSource: options.dataSource,
      consumerName: `analytics-g${options.n}`,
      groupId: options.groupId,
      topics: options.topics,
      schema: options.schema,
      fromBeginning: true,
      handle: (event, manager, delivery) => this.apply(event, manager, delivery),
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
    return type === 'CustomerErased' || this.handlers.has(type);
  }

  private async apply(event: CloudEvent, manager: EntityManager, { parsed }: Delivery): Promise<void> {
    if (!parsed) return;
    const { schema } = this.options;
    const data = await this.options.reveal(event, parsed);
    const analyticsEvent = {
      id: event.id,
      type: parsed.type,
      context: parsed.context,
      customerId: event.customerid,
      time: event.time,
      subject: event.subject,
      data,
    } as AnalyticsEvent;
    for (const handler of this.handlers.get(parsed.type) ?? [])
      await handler(analyticsEvent, manager, schema);
    if (parsed.type === 'CustomerErased')
      for (const projector of this.options.projectors)
        await projector.erase(parsed.data.customerId, manager, schema);
  }
}
