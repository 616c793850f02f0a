import { randomUUID } from 'node:crypto';
import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { DataSource, EntityManager } from 'typeorm';
import { cloudEventToKafka, toCloudEvent, type KafkaRecord } from '@crm/contracts';
import {
  ExactlyOnceConsumer,
  TRACER_NAME,
  deadLetterTopic,
  type DeliveredEvent,
  type ExactlyOnceConsumerOptions,
} from '@crm/messaging';
import {
  deleteTopics,
  metadata,
  newDataSource,
  quietLogger,
  setUpFixture,
  uniqueSuffix,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

/** A CloudEvent record `{ n }` of the fixture's context (one key: one partition, in order), with a producer's traceparent. */
function record(context: string, n: number, key: string, id = randomUUID()): KafkaRecord {
  const event = {
    id,
    type: 'Counted',
    streamId: `x-${key}`,
    revision: n,
    data: { n },
    metadata: metadata(key),
  };
  const kafka = cloudEventToKafka(toCloudEvent(context, event, key));
  const traceId = randomUUID().replace(/-/g, '');
  const spanId = randomUUID().replace(/-/g, '').slice(0, 16);
  return { ...kafka, headers: { ...kafka.headers, traceparent: `00-${traceId}-${spanId}-01` } };
}

/**
 * Batch mode (`handleSet`): one dedupe statement per batch and the new events handed over at once,
 * in order, in one CONSUMER span linking the producers; redeliveries apply nothing twice; a batch
 * that keeps failing is applied one event at a time and only the failing event is parked.
 */
describe('ExactlyOnceConsumer batch mode', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let f: Fixture;
  let ds: DataSource;
  let table: string;
  const stoppers: Array<() => Promise<void>> = [];

  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  beforeEach(async () => {
    f = await setUpFixture(1);
    await f.bus.ensureTopics([{ topic: f.topic, partitions: 1, deadLetterTopic: true }]);
    ds = await newDataSource();
    table = `"${f.schema}".applied`;
    await ds.query(`CREATE TABLE ${table} (event_id text PRIMARY KEY, n int NOT NULL)`);
    exporter.reset();
  });

  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await ds.destroy();
    await deleteTopics(f.kafka, [deadLetterTopic(f.topic)]);
    await f.close();
  });

  /** A batch-mode consumer inserting each set with one statement; `sets` records what each call got. */
  function consumerOptions(sets: number[][]): ExactlyOnceConsumerOptions {
    return {
      subscriber: f.bus,
      dataSource: ds,
      consumerName: 'set-counter',
      groupId: `it-set-${uniqueSuffix()}`,
      topics: [f.topic],
      schema: f.schema,
      retry: { attempts: 2, backoffMs: 50 },
      deadLetterPublisher: f.bus,
      logger: quietLogger,
      handleSet: async (items: DeliveredEvent[], manager: EntityManager) => {
        const ns = items.map((item) => (item.event.data as { n: number }).n);
        sets.push(ns);
        await manager.query(`INSERT INTO ${table} SELECT unnest($1::text[]), unnest($2::int[])`, [
          items.map((item) => item.event.id),
          ns,
        ]);
      },
    };
  }

  const applied = async () =>
    (await ds.query(`SELECT n FROM ${table} ORDER BY n`)).map((r: { n: number }) => r.n);

  it('applies each event once, in sets, although a record is duplicated and everything is delivered again', async () => {
    const key = randomUUID();
    const records = Array.from({ length: 20 }, (_, n) => record(f.context, n, key));
    const duplicate = { ...records[4] }; // the relay published event 4 twice
    await f.bus.publish(f.topic, [...records.slice(0, 10), duplicate, ...records.slice(10)]);
    const sets: number[][] = [];
    const options = consumerOptions(sets);
    const consumer = new ExactlyOnceConsumer(options);
    stoppers.push(() => consumer.stop());
    await consumer.migrate();
    await consumer.start();
    await waitFor('20 events applied', () => consumer.stats().processed === 20, {
      diagnose: () => consumer.stats(),
    });

    expect(await applied()).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(sets.flat()).toEqual(Array.from({ length: 20 }, (_, n) => n)); // in order, each once
    expect(sets.length).toBeLessThan(20); // sets, not events one by one
    expect(consumer.stats()).toMatchObject({ skippedDuplicates: 1, failedBatches: 0 });

    // One CONSUMER span per set, linking the producers' trace contexts.
    const spans = exporter
      .getFinishedSpans()
      .filter((s) => s.instrumentationScope.name === TRACER_NAME && s.kind === SpanKind.CONSUMER);
    expect(spans).toHaveLength(sets.length);
    const linked = spans.flatMap((s) => (s.links.length > 0 ? s.links : [{ context: s.parentSpanContext }]));
    const producers = records.map((r) => r.headers.traceparent.split('-')[2]);
    expect(linked.map((l) => l.context?.spanId)).toEqual(producers);

    // Everything delivered again (a new group): nothing applied twice.
    await consumer.stop();
    const rerun = new ExactlyOnceConsumer({ ...options, groupId: `it-set-${uniqueSuffix()}` });
    stoppers.push(() => rerun.stop());
    await rerun.start();
    await waitFor('every record seen again', () => rerun.stats().skippedDuplicates === 21, {
      diagnose: () => rerun.stats(),
    });
    expect(rerun.stats()).toMatchObject({ processed: 0 });
    expect(sets.flat()).toHaveLength(20);
    expect(await applied()).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('isolates a set that keeps failing: the failing event alone is parked, the others applied', async () => {
    // A read model that cannot take n = 13: a permanent failure for that one event.
    await ds.query(`ALTER TABLE ${table} ADD CONSTRAINT no_13 CHECK (n <> 13)`);
    const key = randomUUID();
    const records = [10, 11, 12, 13, 14].map((n) => record(f.context, n, key));
    await f.bus.publish(f.topic, records);
    const sets: number[][] = [];
    const consumer = new ExactlyOnceConsumer(consumerOptions(sets));
    stoppers.push(() => consumer.stop());
    await consumer.migrate();
    await consumer.start();
    await waitFor(
      'four events applied and one parked',
      () => {
        const s = consumer.stats();
        return s.processed === 4 && s.deadLettered['handler-failed'] === 1 && s.retrying === undefined;
      },
      { diagnose: () => consumer.stats() },
    );

    expect(await applied()).toEqual([10, 11, 12, 14]);
    expect(consumer.stats().failedBatches).toBeGreaterThanOrEqual(2); // the whole set, twice
    expect(sets.slice(-5)).toEqual([[10], [11], [12], [13], [14]]); // then one event at a time
    const failing = records[3].headers.ce_id;
    const letters = await consumer.deadLetters.list({ consumer: 'set-counter' });
    expect(letters.map((l) => [l.reason, l.eventId])).toEqual([['handler-failed', failing]]);
    expect(letters[0].error).toMatch(/no_13/);
    const dedupeRows = await ds.query(`SELECT event_id FROM "${f.schema}".processed_events ORDER BY 1`);
    expect(dedupeRows.map((r: { event_id: string }) => r.event_id)).not.toContain(failing);

    // Fixed: the replay applies it once, through handleSet.
    await ds.query(`ALTER TABLE ${table} DROP CONSTRAINT no_13`);
    expect(await consumer.replay(letters[0].id)).toMatchObject({ status: 'replayed', applied: true });
    expect(await applied()).toEqual([10, 11, 12, 13, 14]);
  });
});
