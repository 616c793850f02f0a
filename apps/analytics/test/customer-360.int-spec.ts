import { randomUUID } from 'node:crypto';
import { CustomerQueries } from '../src/customer/customer.queries';
import { C, customer360Events } from './customer-360.given';
import { AnalyticsProjection, fact } from './projection.given';

/** Figures hand-computed from the population of customer-360.given.ts. */
describe('customer 360 and timeline queries (over the analytics views)', () => {
  let p: AnalyticsProjection;
  let queries: CustomerQueries;

  beforeAll(async () => {
    p = await AnalyticsProjection.start();
    queries = new CustomerQueries(p.db);
    await p.given(...customer360Events());
  });
  afterAll(() => p.close());

  it('answers the profile, stages and key figures as of the end of June', async () => {
    const view = await queries.view360(C, '2026-06-30T00:00:00Z');

    expect(view.asOf).toBe('2026-06-30T00:00:00.000Z');
    expect(view.profile).toEqual({
      name: 'Charles Babbage',
      email: 'charles@example.com',
      company: null,
      erased: false,
      customerType: 'prospect',
      channel: 'email',
      country: 'FR',
      owner: 'rep-7',
      cohortMonth: '2026-01',
    });
    // at_risk was left on 07-15, after asOf: then it was current.
    expect(view.stageHistory.map((s) => [s.stage, s.context, s.validFrom, s.validTo])).toEqual([
      ['interest', 'leads', '2026-01-05T10:00:00.000Z', '2026-01-10T10:00:00.000Z'],
      ['acquisition', 'pipeline', '2026-01-10T10:00:00.000Z', '2026-03-10T10:00:00.000Z'],
      ['retention', 'service', '2026-03-10T10:00:00.000Z', '2026-06-02T12:00:00.000Z'],
      ['at_risk', 'service', '2026-06-02T12:00:00.000Z', null],
    ]);
    expect(view.currentStage?.stage).toBe('at_risk');
    expect(view.figures).toEqual({
      wonRevenue: 1000,
      orders: 3,
      averageOrderValue: 333.33,
      firstPurchaseAt: '2026-01-10T10:00:00.000Z',
      lastPurchaseAt: '2026-05-10T10:00:00.000Z',
      lifespanDays: 120,
      currencies: ['EUR'],
      openCases: 1,
      openComplaints: 1,
      lastCsat: { score: 4, at: '2026-06-05T10:00:00.000Z', caseId: expect.any(String) },
      lastNps: { score: 5, at: '2026-06-02T10:00:00.000Z', caseId: expect.any(String) },
      // Recency (days) A 0, B 9, C 50, D 70, E 120; frequency A 1, B 2, C 3, D 4, E 5;
      // monetary A 100, D 200, B 400, C 1000, E 2000: C scores R 3, F 3, M 4, FM ⌊(3+4+1)/2⌋ = 4.
      rfm: {
        recencyDays: 50,
        frequency: 3,
        monetary: 1000,
        r: 3,
        f: 3,
        m: 4,
        fm: 4,
        segment: 'Loyal',
        population: 5,
      },
      // Usual interval: median(59, 61) = 60 days; 50.6 days since the last order: not overdue.
      churnRisk: {
        score: 30,
        level: 'medium',
        reasons: [
          { signal: 'detractor_nps', points: 15, text: 'detractor: latest NPS answer 5' },
          { signal: 'open_complaints', points: 10, text: '1 open complaint' },
          { signal: 'breached_slas', points: 5, text: '1 SLA breach in the last 90 days' },
        ],
      },
    });
  });

  it('counts what happened exactly at asOf, and nothing after', async () => {
    const view = await queries.view360(C, '2026-03-10T10:00:00.000Z');

    expect(view.currentStage).toMatchObject({
      stage: 'retention',
      validFrom: '2026-03-10T10:00:00.000Z',
      validTo: null,
    });
    expect(view.stageHistory.map((s) => s.stage)).toEqual(['interest', 'acquisition', 'retention']);
    expect(view.figures).toMatchObject({
      wonRevenue: 600,
      orders: 2,
      lastPurchaseAt: '2026-03-10T10:00:00.000Z',
      openCases: 0,
      lastCsat: null,
      lastNps: null,
      // Population then: C (recency 0, 2 orders, 600) and E (9 days, 5 orders, 2000).
      rfm: {
        recencyDays: 0,
        frequency: 2,
        monetary: 600,
        r: 4,
        f: 2,
        m: 2,
        fm: 2,
        segment: 'Potential loyalist',
        population: 2,
      },
      churnRisk: { score: 0, level: 'low', reasons: [] },
    });
    const justBefore = await queries.view360(C, '2026-03-10T09:59:59.999Z');
    expect(justBefore.figures.orders).toBe(1);
    expect(justBefore.currentStage?.stage).toBe('acquisition');
  });

  it('does not know a customer before its first fact, nor one it never met (CUSTOMER_NOT_FOUND)', async () => {
    await expect(queries.view360(C, '2026-01-05T09:59:59Z')).rejects.toMatchObject({
      kind: 'not_found',
      code: 'CUSTOMER_NOT_FOUND',
    });
    await expect(queries.view360(randomUUID())).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    await expect(queries.timeline(randomUUID(), {})).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
  });

  it('pages the timeline newest first, filtered by context, with a cursor', async () => {
    const asOf = '2026-06-30T00:00:00Z';
    const first = await queries.timeline(C, { asOf, context: 'service', limit: 3 });
    const second = await queries.timeline(C, { asOf, context: 'service', limit: 3, before: first.next });
    const third = await queries.timeline(C, { asOf, context: 'service', limit: 3, before: second.next });

    expect(
      [first, second, third].map((page) => page.items.map((i) => [i.occurredAt.slice(5, 16), i.kind])),
    ).toEqual([
      [
        ['06-05T10:00', 'survey'],
        ['06-02T12:00', 'stage_reached'],
        ['06-02T10:00', 'survey'],
      ],
      [
        ['06-01T11:00', 'sla_breached'],
        ['06-01T10:00', 'case_opened'],
        ['05-21T10:00', 'case_solved'],
      ],
      [
        ['05-20T10:00', 'case_opened'],
        ['03-10T10:00', 'stage_reached'],
      ],
    ]);
    expect(third.next).toBeUndefined();
    expect(first.items[0]).toMatchObject({
      context: 'service',
      channel: 'web',
      title: 'Satisfaction rated 4/5',
    });
  });

  it('filters the timeline by channel and leaves out what happened after asOf', async () => {
    const email = await queries.timeline(C, { asOf: '2026-06-30T00:00:00Z', channel: 'email' });
    expect(email.items.map((i) => [i.context, i.kind])).toEqual([
      ['marketing', 'campaign_click'],
      ['marketing', 'campaign_sent'],
      ['leads', 'lead_captured'],
    ]);
    const all = await queries.timeline(C, { asOf: '2026-06-30T00:00:00Z', limit: 200 });
    expect(all.items).toHaveLength(17);
    expect(all.items.map((i) => i.kind)).not.toContain('campaign_bounced');
    const later = await queries.timeline(C, { limit: 1 });
    expect(later.items.map((i) => [i.kind, i.detail.stage])).toEqual([['stage_reached', 'expansion']]);
  });

  it('shows [erased] for the personal values of an erased customer; figures and timeline stay', async () => {
    const x = randomUUID();
    await p.given(
      fact('LeadCaptured', {
        leadId: randomUUID(),
        customerId: x,
        personName: 'Grace Hopper',
        email: 'grace@example.com',
        channel: 'phone',
        source: {},
        customerType: 'prospect',
        interests: [],
        capturedAt: '2026-02-01T08:00:00.000Z',
      }),
      fact('CustomerErased', { customerId: x, reason: 'request 7', erasedAt: '2026-02-02T08:00:00.000Z' }),
    );

    const view = await queries.view360(x, '2026-03-01T00:00:00Z');
    expect(view.profile).toMatchObject({
      name: '[erased]',
      email: '[erased]',
      erased: true,
      channel: 'phone',
    });
    const timeline = await queries.timeline(x, { asOf: '2026-03-01T00:00:00Z' });
    expect(timeline.items.map((i) => i.kind)).toEqual(['customer_erased', 'lead_captured']);
    expect(JSON.stringify(timeline)).not.toMatch(/Grace|grace@/);
  });
});
