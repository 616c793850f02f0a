import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { loadConfig } from '@crm/service-kit';
import type { InProcessService } from '@crm/test-support';
import type { DueTimer } from '@crm/timers';
import { ConsentService } from '../src/consent/consent.service';
import { MarketingConfig } from '../src/marketing.config';
import { SegmentEvaluation } from '../src/segment/segment-evaluation';
import {
  SEGMENT_EVALUATION_TIMER,
  SegmentEvaluationTimers,
  type SegmentEvaluationPayload,
} from '../src/segment/segment-evaluation.timers';
import { SegmentMembershipService } from '../src/segment/segment-membership.service';
import { SegmentTimeTimers } from '../src/segment/segment-time.timers';
import { as, startMarketing, type MarketingReadModel } from './marketing.given';
import { evaluated, evaluationsUnderWay } from './segment-evaluation.given';

jest.setTimeout(120_000);

/**
 * A (re)defined segment evaluated over every profile in chunks of `SEGMENT_EVALUATION_CHUNK` (500),
 * outside the `marketing-segments` consumer's transaction, one firing of the segment's evaluation
 * timer per chunk (real PostgreSQL). The profiles are written straight into the read model (no
 * event: so that only the evaluation decides about them). Where a test must stop an evaluation
 * mid-way it fires the chunks itself, with a timer due in the far future (the next chunk is due
 * after it, so the service's own poller never takes it).
 */
let marketing: InProcessService;
let readModel: MarketingReadModel;
let config: MarketingConfig;
beforeAll(async () => {
  ({ marketing, readModel } = await startMarketing());
  config = loadConfig(MarketingConfig, { CONSENT_LINK_SECRET: 'a test secret of the consent links' });
});
afterAll(async () => {
  await readModel?.close();
  await marketing?.stop();
});

const FAR = new Date('2999-01-01T00:00:00.000Z');

/** This test's own evaluation handler, on the service's database and event store. */
function evaluation() {
  const timeTimers = new SegmentTimeTimers(marketing.runtime);
  const evaluations = new SegmentEvaluationTimers(marketing.runtime);
  const memberships = new SegmentMembershipService(
    marketing.store,
    new ConsentService(marketing.store, config),
    timeTimers,
    evaluations,
  );
  return new SegmentEvaluation(evaluations, timeTimers, memberships, config);
}

/** In one transaction, as the timers would: the handler, then the timer's row. */
async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await marketing.runtime.pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

/** The segment's evaluation timer, if it has one. */
async function evaluationTimer(segmentId: string): Promise<DueTimer | undefined> {
  const { rows } = await marketing.runtime.pool.query(
    `select kind, key, due_at, payload, attempts from marketing.durable_timers where kind = $1 and key = $2`,
    [SEGMENT_EVALUATION_TIMER, segmentId],
  );
  return rows[0] && { ...rows[0], dueAt: rows[0].due_at };
}

/** One chunk fired by the test: the timer given, or the segment's (due in the far future). */
async function fireChunk(segmentId: string, timer?: DueTimer) {
  const due = timer ?? (await evaluationTimer(segmentId));
  if (!due) return false;
  expect(due.dueAt.getTime()).toBeGreaterThan(Date.now());
  await inTransaction(async (client) => {
    await evaluation().fire(due, client);
    // As the timers do: the row goes unless the handler moved it.
    await client.query('delete from marketing.durable_timers where kind = $1 and key = $2 and due_at = $3', [
      due.kind,
      due.key,
      due.dueAt,
    ]);
  });
  return true;
}

const firstChunkOf = (segmentId: string, version: number): DueTimer => ({
  kind: SEGMENT_EVALUATION_TIMER,
  key: segmentId,
  dueAt: FAR,
  payload: { version } satisfies SegmentEvaluationPayload,
  attempts: 0,
});

async function seedProfiles(n: number, country: (i: number) => string): Promise<void> {
  const countries = Array.from({ length: n }, (_, i) => country(i));
  await marketing.runtime.pool.query(
    `insert into marketing.customer_profile (customer_id, country)
     select gen_random_uuid(), c from unnest($1::text[]) as c`,
    [countries],
  );
}

const idsIn = async (country: string): Promise<string[]> =>
  (
    await readModel.rows<{ customer_id: string }>(
      'select customer_id from marketing.customer_profile where country = $1 order by customer_id',
      [country],
    )
  ).map((r) => r.customer_id);

const members = async (segmentId: string): Promise<string[]> =>
  (
    await readModel.rows<{ customer_id: string }>(
      'select customer_id from marketing.segment_membership where segment_id = $1 order by customer_id',
      [segmentId],
    )
  ).map((r) => r.customer_id);

/** The membership events about the segment appended after `position`. */
async function membershipEvents(segmentId: string, position: string) {
  return (await marketing.eventsAfter(position)).filter(
    (e) => e.type.startsWith('SegmentMember') && e.data.segmentId === segmentId,
  );
}

async function request(method: string, path: string, body: object) {
  const response = await marketing.request(method, path, body, await as('max'));
  expect(response.status).toBeLessThan(300);
  return response.body;
}

const define = async (rule: object): Promise<string> =>
  (await request('POST', '/segments', { name: `Segment ${randomUUID()}`, rule })).segmentId as string;

describe('a segment evaluated in chunks', () => {
  it('evaluates 1,200 profiles in three firings of its timer, none in the defining consumer', async () => {
    await seedProfiles(1_200, (i) => (i % 2 === 0 ? 'SE' : 'NO'));
    const before = await marketing.lastPosition();

    const segmentId = await define({ field: 'country', op: 'eq', value: 'SE' });
    await readModel.relay(); // the consumer's transaction
    const byConsumer = (await membershipEvents(segmentId, before)).filter(
      (e) => e.metadata.actor !== 'marketing:segment-evaluation',
    );
    expect(byConsumer).toHaveLength(0);

    await evaluated(marketing, readModel);
    const events = await membershipEvents(segmentId, before);
    const swedes = await idsIn('SE');
    expect(swedes).toHaveLength(600);
    expect(events.every((e) => e.type === 'SegmentMemberJoined')).toBe(true);
    expect(events.map((e) => e.data.customerId).sort()).toEqual(swedes); // each joined exactly once
    // one firing per chunk (500, 500, 200), each its own command
    expect(new Set(events.map((e) => e.metadata.causationId)).size).toBe(3);
    expect(await members(segmentId)).toEqual(swedes);
  });

  it('stops evaluating a version once the segment is redefined, and evaluates the new one over everyone', async () => {
    const segmentId = await define({ field: 'country', op: 'eq', value: 'DK' });
    await evaluated(marketing, readModel);
    expect(await members(segmentId)).toEqual([]);
    // The Norwegians move to Denmark with no event: only an evaluation finds them.
    await readModel.rows(`update marketing.customer_profile set country = 'DK' where country = 'NO'`);
    const before = await marketing.lastPosition();

    // Version 1's first chunk, then its evaluation left mid-way.
    await fireChunk(segmentId, firstChunkOf(segmentId, 1));
    const stale = (await evaluationTimer(segmentId))!;
    const cursor = (stale.payload as SegmentEvaluationPayload).after!;
    const joinedEarly = (await membershipEvents(segmentId, before)).map((e) => e.data.customerId as string);
    expect(joinedEarly.length).toBeGreaterThan(0);
    expect(joinedEarly.every((id) => id <= cursor)).toBe(true);

    // Redefined to the Swedes: the evaluation under way is replaced by version 2's, over everyone.
    await request('PUT', `/segments/${segmentId}`, { rule: { field: 'country', op: 'eq', value: 'SE' } });
    await evaluated(marketing, readModel);
    expect(await members(segmentId)).toEqual(await idsIn('SE'));
    const events = await membershipEvents(segmentId, before);
    const ofVersion = (v: number, type: string) =>
      events
        .filter((e) => e.data.segmentVersion === v && e.type === type)
        .map((e) => e.data.customerId as string)
        .sort();
    expect(ofVersion(1, 'SegmentMemberJoined')).toEqual(joinedEarly.sort()); // version 1 went no further
    expect(ofVersion(2, 'SegmentMemberLeft')).toEqual(joinedEarly.sort());
    expect(ofVersion(2, 'SegmentMemberJoined')).toEqual(await idsIn('SE'));

    // A firing of version 1 that comes late records nothing and sets no timer.
    const after = await marketing.lastPosition();
    await fireChunk(segmentId, stale);
    expect(await marketing.eventsAfter(after)).toEqual([]);
    expect(await evaluationTimer(segmentId)).toBeUndefined();
  });

  it('ends with the right members when profiles change while the segment is evaluated', async () => {
    const segmentId = await define({ field: 'country', op: 'eq', value: 'FI' });
    await evaluated(marketing, readModel);
    await readModel.rows(`update marketing.customer_profile set country = 'FI' where country = 'DK'`);
    const before = await marketing.lastPosition();
    await fireChunk(segmentId, firstChunkOf(segmentId, 1));
    const cursor = ((await evaluationTimer(segmentId))!.payload as SegmentEvaluationPayload).after!;

    // Customers whose profiles change during the evaluation (the profile consumer evaluates them
    // at once): one before the cursor, two after it, one of whom moves on to Norway.
    const early = `00000000-0000-4000-8000-${randomUUID().slice(-12)}`;
    const [late, leaving] = [0, 1].map(() => `ffffffff-ffff-4fff-8fff-${randomUUID().slice(-12)}`);
    for (const id of [early, late, leaving]) await customerIn(id, 'FI');
    await moved(leaving, 'NO');

    // A profile being changed (its row locked, not committed) when the next chunk reads it: skipped
    // and read again by a later chunk, once changed.
    const swede = (await idsIn('SE')).find((id) => id > cursor)!;
    const client = await marketing.runtime.pool.connect();
    try {
      await client.query('begin');
      await client.query(`update marketing.customer_profile set country = 'FI' where customer_id = $1`, [
        swede,
      ]);
      await fireChunk(segmentId);
      const payload = (await evaluationTimer(segmentId))!.payload as SegmentEvaluationPayload;
      expect(payload.pending).toEqual([swede]);
      await client.query('commit');
    } finally {
      client.release();
    }
    while (await fireChunk(segmentId));
    await readModel.relay();

    const finns = await idsIn('FI');
    expect(finns).toEqual(expect.arrayContaining([early, late, swede]));
    expect(finns).not.toContain(leaving);
    expect(await members(segmentId)).toEqual(finns);
    const events = await membershipEvents(segmentId, before);
    const of = (id: string) => events.filter((e) => e.data.customerId === id).map((e) => e.type);
    for (const id of finns) expect(of(id)).toEqual(['SegmentMemberJoined']); // each once, by one path
    expect(of(leaving)).toEqual(['SegmentMemberJoined', 'SegmentMemberLeft']);
    expect(await evaluationsUnderWay(marketing)).toBe(0);
  });
});

/** A customer with this id in `country`, as the leads and pipeline topics tell it. */
async function customerIn(customerId: string, country: string) {
  accounts.set(customerId, randomUUID());
  const leadId = randomUUID();
  await readModel.given('leads', leadId, customerId, {
    type: 'LeadCaptured',
    data: {
      leadId,
      customerId,
      personName: 'Aino Virtanen',
      email: `${customerId.slice(0, 8)}@example.fi`,
      channel: 'web_form',
      source: {},
      customerType: 'prospect',
      interests: [],
      capturedAt: '2026-05-01T09:00:00.000Z',
    },
  });
  const accountId = accounts.get(customerId)!;
  await readModel.given('pipeline', accountId, customerId, {
    type: 'AccountOpened',
    data: {
      accountId,
      customerId,
      profile: { name: 'Aino Virtanen', kind: 'person', customerType: 'prospect', address: { country } },
      ownerId: 'sam',
      openedAt: '2026-05-02T09:00:00.000Z',
    },
  });
}

const accounts = new Map<string, string>();

async function moved(customerId: string, country: string) {
  const accountId = accounts.get(customerId)!;
  await readModel.given('pipeline', accountId, customerId, {
    type: 'AccountProfileUpdated',
    data: { accountId, changes: { address: { country } }, updatedAt: '2026-05-03T09:00:00.000Z' },
  });
}
