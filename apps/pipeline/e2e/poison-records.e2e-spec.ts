import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import {
  PublishedEventsReader,
  ServiceProcess,
  callService,
  deadLetterMisfit,
  freePort,
  freshDatabase,
  kafkaBrokers,
  waitFor,
} from '@crm/test-support';

/**
 * No record stops a consumer. Records that are not CloudEvents, and a LeadConverted whose data
 * breaks its contract, are parked on `<topic>.dlq` while conversions go on; an event the read
 * model cannot apply is parked (and readiness says so) while later events are applied, and is
 * applied exactly once by a replay after the cause is fixed. Real processes, broker and database.
 */
jest.setTimeout(180_000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let leads: ServiceProcess;
let pipeline: ServiceProcess;
let admin: Admin;
let readers: { stop(): Promise<void> }[] = [];
const kafka = new Kafka({ clientId: 'e2e-poison', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
const run = randomBytes(3).toString('hex');
const topicPrefix = `e2e-${run}.`;
const groupPrefix = `e2e-${randomUUID()}`;
const leadsTopic = `${topicPrefix}crm.leads.events`;
const pipelineTopic = `${topicPrefix}crm.pipeline.events`;
const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

function service(name: 'leads' | 'pipeline', port: number) {
  return new ServiceProcess(name, port, {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: groupPrefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    // One partition: the records after a bad one are on the same partition, behind it.
    KAFKA_PARTITIONS: '1',
    LEAD_OWNERS: `owner-${run}`,
    LOG_LEVEL: 'warn',
  });
}

/** Every message of `topic`, from the beginning, in an array that fills up as they arrive. */
async function follow(topic: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  readers.push({ stop: () => reader.disconnect() });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return messages;
}

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The value of one sample in Prometheus text, NaN when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${l}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

const metrics = async (s: ServiceProcess) => (await fetch(`${s.url}/metrics`)).text();

/** Captures, engages, qualifies and converts a lead through leads' HTTP API. */
async function convertLead() {
  const captured = await callService(leads, 'POST', '/leads', {
    companyName: `Poison Test ${randomBytes(3).toString('hex')}`,
    email: `buyer.${randomBytes(4).toString('hex')}@example.com`,
    channel: 'referral',
    companySize: 400,
  });
  expect(captured.status).toBe(201);
  const { id, customerId } = captured.body as { id: string; customerId: string };
  const engaged = await callService(leads, 'POST', `/leads/${id}/engagements`, {
    kind: 'meeting',
    channel: 'event',
  });
  expect(engaged.status).toBe(201);
  expect((await callService(leads, 'POST', `/leads/${id}/qualify`)).status).toBe(200);
  expect((await callService(leads, 'POST', `/leads/${id}/convert`)).status).toBe(200);
  return { leadId: id, customerId };
}

const accountIn = (customerId: string) =>
  waitFor(`account ${customerId} in pipeline`, async () => {
    const r = await callService(pipeline, 'GET', `/accounts/${customerId}`);
    return r.status === 200 ? r.body : undefined;
  });

beforeAll(async () => {
  db = await freshDatabase();
  leads = service('leads', await freePort());
  pipeline = service('pipeline', await freePort());
  await Promise.all([leads.start(), pipeline.start()]);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(readers.map((r) => r.stop()));
  readers = [];
  await admin?.disconnect();
  const ended = await Promise.all([leads?.stop(), pipeline?.stop()]);
  await db?.drop();
  expect(ended).toEqual(['graceful', 'graceful']);
});

describe('poison records on crm.leads.events', () => {
  it('creates the topics and dead-letter topics with the configured partitions, keeping events for ever', async () => {
    const topics = [leadsTopic, `${leadsTopic}.dlq`, pipelineTopic, `${pipelineTopic}.dlq`];
    const metadata = await admin.fetchTopicMetadata({ topics });
    expect(metadata.topics.map((t) => [t.name, t.partitions.length])).toEqual(
      expect.arrayContaining(topics.map((t) => [t, 1])),
    );
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['retention.ms'],
      })),
    });
    expect(resources.map((r) => r.configEntries[0].configValue)).toEqual(['-1', '-1', '-1', '-1']);
  });

  it('dead-letters records that are not CloudEvents and a LeadConverted breaking its contract; conversions go on', async () => {
    // An integrator reading the topic with the CloudEvents SDK against the AsyncAPI document.
    const integrator = await PublishedEventsReader.follow(kafkaBrokers(), leadsTopic);
    readers.push(integrator);
    const first = await convertLead();
    const converted = await waitFor('a real LeadConverted on the leads topic', () =>
      integrator.ofType('crm.leads.LeadConverted.v1').find((e) => e.event.subject === first.leadId),
    );
    const real = converted.record;
    await accountIn(first.customerId);

    const producer = kafka.producer();
    await producer.connect();
    const junk = [1, 2, 3].map((n) => ({
      key: `junk-${n}`,
      value: 'not json {{{',
      headers: {
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_type: 'crm.leads.LeadConverted.v1',
      },
    }));
    const poisonId = randomUUID();
    const poisonHeaders = { ...(real.headers as Record<string, Buffer>), ce_id: Buffer.from(poisonId) };
    const poison = { key: real.key, value: '{"leadId":"not-a-uuid"}', headers: poisonHeaders };
    await producer.send({ topic: leadsTopic, acks: -1, messages: [...junk, poison] });
    await producer.disconnect();

    const later = [await convertLead(), await convertLead(), await convertLead()];
    for (const lead of later)
      expect(await accountIn(lead.customerId)).toMatchObject({ fromLeadId: lead.leadId });
    // The integrator's reader refuses the same four records, and nothing else.
    const refused = await waitFor('the four bad records refused by the integrator', () =>
      integrator.rejected.length >= 4 ? integrator.rejected : undefined,
    );
    expect(refused.map((r) => r.record.key?.toString())).toEqual([
      'junk-1',
      'junk-2',
      'junk-3',
      real.key?.toString(),
    ]);
    const notACloudEvent = expect.stringMatching(/: not a CloudEvent for the SDK$/);
    expect(refused.map((r) => r.reason)).toEqual([
      notACloudEvent,
      notACloudEvent,
      notACloudEvent,
      expect.stringMatching(
        /does not fit leadsEvents\/LeadConvertedV1: payload: .*\/customerId is required.*\/leadId must match format "uuid"/,
      ),
    ]);

    // On <topic>.dlq: each bad record once per consumer of the topic, as it came, with why.
    const dlq = await follow(`${leadsTopic}.dlq`);
    const parked = await waitFor('the four bad records parked by lead-conversion', () => {
      const mine = dlq.filter((m) => header(m, 'dlq_consumer') === 'lead-conversion');
      return mine.length >= 4 ? mine : undefined;
    });
    expect(parked.map(deadLetterMisfit)).toEqual(['', '', '', '']); // the document's DeadLetter message
    expect(parked.map((m) => header(m, 'dlq_reason'))).toEqual([
      'invalid-cloudevent',
      'invalid-cloudevent',
      'invalid-cloudevent',
      'contract-violation',
    ]);
    const poisoned = parked[3];
    expect(poisoned.key?.toString()).toBe(real.key?.toString());
    expect(poisoned.value?.toString()).toBe('{"leadId":"not-a-uuid"}');
    expect(header(poisoned, 'ce_id')).toBe(poisonId);
    expect(header(poisoned, 'ce_type')).toBe('crm.leads.LeadConverted.v1');
    expect(header(poisoned, 'dlq_topic')).toBe(leadsTopic);
    expect(header(poisoned, 'dlq_partition')).toBe('0');
    expect(Number(header(poisoned, 'dlq_offset'))).toBeGreaterThan(Number(real.offset));
    expect(header(poisoned, 'dlq_error')).toMatch(/^LeadConverted v1 violates its contract: /);
    expect(header(poisoned, 'dlq_error')).toContain('/leadId must match format "uuid"');
    expect(Date.parse(header(poisoned, 'dlq_time') ?? '')).not.toBeNaN();
    await waitFor('leads own projection parked them too', () =>
      dlq.filter((m) => header(m, 'dlq_consumer') === 'lead-summary').length >= 4 ? true : undefined,
    );

    // Counted in /metrics, consumers all running, both services ready.
    const text = await metrics(pipeline);
    const c = { consumer: 'lead-conversion' };
    expect(sample(text, 'crm_consumer_dead_letters_total', { ...c, reason: 'invalid-cloudevent' })).toBe(3);
    expect(sample(text, 'crm_consumer_dead_letters_total', { ...c, reason: 'contract-violation' })).toBe(1);
    expect(sample(text, 'crm_consumer_dead_letters_total', { ...c, reason: 'handler-failed' })).toBe(0);
    for (const consumer of ['lead-conversion', 'pipeline-read-model', 'win-recording']) {
      expect(sample(text, 'crm_consumer_running', { consumer })).toBe(1);
      expect(sample(text, 'crm_consumer_restarts_total', { consumer })).toBe(0);
    }
    const leadsText = await metrics(leads);
    expect(
      sample(leadsText, 'crm_consumer_dead_letters_total', {
        consumer: 'lead-summary',
        reason: 'contract-violation',
      }),
    ).toBe(1);
    expect(sample(leadsText, 'crm_consumer_running', { consumer: 'lead-summary' })).toBe(1);
    for (const s of [leads, pipeline])
      expect((await callService(s, 'GET', '/health/ready')).status).toBe(200);
    expect(
      [...pipeline.output, ...leads.output].filter((line) => /consumer crashed|consumer stopped/.test(line)),
    ).toEqual([]);

    // Replaying bad records cannot make them good: they stay parked, and the service stays ready.
    const all = await callService(pipeline, 'POST', '/dead-letters/replay?consumer=lead-conversion');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ consumer: 'lead-conversion', replayed: 0, failed: 4 });
    expect((await callService(pipeline, 'POST', '/dead-letters/replay?consumer=nobody')).status).toBe(404);
    expect((await callService(pipeline, 'GET', '/dead-letters?status=lost')).status).toBe(400);
    expect((await callService(pipeline, 'GET', '/health/ready')).status).toBe(200);
  });
});

describe('an event the read model cannot apply', () => {
  const blocked = `Blocked ${run}`;

  it('is parked while later events are applied, fails readiness, and is applied once by a replay after the fix', async () => {
    // A real failure of the projection for this one row: the table refuses the account's name.
    await sql(`ALTER TABLE pipeline.account ADD CONSTRAINT e2e_blocked CHECK (name <> '${blocked}')`);
    const opened = await callService(pipeline, 'POST', '/accounts', { name: blocked, kind: 'company' });
    expect(opened.status).toBe(201);
    const after = await callService(pipeline, 'POST', '/accounts', { name: `After ${run}`, kind: 'company' });
    expect(after.status).toBe(201);
    expect(await accountIn(after.body.id)).toMatchObject({ name: `After ${run}` }); // behind it, applied
    expect((await callService(pipeline, 'GET', `/accounts/${opened.body.id}`)).status).toBe(404);

    const ready = await waitFor('readiness failing for pipeline-read-model', async () => {
      const r = await callService(pipeline, 'GET', '/health/ready');
      const projections = r.body.error?.projections;
      return r.status === 503 && /could not apply/.test(JSON.stringify(projections))
        ? projections
        : undefined;
    });
    expect(ready.failing).toEqual([
      {
        consumer: 'pipeline-read-model',
        reason: expect.stringMatching(/^1 event\(s\) it could not apply are parked/),
      },
    ]);

    const list = await callService(
      pipeline,
      'GET',
      '/dead-letters?consumer=pipeline-read-model&status=parked',
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        consumer: 'pipeline-read-model',
        reason: 'handler-failed',
        eventType: 'crm.pipeline.AccountOpened.v1',
        key: opened.body.id,
        topic: pipelineTopic,
        replayedAt: null,
        error: expect.stringContaining('e2e_blocked'),
      }),
    ]);
    const letter = list.body.items[0] as { id: string; eventId: string };
    const text = await metrics(pipeline);
    const c = { consumer: 'pipeline-read-model' };
    expect(sample(text, 'crm_consumer_dead_letters_total', { ...c, reason: 'handler-failed' })).toBe(1);
    expect(sample(text, 'crm_consumer_parked_dead_letters', { ...c, reason: 'handler-failed' })).toBe(1);
    expect(sample(text, 'crm_consumer_retries_total', c)).toBeGreaterThanOrEqual(3);
    const dlq = await follow(`${pipelineTopic}.dlq`);
    const parkedEvent = await waitFor('the parked event on the dead-letter topic', () =>
      dlq.find((m) => header(m, 'ce_id') === letter.eventId && header(m, 'dlq_reason') === 'handler-failed'),
    );
    expect(deadLetterMisfit(parkedEvent)).toBe('');

    // Not fixed yet: the replay fails again and leaves it parked with the new error.
    const early = await callService(pipeline, 'POST', `/dead-letters/${letter.id}/replay`);
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({
      code: 'REPLAY_FAILED',
      details: { deadLetter: { replayedAt: null, replayAttempts: 1 } },
    });

    await sql(`ALTER TABLE pipeline.account DROP CONSTRAINT e2e_blocked`);
    const replayed = await callService(pipeline, 'POST', `/dead-letters/${letter.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({
      status: 'replayed',
      applied: true,
      deadLetter: { replayAttempts: 2 },
    });
    expect(await accountIn(opened.body.id)).toMatchObject({ name: blocked });
    const again = await callService(pipeline, 'POST', `/dead-letters/${letter.id}/replay`);
    expect(again.body).toMatchObject({ status: 'already-replayed' });
    const [counts] = await sql<{ accounts: number; applied: number }>(
      `SELECT (SELECT count(*)::int FROM pipeline.account WHERE account_id = $1) AS accounts,
              (SELECT count(*)::int FROM pipeline.processed_events WHERE consumer = 'pipeline-read-model' AND event_id = $2) AS applied`,
      [opened.body.id, letter.eventId],
    );
    expect(counts).toEqual({ accounts: 1, applied: 1 });
    expect(sample(await metrics(pipeline), 'crm_consumer_replays_total', { ...c, outcome: 'replayed' })).toBe(
      1,
    );
    await waitFor('readiness back to 200', async () =>
      (await callService(pipeline, 'GET', '/health/ready')).status === 200 ? true : undefined,
    );
    expect((await callService(pipeline, 'POST', '/dead-letters/987654321/replay')).status).toBe(404);
    const replayedList = await callService(
      pipeline,
      'GET',
      '/dead-letters?consumer=pipeline-read-model&status=replayed',
    );
    expect(replayedList.body.items).toEqual([
      expect.objectContaining({ id: letter.id, replayedAt: expect.any(String) }),
    ]);
  });
});
