import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { positionToString } from '@crm/event-store';
import type { CloudEvent, KafkaRecord } from '@crm/contracts';
import { EventRelay, ExactlyOnceConsumer, type MessagePublisher } from '@crm/messaging';
import {
  newDataSource,
  newEvents,
  quietLogger,
  readAllWhenVisible,
  readTopic,
  setUpFixture,
  topicSize,
  uniqueSuffix,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

async function committedOffsetsAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.every((end) => {
      const c = committed.partitions.find((p) => p.partition === end.partition);
      return Number(end.high) === 0 || c?.offset === end.high;
    });
  } finally {
    await admin.disconnect();
  }
}

async function resetToEarliest(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * End to end: event store → relay (which crashes between the broker's ack and its checkpoint,
 * so Kafka gets duplicates) → ExactlyOnceConsumer applying each event once to PostgreSQL.
 */
describe('relay restart + ExactlyOnceConsumer', () => {
  let f: Fixture;
  let ds: DataSource;
  const stoppers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    f = await setUpFixture();
    ds = await newDataSource();
  });

  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await ds.destroy();
    await f.close();
  });

  it('applies every event exactly once although Kafka holds duplicates and offsets are replayed', async () => {
    const N1 = 20;
    const N2 = 15;
    const leads = Array.from({ length: 5 }, () => randomUUID());
    for (const lead of leads)
      await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadCaptured', N1 / 5), 'any');

    // 1. A relay that "crashes" after the broker acknowledged its 2nd batch, before the checkpoint.
    let publishes = 0;
    const crashing: MessagePublisher = {
      publish: async (topic: string, records: KafkaRecord[]) => {
        await f.bus.publish(topic, records);
        if (++publishes === 2) throw new Error('simulated crash between broker ack and checkpoint');
      },
    };
    const options = { name: 'eo-relay', context: f.context, store: f.store, pool: f.pool, schema: f.schema };
    const first = new EventRelay({
      ...options,
      publisher: crashing,
      batchSize: 5,
      retryMs: 60_000,
      logger: quietLogger,
    });
    stoppers.push(() => first.stop());
    await first.migrate();
    await first.start();
    await waitFor('the simulated crash', () => first.status().lastError !== undefined);
    await first.stop();
    expect(first.status().publishedBatches).toBe(1); // only the first batch is checkpointed

    // 2. More events, then a new relay instance resumes from the checkpoint.
    for (const lead of leads)
      await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadQualified', N2 / 5), 'any');
    const N = N1 + N2;
    const all = await readAllWhenVisible(f.store, N);
    expect(all).toHaveLength(N);
    const second = new EventRelay({
      ...options,
      publisher: f.bus,
      batchSize: 5,
      retryMs: 200,
      logger: quietLogger,
    });
    stoppers.push(() => second.stop());
    await second.start();
    const last = positionToString(all[all.length - 1].position);
    await waitFor('relay caught up', () => second.status().lastPublishedPosition === last, {
      diagnose: () => ({ first: first.status(), second: second.status(), last }),
    });

    // Kafka: every event at least once, and the re-sent batch twice.
    const size = await topicSize(f.kafka, f.topic);
    expect(size).toBeGreaterThan(N);
    const reader = await readTopic(f.kafka, f.topic);
    stoppers.push(() => reader.close());
    await waitFor('topic read back', () => reader.messages.length >= size);
    expect(new Set(reader.messages.map((m) => m.headers.ce_id))).toEqual(new Set(all.map((e) => e.id)));

    // 3. A projection: one row per application and a counter. A double application would show.
    await ds.query(`CREATE TABLE "${f.schema}".applied (event_id text NOT NULL, lead text NOT NULL)`);
    await ds.query(`CREATE TABLE "${f.schema}".counter (name text PRIMARY KEY, n int NOT NULL)`);
    await ds.query(`INSERT INTO "${f.schema}".counter VALUES ('events', 0)`);
    let failOnce = true;
    const groupId = `it-projection-${uniqueSuffix()}`;
    const consumerOptions = {
      subscriber: f.bus,
      dataSource: ds,
      consumerName: 'lead-projection',
      groupId,
      topics: [f.topic],
      schema: f.schema,
      logger: quietLogger,
      handle: async (event: CloudEvent, manager: EntityManager) => {
        await manager.query(`INSERT INTO "${f.schema}".applied VALUES ($1, $2)`, [event.id, event.subject]);
        await manager.query(`UPDATE "${f.schema}".counter SET n = n + 1 WHERE name = 'events'`);
        // A failure mid-batch rolls back the rows and dedupe records written so far in the batch.
        if (failOnce && event.id === all[7].id) {
          failOnce = false;
          throw new Error('simulated handler failure');
        }
      },
    };
    const consumer = new ExactlyOnceConsumer(consumerOptions);
    stoppers.push(() => consumer.stop());
    await consumer.migrate();
    await consumer.migrate(); // idempotent
    await consumer.start();
    await waitFor(
      'every Kafka record handled',
      () => consumer.stats().processed + consumer.stats().skippedDuplicates === size,
      { diagnose: () => ({ size, stats: consumer.stats() }) },
    );
    await waitFor('offsets committed', () => committedOffsetsAtEnd(f.kafka, groupId, f.topic));

    const counts = async (): Promise<{ rows: number; distinct: number; counter: number; dedupe: number }> => {
      const [row] = await ds.query(
        `SELECT (SELECT count(*)::int FROM "${f.schema}".applied) AS rows,
                (SELECT count(DISTINCT event_id)::int FROM "${f.schema}".applied) AS distinct,
                (SELECT n FROM "${f.schema}".counter WHERE name = 'events') AS counter,
                (SELECT count(*)::int FROM "${f.schema}".processed_events WHERE consumer = 'lead-projection') AS dedupe`,
      );
      return row;
    };
    expect(failOnce).toBe(false);
    expect(consumer.stats()).toMatchObject({
      processed: N,
      skippedDuplicates: size - N,
      deadLettered: { 'invalid-cloudevent': 0, 'contract-violation': 0, 'handler-failed': 0 },
    });
    // One failure, within the retry budget: the batch was rolled back and tried again, nothing parked.
    expect(consumer.stats().failedBatches).toBeGreaterThanOrEqual(1);
    expect(consumer.stats().retries).toBeGreaterThanOrEqual(1);
    expect(consumer.stats().retrying).toBeUndefined();
    expect(await counts()).toEqual({ rows: N, distinct: N, counter: N, dedupe: N });

    // 4. Force a redelivery of everything (as after a crash between DB commit and offset commit).
    await consumer.stop();
    await resetToEarliest(f.kafka, groupId, f.topic);
    const replay = new ExactlyOnceConsumer(consumerOptions);
    stoppers.push(() => replay.stop());
    await replay.start();
    await waitFor('every record redelivered', () => replay.stats().skippedDuplicates === size, {
      diagnose: () => ({ size, stats: replay.stats() }),
    });
    expect(replay.stats()).toMatchObject({ processed: 0, skippedDuplicates: size });
    expect(await counts()).toEqual({ rows: N, distinct: N, counter: N, dedupe: N });
  });
});
