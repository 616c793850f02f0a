import { randomUUID } from 'node:crypto';
import type { BoundedContext, LifecycleStage } from '@crm/contracts';
import { bearer, callService, waitFor, STANDARD_SLA } from '@crm/test-support';
import type { Customer360View } from '../src/customer/customer.dto';
import { PROJECTORS } from '../src/projection/projectors';
import { AnalyticsWorld, type RunningAnalytics, type TestEvent } from './analytics.given';
import { fact, type Fact } from './projection.given';

jest.setTimeout(120_000);

const DAY = 86_400_000;
/** The facts happened days before the test started: the figures "now" are those of T0 plus seconds. */
const T0 = Date.now();
const daysAgo = (days: number) => new Date(T0 - days * DAY).toISOString();

/**
 * Customer X: a lead 200 days ago (interest), won orders 100, 70 and 40 days ago (300, 300,
 * 400 EUR; acquisition 100 days ago), a complaint opened 20 days ago and still open, an NPS of 3
 * on it 15 days ago. Customer Y: one order of 100 EUR 10 days ago (the RFM population is X and Y).
 */
const X = randomUUID();
const Y = randomUUID();
const complaint = randomUUID();
const email = `ada.${X.slice(0, 8)}@example.com`;

const won = (customerId: string, amount: number, days: number): Fact =>
  fact('OpportunityWon', {
    opportunityId: randomUUID(),
    accountId: randomUUID(),
    customerId,
    ownerId: 'rep-7',
    previousStage: 'negotiation',
    openedAt: daysAgo(days + 5),
    amount,
    currency: 'EUR',
    wonAt: daysAgo(days),
  });

const stage = (s: LifecycleStage, context: string, days: number): Fact =>
  fact(
    'CustomerLifecycleStageReached',
    {
      customerId: X,
      stage: s,
      reason: { aggregateType: 'Test', aggregateId: randomUUID() },
      reachedAt: daysAgo(days),
    },
    { context },
  );

const facts: Fact[] = [
  fact('LeadCaptured', {
    leadId: randomUUID(),
    customerId: X,
    personName: 'Ada Lovelace',
    companyName: 'Analytical Engines Ltd',
    email,
    channel: 'email',
    source: {},
    customerType: 'prospect',
    interests: [],
    capturedAt: daysAgo(200),
  }),
  stage('interest', 'leads', 200),
  won(X, 300, 100),
  stage('acquisition', 'pipeline', 100),
  won(X, 300, 70),
  won(X, 400, 40),
  fact('CaseOpened', {
    caseId: complaint,
    customerId: X,
    knownCustomer: true,
    requester: { name: 'Ada Lovelace' },
    channel: 'phone',
    caseType: 'complaint',
    priority: 'normal',
    subject: 'The engine is late',
    queue: 'support',
    sla: STANDARD_SLA,
    openedAt: daysAgo(20),
  }),
  fact('NetPromoterScoreGiven', {
    caseId: complaint,
    customerId: X,
    score: 3,
    category: 'detractor',
    givenAt: daysAgo(15),
  }),
  won(Y, 100, 10),
];

const asTestEvent = (f: Fact): TestEvent => ({
  context: f.context as BoundedContext,
  type: f.type,
  data: f.data,
  customerId: f.customerId,
});

/** The body of the export route and its analytics part. */
interface ExportBody {
  context: string;
  customerId: string;
  events: unknown[];
  readModels: { part: string; description: string; data: Customer360View | null }[];
}

/**
 * The data subject export of analytics (`GET /privacy/customers/:customerId/export`) on the
 * running service: the customer's events projected from the topics, the export's `readModels`
 * holding the customer 360 (opened personal values, stages, the profiling figures), and after
 * the customer's erasure only the erased markers where personal values were.
 */
describe('the analytics part of the data subject export', () => {
  let world: AnalyticsWorld;
  let service: RunningAnalytics;

  const exported = async (customerId: string): Promise<ExportBody> => {
    const response = await callService(service, 'GET', `/privacy/customers/${customerId}/export`, undefined, {
      authorization: await bearer('root'),
    });
    expect(response.status).toBe(200);
    return response.body as ExportBody;
  };

  beforeAll(async () => {
    world = await AnalyticsWorld.create();
    await world.publish(facts.map(asTestEvent));
    service = await world.start(PROJECTORS);
    const ofX = facts.filter((f) => f.customerId === X).length;
    await waitFor(
      `the ${ofX} timeline entries of customer X and the 4 sales`,
      async () => {
        const [row] = await world.rows<{ timeline: string; sales: string }>(
          `select (select count(*) from analytics.timeline where customer_id = $1) as timeline,
                  (select count(*) from analytics.sale) as sales`,
          [X],
        );
        return Number(row.timeline) === ofX && Number(row.sales) === 4;
      },
      60_000,
    );
  });

  afterAll(async () => {
    await service?.stop();
    await world?.close();
  });

  let before: ExportBody;

  it('holds the opened profile, the stages and the profiling figures, with what they mean', async () => {
    before = await exported(X);
    expect(before).toMatchObject({ context: 'analytics', customerId: X, events: [] });
    expect(before.readModels.map((r) => r.part)).toEqual(['customer-360']);
    const [{ description, data }] = before.readModels;
    expect(description).toContain('rfm: recency');
    expect(description).toContain('churnRisk: a score 0-100');
    expect(data?.profile).toEqual({
      name: 'Ada Lovelace',
      email,
      company: 'Analytical Engines Ltd',
      erased: false,
      customerType: 'prospect',
      channel: 'email',
      country: null,
      owner: null,
      cohortMonth: daysAgo(200).slice(0, 7),
    });
    expect(data?.stageHistory.map((s) => [s.stage, s.context, s.validFrom, s.validTo])).toEqual([
      ['interest', 'leads', daysAgo(200), daysAgo(100)],
      ['acquisition', 'pipeline', daysAgo(100), null],
    ]);
    expect(data?.currentStage).toMatchObject({ stage: 'acquisition' });
    expect(data?.figures).toEqual({
      wonRevenue: 1000,
      orders: 3,
      averageOrderValue: 333.33,
      firstPurchaseAt: daysAgo(100),
      lastPurchaseAt: daysAgo(40),
      lifespanDays: 60,
      currencies: ['EUR'],
      openCases: 1,
      openComplaints: 1,
      lastCsat: null,
      lastNps: { score: 3, at: daysAgo(15), caseId: complaint },
      // Among X and Y: recency 40 vs 10 days → R 2 (the worse of two), frequency 3 vs 1 → F 4,
      // monetary 1000 vs 100 → M 4; FM ⌊(4 + 4) / 2 + ½⌋ = 4; R 2, FM 4 is "At risk".
      rfm: {
        recencyDays: 40,
        frequency: 3,
        monetary: 1000,
        r: 2,
        f: 4,
        m: 4,
        fm: 4,
        segment: 'At risk',
        population: 2,
      },
      // Detractor NPS 15; overdue: usual gap 30 days, 40 since → 35 · (40/30 − 1) = 11.67 → 12;
      // one open complaint 10. No breach, and no earlier orders to fall from: 37, medium.
      churnRisk: {
        score: 37,
        level: 'medium',
        reasons: [
          expect.objectContaining({ signal: 'detractor_nps', points: 15 }),
          expect.objectContaining({ signal: 'overdue', points: 12 }),
          expect.objectContaining({ signal: 'open_complaints', points: 10 }),
        ],
      },
    });
  });

  it('shows only the erased markers for the personal values after the erasure; the rest stays', async () => {
    await world.publish([
      {
        context: 'leads',
        type: 'CustomerErased',
        customerId: X,
        data: { customerId: X, reason: 'GDPR art. 17 request', erasedAt: new Date().toISOString() },
      },
    ]);
    const after = await waitFor(
      'the profile of X erased in the export',
      async () => {
        const body = await exported(X);
        return body.readModels[0].data?.profile.erased === true ? body : undefined;
      },
      60_000,
    );

    const [{ data }] = after.readModels;
    expect(data?.profile).toEqual({
      ...before.readModels[0].data?.profile,
      name: '[erased]',
      email: '[erased]',
      company: '[erased]',
      erased: true,
    });
    expect(data?.stageHistory).toEqual(before.readModels[0].data?.stageHistory);
    expect(data?.figures).toEqual(before.readModels[0].data?.figures);
    for (const needle of ['Ada', 'Lovelace', email, 'Analytical Engines'])
      expect({ needle, found: JSON.stringify(after).includes(needle) }).toEqual({ needle, found: false });
  });

  it('answers a customer analytics does not know with the part, holding nothing', async () => {
    const stranger = await exported(randomUUID());
    expect(stranger.readModels).toEqual([
      { part: 'customer-360', description: expect.any(String), data: null },
    ]);
  });
});
