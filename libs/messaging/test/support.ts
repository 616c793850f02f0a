import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { escapeIdentifier, Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { EventMetadata } from '@crm/contracts';
import { PostgresEventStore, type EventStore, type NewEvent, type RecordedEvent } from '@crm/event-store';
import { decodeHeaders, JsonLogger, KafkaBus } from '@crm/messaging';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_test';

/** Logs of the code under test: errors only, so that expected failures stay quiet but visible. */
export const quietLogger = new JsonLogger('test', 'error');

/** A short random lower-case suffix for topics, groups, schemas and contexts. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** Polls `condition` until it is true; fails with `what` after `timeoutMs`. No timing assertions. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; everyMs?: number; diagnose?: () => unknown } = {},
): Promise<void> {
  const { timeoutMs = 30_000, everyMs = 100, diagnose } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const state = diagnose
        ? ` (state: ${JSON.stringify(await diagnose(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))})`
        : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The whole global log once it holds `count` events. The PostgreSQL store only reads below the
 * oldest transaction still running in the cluster, so an append may become visible a little later
 * when other sessions (other test suites) have transactions open.
 */
export async function readAllWhenVisible(store: EventStore, count: number): Promise<RecordedEvent[]> {
  let all: RecordedEvent[] = [];
  await waitFor(
    `${count} events visible in the global log`,
    async () => (all = await store.readAll()).length >= count,
    {
      diagnose: () => ({ visible: all.length }),
    },
  );
  return all;
}

/** A fresh schema in the test database, dropped by `drop()`. */
export async function freshSchema(pool: Pool): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `msg_it_${uniqueSuffix()}`;
  await pool.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
  return {
    schema,
    drop: async () => void (await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`)),
  };
}

export function newPool(): Pool {
  return new Pool({ connectionString: DATABASE_URL, max: 10 });
}

export async function newDataSource(): Promise<DataSource> {
  return new DataSource({ type: 'postgres', url: DATABASE_URL, poolSize: 5 }).initialize();
}

export function plainKafka(): Kafka {
  return new Kafka({ clientId: `it-${uniqueSuffix()}`, brokers: KAFKA_BROKERS, logLevel: logLevel.ERROR });
}

/** A message read back with a plain kafkajs consumer. */
export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
}

/**
 * Reads `topic` from the beginning with a plain kafkajs consumer (its own group) into an array
 * that fills up as messages arrive; `close()` disconnects it.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
): Promise<{ messages: ReadMessage[]; close: () => Promise<void> }> {
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `it-reader-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        headers: decodeHeaders(message.headers),
        value: message.value?.toString() ?? null,
      });
    },
  });
  return { messages, close: () => consumer.disconnect() };
}

/** Total number of records in a topic (sum of high watermarks; no deletions in these tests). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export function metadata(customerId: string, overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    customerId,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/** `count` NewEvents of type `type` with payload `{ n }` for one customer. */
export function newEvents(customerId: string, type: string, count: number, first = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type,
    data: { n: first + i },
    metadata: metadata(customerId),
  }));
}

/** Everything one test needs, all unique to it; `close()` tears it down (schema dropped, topic deleted). */
export interface Fixture {
  suffix: string;
  context: string;
  topic: string;
  schema: string;
  pool: Pool;
  kafka: Kafka;
  bus: KafkaBus;
  store: PostgresEventStore;
  close: () => Promise<void>;
}

export async function setUpFixture(partitions = 3): Promise<Fixture> {
  const suffix = uniqueSuffix();
  const context = `it${suffix}`;
  const topic = `crm.${context}.events`;
  const pool = newPool();
  const { schema, drop } = await freshSchema(pool);
  const kafka = plainKafka();
  const bus = new KafkaBus({
    brokers: KAFKA_BROKERS,
    clientId: `it-bus-${suffix}`,
    logger: quietLogger,
    // Short fetch long-polls: a consumer's stop() waits for the fetch in flight.
    consumer: { maxWaitTimeMs: 250 },
  });
  await bus.ensureTopics([{ topic, partitions }]);
  const store = new PostgresEventStore({ pool, schema });
  await store.migrate();
  return {
    suffix,
    context,
    topic,
    schema,
    pool,
    kafka,
    bus,
    store,
    close: async () => {
      await bus.disconnect();
      await store.close();
      await deleteTopics(kafka, [topic]);
      await drop();
      await pool.end();
    },
  };
}
