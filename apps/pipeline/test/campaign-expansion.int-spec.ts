import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { cloudEventToKafka, type CloudEvent } from '@crm/contracts';
import {
  CrmEventsTransport,
  JsonLogger,
  KafkaBus,
  deadLetterTopic,
  startCrmEvents,
  type EventConsumer,
} from '@crm/messaging';
import { InProcessService, kafkaBrokers, publishedEvents, waitFor } from '@crm/test-support';
import { AccountService } from '../src/account/account.service';
import { opportunityStreamId } from '../src/opportunity/opportunity.events';
import { OpportunityService } from '../src/opportunity/opportunity.service';
import { PipelineConfig } from '../src/pipeline.config';
import { PipelineModule } from '../src/pipeline.module';
import {
  CampaignExpansionReaction,
  opportunityFromCampaignId,
} from '../src/reactions/campaign-expansion.reaction';
import { at } from './pipeline.given';

jest.setTimeout(90_000);

/**
 * Marketing's `CampaignExpansionResponded` on the real broker (a topic of this test standing for
 * crm.marketing.events), read by the consumer `opportunity-from-campaign` (its exactly-once
 * consumer, dedupe rows in the pipeline's schema) and handled by the reaction bound to the
 * application's own account and opportunity services on the real event store: one opportunity for
 * the customer's account with the campaign as its source, however often the response arrives.
 */
let pipeline: InProcessService;
let moduleRef: ModuleRef | undefined;
let app: INestApplication;
let bus: KafkaBus;
let consumer: EventConsumer;
const topic = `crm.marketing.events.it${randomBytes(5).toString('hex')}`;

@Injectable()
class ModuleRefProbe {
  constructor(ref: ModuleRef) {
    moduleRef = ref;
  }
}

beforeAll(async () => {
  Logger.overrideLogger(false);
  pipeline = await InProcessService.start({
    name: 'pipeline',
    Config: PipelineConfig,
    module: (config): DynamicModule => ({
      module: class PipelineUnderTest {},
      imports: [PipelineModule.forRoot(config)],
      providers: [ModuleRefProbe],
    }),
    eventStoreSchema: 'pipeline_eventstore',
  });
  const of = <T>(type: new (...args: never[]) => T) => moduleRef!.get(type, { strict: false });
  @Module({
    controllers: [CampaignExpansionReaction],
    providers: [
      { provide: AccountService, useValue: of(AccountService) },
      { provide: OpportunityService, useValue: of(OpportunityService) },
    ],
  })
  class ReactionUnderTest {}

  const quiet = new JsonLogger('test', 'error');
  bus = new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: `it-${topic}`,
    logger: quiet,
    consumer: { maxWaitTimeMs: 100 },
  });
  const transport = new CrmEventsTransport({
    subscriber: bus,
    dataSource: pipeline.runtime.db,
    schema: 'pipeline',
    topicOf: () => topic,
    groupIdOf: (name) => `it-${topic}-${name}`,
    prepareTopics: (topics) =>
      bus.ensureTopics(topics.map((t) => ({ topic: t, partitions: 1, deadLetterTopic: true }))),
    deadLetterPublisher: bus,
    logger: quiet,
    loggerOf: () => quiet,
    reveal: (event, parsed) =>
      pipeline.runtime.cipher.reveal(
        { type: parsed.type, schemaVersion: parsed.schemaVersion, customerId: event.customerid },
        parsed.data,
      ),
  });
  app = await NestFactory.create(ReactionUnderTest, { logger: false, abortOnError: false });
  await startCrmEvents(app, transport);
  [consumer] = transport.consumers();
});

afterAll(async () => {
  await app?.close();
  await bus?.disconnect();
  const kafka = new Kafka({ clientId: 'it-cleanup', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }).catch(() => undefined);
  await admin.disconnect();
  await pipeline?.stop();
});

/** An acquired customer's account (owned by Sam), as pipeline holds it. */
async function anAccount(name: string) {
  const customerId = randomUUID();
  await pipeline.seed({
    [`account-${customerId}`]: [
      {
        type: 'AccountOpened',
        data: {
          accountId: customerId,
          customerId,
          profile: { name, kind: 'company', customerType: 'prospect' },
          ownerId: 'sam',
          openedAt: at,
        },
      },
    ],
  });
  return customerId;
}

const response = (customerId: string, campaignId = randomUUID()): CloudEvent => {
  const [event] = publishedEvents(
    'marketing',
    `campaignRecipient-${campaignId}-${customerId}`,
    [
      {
        type: 'CampaignExpansionResponded',
        data: {
          campaignId,
          campaignName: 'Battery storage',
          objective: 'cross_sell',
          step: 0,
          customerId,
          kind: 'click',
          currency: 'USD',
          interests: ['solar'],
          respondedAt: '2026-05-04T09:30:00.000Z',
        },
      },
    ],
    { customerId },
  );
  return event;
};

/** Publishes the events on the topic, then waits until the consumer has taken (or skipped) them all. */
async function deliver(...events: CloudEvent[]) {
  const { processed, skippedDuplicates } = consumer.consumer.stats();
  await bus.publish(topic, events.map(cloudEventToKafka));
  await waitFor(`${events.length} events taken by opportunity-from-campaign`, () => {
    const stats = consumer.consumer.stats();
    return stats.processed + stats.skippedDuplicates >= processed + skippedDuplicates + events.length;
  });
}

const opportunityEvents = (campaignId: string, customerId: string) =>
  pipeline.store.readStream(opportunityStreamId(opportunityFromCampaignId(campaignId, customerId)));

describe("an acquired customer's response to a cross-sell campaign", () => {
  it('delivered twice (and once more under another event id) opens one opportunity with the campaign as source', async () => {
    const customerId = await anAccount('Acme SA');
    const event = response(customerId);
    const campaignId = (event.data as { campaignId: string }).campaignId;
    await deliver(event, event, { ...event, id: randomUUID() });

    const stream = await opportunityEvents(campaignId, customerId);
    expect(stream.map((e) => e.type)).toEqual(['OpportunityOpened']);
    expect(stream[0].data).toEqual({
      opportunityId: opportunityFromCampaignId(campaignId, customerId),
      accountId: customerId,
      customerId,
      name: 'Acme SA: Cross-sell Battery storage',
      ownerId: 'sam',
      stage: 'prospecting',
      probability: 10,
      forecastCategory: 'pipeline',
      currency: 'USD',
      fromCampaignId: campaignId,
      openedAt: expect.any(String),
    });
    expect(stream[0].metadata).toMatchObject({ causationId: event.id });
    expect(consumer.consumer.stats()).toMatchObject({ skippedDuplicates: 1 });
  });

  it('opens nothing for a customer without an account in pipeline, and the consumer goes on', async () => {
    const customerId = randomUUID();
    const event = response(customerId);
    await deliver(event);
    const campaignId = (event.data as { campaignId: string }).campaignId;
    expect(await opportunityEvents(campaignId, customerId)).toEqual([]);
    expect(consumer.consumer.stats()).toMatchObject({ running: true, failedBatches: 0 });
  });
});
