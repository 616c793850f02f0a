import { randomUUID } from 'node:crypto';
import { assertValidEvent, cloudEventToKafka, parseCloudEventType, type CloudEvent } from '@crm/contracts';
import { KafkaBus } from '@crm/messaging';
import { callService, kafkaBrokers, publishedEvents, type GivenEvent } from '@crm/test-support';
import { startMarketing, waitForQuiet, type MarketingRun } from './marketing-process';
import { round } from './stats';

export interface SegmentFigures {
  customers: number;
  segments: number;
  /** Profile-changing events published on the leads, pipeline and service topics. */
  events: number;
  /** From the first publish until every event is applied and memberships are projected. */
  seconds: number;
  eventsPerSecond: number;
  /** SegmentMemberJoined / SegmentMemberLeft recorded on the membership streams. */
  joined: number;
  left: number;
  /** Rows of `marketing.segment_membership` at the end. */
  members: number;
}

/** Several segments over what the events change, one of them asking the consent ledger. */
const SEGMENTS = [
  { name: 'Acquired', rule: { field: 'lifecycleStage', op: 'eq', value: 'acquisition' } },
  {
    name: 'Big spenders of two owners',
    rule: {
      all: [
        { field: 'wonRevenue', op: 'gte', value: 5000 },
        { field: 'ownerId', op: 'in', value: ['rep-1', 'rep-2'] },
      ],
    },
  },
  {
    name: 'Unhappy',
    rule: {
      any: [
        { field: 'csat', op: 'lte', value: 2 },
        { field: 'openComplaints', op: 'gt', value: 0 },
      ],
    },
  },
  {
    name: 'Not customers yet',
    rule: { not: { field: 'lifecycleStage', op: 'in', value: ['acquisition', 'retention', 'expansion'] } },
  },
  {
    name: 'Recent buyers who allow offers by e-mail',
    rule: {
      all: [
        { hasConsent: { purpose: 'offers', channel: 'email' } },
        { field: 'lastPurchaseAt', withinLastDays: 30 },
      ],
    },
  },
];

type Published = { context: 'leads' | 'pipeline' | 'service'; event: CloudEvent };

/**
 * Five profile-changing events per customer, as the leads, pipeline and service desk publish
 * them: a lead reaches `interest` and is assigned, its account records a win and reaches
 * `acquisition`, a case of the customer is rated. Each changes the profile row, so each has the
 * customer evaluated against every segment. Round `r` of every customer, then round `r + 1`.
 */
function rounds(customers: number): Published[][] {
  const base = Date.now() - 60_000;
  const at = (s: number) => new Date(base + s * 1000).toISOString();
  const perCustomer = Array.from({ length: customers }, (_, i): Published[] => {
    const customerId = randomUUID();
    const leadId = randomUUID();
    const caseId = randomUUID();
    const reason = (aggregateType: string, aggregateId: string) => ({ aggregateType, aggregateId });
    const lead: GivenEvent[] = [
      {
        type: 'CustomerLifecycleStageReached',
        data: { customerId, stage: 'interest', reason: reason('lead', leadId), reachedAt: at(0) },
      },
      { type: 'LeadAssigned', data: { leadId, ownerId: `rep-${i % 3}`, method: 'round_robin' } },
    ];
    const account: GivenEvent[] = [
      {
        type: 'AccountWinRecorded',
        data: {
          accountId: customerId,
          opportunityId: randomUUID(),
          amount: (i % 10) * 1000,
          currency: 'EUR',
          wonAt: at(2),
        },
      },
      {
        type: 'CustomerLifecycleStageReached',
        data: {
          customerId,
          stage: 'acquisition',
          previousStage: 'interest',
          reason: reason('opportunity', randomUUID()),
          reachedAt: at(3),
        },
      },
    ];
    const rated: GivenEvent[] = [
      { type: 'CaseRated', data: { caseId, customerId, score: 1 + (i % 5), ratedAt: at(4) } },
    ];
    const as = (context: Published['context'], events: CloudEvent[]) =>
      events.map((event) => ({ context, event }));
    const [captured, assigned] = as('leads', publishedEvents('leads', leadId, lead, { customerId }));
    const [won, acquired] = as('pipeline', publishedEvents('pipeline', customerId, account, { customerId }));
    const [rating] = as('service', publishedEvents('service', caseId, rated, { customerId }));
    return [captured, assigned, won, acquired, rating];
  });
  // As the consumer reads them: each through its contract.
  for (const { event } of perCustomer[0]) {
    const type = parseCloudEventType(event.type)!;
    assertValidEvent(type.eventType, type.schemaVersion, event.data);
  }
  return [0, 1, 2, 3, 4].map((r) => perCustomer.map((events) => events[r]));
}

async function publish(run: MarketingRun, bus: KafkaBus, events: Published[]) {
  for (let from = 0; from < events.length; from += 500) {
    const batch = events.slice(from, from + 500);
    for (const context of ['leads', 'pipeline', 'service'] as const) {
      const records = batch.filter((e) => e.context === context).map((e) => cloudEventToKafka(e.event));
      if (records.length > 0) await bus.publish(run.topic(context), records);
    }
  }
}

/**
 * Segment re-evaluation in a real marketing process: `SEGMENTS` defined over HTTP, then
 * `5 × customers` profile-changing events published on the topics the profile projection consumes
 * (as the other contexts' relays would); the time until every event is applied, every customer
 * evaluated, every membership event recorded, published by the relay and projected (no consumer
 * lag left, the relay has published every event of the store).
 */
export async function benchSegmentReevaluation(customers: number): Promise<SegmentFigures> {
  const run = await startMarketing('crm_bench_mkt_seg', {});
  const bus = new KafkaBus({ clientId: 'bench-segments', brokers: kafkaBrokers() });
  try {
    for (const segment of SEGMENTS) {
      const response = await callService(run.service, 'POST', '/segments', segment);
      if (response.status !== 201)
        throw new Error(
          `defining ${segment.name} answered ${response.status}: ${JSON.stringify(response.body)}`,
        );
    }
    await waitForQuiet(run, 'the segments to be projected', 60_000, 100);
    const all = rounds(customers).flat();
    await bus.connect();
    const started = performance.now();
    await publish(run, bus, all);
    await waitForQuiet(run, 'every profile event applied and memberships projected', 1_800_000, 100);
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await run.pool.query<{ type: string; n: string }>(
      `select type, count(*) as n from marketing_eventstore.es_events
        where type in ('SegmentMemberJoined', 'SegmentMemberLeft') group by type`,
    );
    const count = (type: string) => Number(rows.find((r) => r.type === type)?.n ?? 0);
    const { rows: members } = await run.pool.query<{ n: string; profiles: string }>(
      `select (select count(*) from marketing.segment_membership) as n,
              (select count(*) from marketing.customer_profile) as profiles`,
    );
    if (Number(members[0].profiles) !== customers)
      throw new Error(`${members[0].profiles} profiles for ${customers} customers`);
    return {
      customers,
      segments: SEGMENTS.length,
      events: all.length,
      seconds: round(seconds),
      eventsPerSecond: round(all.length / seconds, 1),
      joined: count('SegmentMemberJoined'),
      left: count('SegmentMemberLeft'),
      members: Number(members[0].n),
    };
  } finally {
    await bus.disconnect().catch(() => undefined);
    await run.stop();
  }
}
