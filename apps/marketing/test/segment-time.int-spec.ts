import { loadConfig } from '@crm/service-kit';
import type { InProcessService } from '@crm/test-support';
import { ConsentService } from '../src/consent/consent.service';
import { MarketingConfig } from '../src/marketing.config';
import { SegmentEvaluationTimers } from '../src/segment/segment-evaluation.timers';
import { SegmentMembershipService } from '../src/segment/segment-membership.service';
import { SegmentTimeReevaluation } from '../src/segment/segment-time.reevaluation';
import {
  SEGMENT_TIME_TIMER,
  SEGMENT_TIMERS_SCHEMA,
  SegmentTimeTimers,
} from '../src/segment/segment-time.timers';
import { membershipStreamId } from '../src/segment/segment.events';
import { waitUntil } from './campaign.given';
import { aCustomer, as, startMarketing, type MarketingReadModel } from './marketing.given';
import { evaluated } from './segment-evaluation.given';

jest.setTimeout(60_000);

/**
 * Time-based segments on the marketing service in process (real PostgreSQL): a customer whose
 * last purchase leaves a `withinLastDays` window leaves the segment when the window closes, with
 * no event about them, through the segment's durable timer; with the service's own poller and two
 * more polling the same table, each leaves once.
 */
let marketing: InProcessService;
let readModel: MarketingReadModel;
beforeAll(async () => {
  ({ marketing, readModel } = await startMarketing());
  // warmed up (a token, a first request), so that the windows below close after the setup
  expect((await marketing.request('GET', '/segments', undefined, await as('max'))).status).toBe(200);
});
afterAll(async () => {
  await readModel?.close();
  await marketing?.stop();
});

const DAY = 86_400_000;
const WINDOW = 30;

/** Another replica's poller of the segments' timers, on the service's database and event store. */
function replica() {
  const config = loadConfig(MarketingConfig, { CONSENT_LINK_SECRET: 'a test secret of the consent links' });
  const timers = new SegmentTimeTimers(marketing.runtime);
  const memberships = new SegmentMembershipService(
    marketing.store,
    new ConsentService(marketing.store, config),
    timers,
    new SegmentEvaluationTimers(marketing.runtime),
  );
  const poller = new SegmentTimeReevaluation(marketing.runtime, timers, memberships, config);
  return { start: () => poller.start(), stop: () => timers.timers.stop() };
}

/** A Swedish customer whose last purchase was at `wonAt`. */
async function customerWhoBought(wonAt: Date) {
  const c = aCustomer();
  await readModel.given('leads', c.leadId, c.customerId, c.captured('2026-01-01T09:00:00.000Z'));
  await readModel.given(
    'pipeline',
    c.accountId,
    c.customerId,
    c.accountOpened('SE', '2026-01-02T09:00:00.000Z'),
    c.won(500, wonAt.toISOString()),
  );
  return c;
}

const timer = async (segmentId: string) =>
  (
    await readModel.rows<{ due_at: Date; payload: { since: string } }>(
      `select due_at, payload from ${SEGMENT_TIMERS_SCHEMA}.durable_timers where kind = $1 and key = $2`,
      [SEGMENT_TIME_TIMER, segmentId],
    )
  )[0];

const members = async (segmentId: string) => {
  const { status, body } = await marketing.request(
    'GET',
    `/segments/${segmentId}/members`,
    undefined,
    await as('max'),
  );
  expect(status).toBe(200);
  return (body.members as { customerId: string }[]).map((m) => m.customerId).sort();
};

const membershipEvents = async (customerId: string) =>
  (await marketing.store.readStream(membershipStreamId(customerId))).map((e) => [
    e.type,
    (e.data as { segmentId: string }).segmentId,
  ]);

async function define(rule: object) {
  const { status, body } = await marketing.request(
    'POST',
    '/segments',
    { name: `Recent buyers ${Math.random()}`, rule },
    await as('max'),
  );
  expect(status).toBe(201);
  await evaluated(marketing, readModel);
  return body.segmentId as string;
}

describe('time-based segments', () => {
  it('lets customers leave a withinLastDays segment when their window closes, with no event, once each', async () => {
    // Windows closing a few seconds from now: `early` joins after the segment is defined (its
    // profile brings the timer forward), `late` was there when it was defined.
    const lateClose = Date.now() + 5_000;
    const earlyClose = lateClose - 1_500;
    const late = await customerWhoBought(new Date(lateClose - WINDOW * DAY));
    const segmentId = await define({
      all: [
        { field: 'country', op: 'eq', value: 'SE' },
        { field: 'lastPurchaseAt', withinLastDays: WINDOW },
      ],
    });
    expect(await members(segmentId)).toEqual([late.customerId]);
    // due when `late` leaves the window: its purchase + 30 days + 1 ms
    expect((await timer(segmentId)).due_at).toEqual(new Date(lateClose + 1));

    const early = await customerWhoBought(new Date(earlyClose - WINDOW * DAY));
    expect(await members(segmentId)).toEqual([late.customerId, early.customerId].sort());
    expect((await timer(segmentId)).due_at).toEqual(new Date(earlyClose + 1));

    // Two more replicas poll beside the service's own; nothing about the customers arrives.
    const replicas = [replica(), replica()];
    replicas.forEach((r) => r.start());
    try {
      // Both windows closed and evaluated: the timer fell back to a day after the last run.
      await waitUntil(async () => (await timer(segmentId)).due_at.getTime() > lateClose + DAY / 2);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
    const after = await timer(segmentId);
    expect(Date.parse(after.payload.since)).toBeGreaterThan(lateClose);

    await readModel.relay();
    expect(await members(segmentId)).toEqual([]);
    for (const [c, close] of [
      [early, earlyClose],
      [late, lateClose],
    ] as const) {
      // one join, one leave: each decided once whichever poller took the timer
      expect(await membershipEvents(c.customerId)).toEqual([
        ['SegmentMemberJoined', segmentId],
        ['SegmentMemberLeft', segmentId],
      ]);
      const [left] = await readModel.rows<{ left_at: Date }>(
        `select left_at from marketing.segment_membership_history where segment_id = $1 and customer_id = $2`,
        [segmentId, c.customerId],
      );
      expect(left.left_at.getTime()).toBeGreaterThan(close);
    }
  });

  it('keeps no timer for a rule that does not depend on time (a date against a fixed date)', async () => {
    const segmentId = await define({ field: 'lastPurchaseAt', op: 'gt', value: '2026-01-01T00:00:00Z' });
    expect(await timer(segmentId)).toBeUndefined();
    // redefined to a window: a timer; back to the fixed date: none again
    const headers = await as('max');
    const put = (rule: object) => marketing.request('PUT', `/segments/${segmentId}`, { rule }, headers);
    expect((await put({ field: 'lastPurchaseAt', withinLastDays: 7 })).status).toBe(200);
    await evaluated(marketing, readModel);
    expect(await timer(segmentId)).toBeDefined();
    expect((await put({ field: 'lastPurchaseAt', op: 'lt', value: '2026-01-01T00:00:00Z' })).status).toBe(
      200,
    );
    await evaluated(marketing, readModel);
    expect(await timer(segmentId)).toBeUndefined();
  });
});
