import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { cloudEventToKafka, toCloudEvent, type CloudEvent, type KafkaRecord } from '@crm/contracts';
import {
  ExactlyOnceConsumer,
  deadLetterTopic,
  type CloudEventHandler,
  type ExactlyOnceConsumerOptions,
} from '@crm/messaging';
import {
  deleteTopics,
  metadata,
  newDataSource,
  quietLogger,
  readTopic,
  setUpFixture,
  topicSize,
  uniqueSuffix,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

/** A CloudEvent record of `context` as the relay publishes it (one key: one partition, in order). */
function record(context: string, type: string, data: unknown, key: string, schemaVersion = 1): KafkaRecord {
  const event = {
    id: randomUUID(),
    type,
    streamId: `x-${key}`,
    revision: 0,
    data,
    metadata: metadata(key, { schemaVersion }),
  };
  return cloudEventToKafka(toCloudEvent(context, event, key));
}

/**
 * No record stops the consumer: records that are not CloudEvents or break their contract are
 * dead-lettered at once; an event the handler cannot apply is parked after the retries, while
 * the events after it are applied; a replay after the fix applies it exactly once.
 */
describe('ExactlyOnceConsumer dead letters', () => {
  let f: Fixture;
  let ds: DataSource;
  const stoppers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    f = await setUpFixture(1);
    await f.bus.ensureTopics([{ topic: f.topic, partitions: 1, deadLetterTopic: true }]);
    ds = await newDataSource();
  });

  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await ds.destroy();
    await deleteTopics(f.kafka, [deadLetterTopic(f.topic)]);
    await f.close();
  });

  /** A consumer of the fixture's topic in a group of its own, parking on `<topic>.dlq`. */
  const consumerOf = (consumerName: string, handle: CloudEventHandler): ExactlyOnceConsumerOptions => ({
    subscriber: f.bus,
    dataSource: ds,
    consumerName,
    groupId: `it-dlq-${uniqueSuffix()}`,
    topics: [f.topic],
    schema: f.schema,
    retry: { attempts: 2, backoffMs: 50 },
    deadLetterPublisher: f.bus,
    logger: quietLogger,
    handle,
  });

  it('parks bad records and a failing event, applies the rest, and replays the event once after the fix', async () => {
    const table = `"${f.schema}".applied`;
    // A read model that cannot take n = 13: a permanent failure for that one event.
    await ds.query(
      `CREATE TABLE ${table} (event_id text PRIMARY KEY, n int NOT NULL CONSTRAINT no_13 CHECK (n <> 13))`,
    );
    const key = randomUUID();
    const notCloudEvent = {
      key,
      value: Buffer.from('not json {{{'),
      headers: { 'content-type': 'text/plain' },
    };
    const poison = record('leads', 'LeadConverted', { leadId: 'not-a-uuid' }, key);
    const events = [10, 11, 12, 13, 14].map((n) => record(f.context, 'Counted', { n }, key));
    await f.bus.publish(f.topic, [notCloudEvent, events[0], poison, ...events.slice(1)]);
    const failing = events[3].headers.ce_id;

    const options = consumerOf('counter', async (event: CloudEvent, manager: EntityManager) => {
      const { n } = event.data as { n: number };
      await manager.query(`INSERT INTO ${table} VALUES ($1, $2)`, [event.id, n]);
    });
    const consumer = new ExactlyOnceConsumer(options);
    stoppers.push(() => consumer.stop());
    await consumer.migrate();
    await consumer.start();
    await waitFor(
      'four events applied and three records parked',
      () => {
        const s = consumer.stats();
        return s.processed === 4 && s.deadLettered['handler-failed'] === 1 && s.retrying === undefined;
      },
      { diagnose: () => consumer.stats() },
    );

    const stats = consumer.stats();
    expect(stats).toMatchObject({
      running: true,
      deadLettered: { 'invalid-cloudevent': 1, 'contract-violation': 1, 'handler-failed': 1 },
    });
    expect(stats.failedBatches).toBeGreaterThanOrEqual(2); // the whole batch, twice, before isolation
    const applied = async () =>
      (await ds.query(`SELECT n FROM ${table} ORDER BY n`)).map((r: { n: number }) => r.n);
    expect(await applied()).toEqual([10, 11, 12, 14]);
    const dedupe = async () =>
      Number(
        (
          await ds.query(`SELECT count(*) FROM "${f.schema}".processed_events WHERE event_id = $1`, [failing])
        )[0].count,
      );
    expect(await dedupe()).toBe(0); // parked events get no dedupe row: a replay can apply them

    const letters = await consumer.deadLetters.list({ consumer: 'counter' });
    expect(letters.map((l) => [l.reason, l.offset])).toEqual([
      ['invalid-cloudevent', '0'],
      ['contract-violation', '2'],
      ['handler-failed', '5'],
    ]);
    expect(letters[0]).toMatchObject({ eventId: null, key, value: 'not json {{{', replayedAt: null });
    expect(letters[1].error).toMatch(/\/leadId must match format "uuid"/);
    expect(letters[2]).toMatchObject({ eventId: failing, error: expect.stringMatching(/no_13/) });

    // The same three records on <topic>.dlq: the original key, value and headers, and why.
    const dlq = await readTopic(f.kafka, deadLetterTopic(f.topic));
    stoppers.push(() => dlq.close());
    await waitFor('three dead letters on the topic', () => dlq.messages.length === 3);
    expect(dlq.messages.map((m) => m.headers.dlq_reason)).toEqual([
      'invalid-cloudevent',
      'contract-violation',
      'handler-failed',
    ]);
    expect(dlq.messages[1]).toMatchObject({
      key,
      value: '{"leadId":"not-a-uuid"}',
      headers: expect.objectContaining({
        ce_type: 'crm.leads.LeadConverted.v1',
        ce_id: poison.headers.ce_id,
        dlq_consumer: 'counter',
        dlq_topic: f.topic,
        dlq_partition: '0',
        dlq_offset: '2',
        dlq_error: expect.stringContaining('LeadConverted v1 violates its contract'),
        dlq_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    });

    // A replay before the cause is fixed fails again and leaves the event parked with the new error.
    const again = await consumer.replay(letters[2].id);
    expect(again).toMatchObject({ status: 'failed', deadLetter: { replayedAt: null, replayAttempts: 1 } });
    expect(await applied()).toEqual([10, 11, 12, 14]);

    // Fixed: the replay applies it, exactly once, with its dedupe row.
    await ds.query(`ALTER TABLE ${table} DROP CONSTRAINT no_13`);
    const replayed = await consumer.replay(letters[2].id);
    expect(replayed).toMatchObject({ status: 'replayed', applied: true, deadLetter: { replayAttempts: 2 } });
    expect(replayed?.deadLetter.replayedAt).not.toBeNull();
    expect((await consumer.replay(letters[2].id))?.status).toBe('already-replayed');
    expect(await applied()).toEqual([10, 11, 12, 13, 14]);
    expect(await dedupe()).toBe(1);
    expect(consumer.stats().replays).toEqual({ replayed: 1, failed: 1 });
    expect((await consumer.deadLetters.list({ status: 'parked' })).map((l) => l.reason)).toEqual([
      'invalid-cloudevent',
      'contract-violation',
    ]);
    expect(await consumer.replay('999999999')).toBeUndefined();

    // Everything delivered again (a new group): nothing applied twice, nothing parked twice.
    await consumer.stop();
    const rerun = new ExactlyOnceConsumer({ ...options, groupId: `it-dlq-${uniqueSuffix()}` });
    stoppers.push(() => rerun.stop());
    await rerun.start();
    await waitFor('every event seen again', () => rerun.stats().skippedDuplicates === 5, {
      diagnose: () => rerun.stats(),
    });
    expect(rerun.stats()).toMatchObject({ processed: 0, deadLettered: { 'invalid-cloudevent': 0 } });
    expect(await applied()).toEqual([10, 11, 12, 13, 14]);
    expect(await consumer.deadLetters.list({ consumer: 'counter' })).toHaveLength(3);
    expect(await topicSize(f.kafka, deadLetterTopic(f.topic))).toBe(3);
  });

  it('parks an event of a version the contracts do not know as a contract violation; the next one is applied', async () => {
    // A producer upgraded before its consumers: LeadConverted v2, every CloudEvents header valid.
    const table = `"${f.schema}".conversions`;
    await ds.query(`CREATE TABLE ${table} (event_id uuid PRIMARY KEY, lead_id uuid NOT NULL)`);
    const leadId = randomUUID();
    const conversion = {
      leadId,
      customerId: randomUUID(),
      customerType: 'prospect',
      interests: [],
      ownerId: 'rep-1',
      channel: 'referral',
      source: {},
      score: 45,
      convertedAt: new Date().toISOString(),
    };
    const v2 = record('leads', 'LeadConverted', conversion, leadId, 2);
    const v1 = record('leads', 'LeadConverted', conversion, leadId);
    expect(v2.headers.ce_type).toBe('crm.leads.LeadConverted.v2');
    await f.bus.publish(f.topic, [v2, v1]);

    const consumer = new ExactlyOnceConsumer(
      consumerOf('lead-conversion', async (event: CloudEvent, manager: EntityManager) => {
        await manager.query(`INSERT INTO ${table} VALUES ($1, $2)`, [event.id, event.subject]);
      }),
    );
    stoppers.push(() => consumer.stop());
    await consumer.migrate();
    await consumer.start();
    await waitFor('the v1 event applied', () => consumer.stats().processed === 1, {
      diagnose: () => consumer.stats(),
    });

    expect(consumer.stats().deadLettered).toEqual({
      'invalid-cloudevent': 0,
      'contract-violation': 1,
      'handler-failed': 0,
    });
    expect(await ds.query(`SELECT event_id, lead_id FROM ${table}`)).toEqual([
      { event_id: v1.headers.ce_id, lead_id: leadId },
    ]);
    const processed = await ds.query(`SELECT event_id FROM "${f.schema}".processed_events`);
    expect(processed).toEqual([{ event_id: v1.headers.ce_id }]); // none for v2: a replay may apply it
    const letters = await consumer.deadLetters.list({ consumer: 'lead-conversion' });
    expect(letters).toEqual([
      expect.objectContaining({
        reason: 'contract-violation',
        eventId: v2.headers.ce_id,
        offset: '0',
        key: leadId,
        error: expect.stringContaining('LeadConverted has no schema version 2'),
      }),
    ]);

    const dlq = await readTopic(f.kafka, deadLetterTopic(f.topic));
    stoppers.push(() => dlq.close());
    await waitFor('the dead letter on the topic', () => dlq.messages.length === 1);
    expect(dlq.messages[0]).toMatchObject({
      key: leadId,
      value: v2.value.toString(),
      headers: expect.objectContaining({
        ce_type: 'crm.leads.LeadConverted.v2',
        ce_id: v2.headers.ce_id,
        dlq_reason: 'contract-violation',
        dlq_consumer: 'lead-conversion',
        dlq_partition: '0',
        dlq_offset: '0',
      }),
    });
  });
});
