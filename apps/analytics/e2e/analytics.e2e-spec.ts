import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  ALWAYS_OPEN_SLA_CALENDAR,
  accessToken,
  startCrossService,
  type CrossService,
} from '@crm/test-support';
import { diffGenerations, type Queryable } from '../src/consumption/generation-diff';
import {
  campaignReturn,
  expectedFunnel,
  expectedStages,
  overduePoints,
  pipelinePoints,
  recencyDays,
  rfmSegments,
  serviceDashboard,
  type Journey,
} from './expected.given';
import { RunTopics, analyticsLagMetrics, DAY_MS, iso, ms, rounded } from './platform.given';
import { RunFacts, answers as answersAt, byScore, levels, noRisk, top } from './facts.given';
import * as drive from './scenario.given';
import { timelineOf, type Answers } from './timeline.given';

/**
 * Analytics on the five services as real processes (built output) on the real broker, PostgreSQL
 * and SMTP server: three customers driven through leads, pipeline, service desk and marketing;
 * the customer 360 and every dashboard checked against figures computed here from what was driven
 * (instants read from the topics the services published them on); at a moment in the middle every
 * answer is kept, and asked again at the end with asOf=<that moment>; then the read models are
 * rebuilt from offset 0 through the CLI and compared table by table with the live generation.
 *
 * Ana (referral): captured, met, converted; her opportunity moved to proposal and negotiation and
 *   won (1000 EUR: acquisition); a low-priority case answered, solved, rated 5 and NPS 10
 *   (retention); consent to offers by e-mail; [after the middle] the cross-sell campaign mails her,
 *   she clicks, pipeline opens an opportunity from it, won (500 EUR: expansion).
 * Ben (event): converted, won (2000 EUR: acquisition); consent; [after] a normal case nobody answers
 *   for 6 s breaches its first response SLA, then answered, solved, rated 2 and NPS 3 (at risk);
 *   mailed by the campaign, no click.
 * Cleo (web form): converted, her opportunity (800 EUR) open in prospecting; [after] moved to
 *   qualification; no consent: the campaign suppresses her.
 * The campaign (cross-sell, planned cost 1000 EUR) is drafted before the middle; sent and a cost of
 * 200 EUR recorded after.
 */
jest.setTimeout(600_000);

/** Normal cases: first response in 6 s; low: 600 business minutes. */
const TEST_POLICIES = JSON.stringify({
  normal: { firstResponseMinutes: 0.1, nextResponseMinutes: 60, resolutionMinutes: 600, warningShare: 0.5 },
  low: { firstResponseMinutes: 600, nextResponseMinutes: 600, resolutionMinutes: 6000, warningShare: 0.8 },
});

let services: CrossService;
let topics: RunTopics;
let facts: RunFacts;
beforeAll(async () => {
  services = await startCrossService(
    {},
    {
      serviceDesk: {
        SLA_CALENDAR: ALWAYS_OPEN_SLA_CALENDAR,
        SLA_POLICIES: TEST_POLICIES,
        SLA_POLL_INTERVAL_MS: '100',
      },
      marketing: { CAMPAIGN_POLL_INTERVAL_MS: '100' },
      analytics: { ANALYTICS_SUPERVISE_INTERVAL_MS: '200' },
    },
  );
  topics = await RunTopics.follow(services);
  facts = new RunFacts(topics, services.owner);
});
afterAll(async () => {
  await topics?.stop();
  expect(await services?.stop()).toEqual(['graceful', 'graceful', 'graceful', 'graceful', 'graceful']);
});

const people = {
  ana: drive.person('Ana', 'referral'),
  ben: drive.person('Ben', 'event'),
  cleo: drive.person('Cleo', 'web_form'),
};
let x: drive.Driven;
let mid: string;
let finalAt: string;

describe('analytics over the five services, end to end', () => {
  it('answers the 360 and every dashboard with the figures driven, and as of a moment in the middle as it did then', async () => {
    x = await drive.beforeTheMiddle(services, topics, people);
    await services.analyticsCaughtUp();
    mid = iso(Date.now());
    while (Date.now() <= ms(mid)) await new Promise((resolve) => setImmediate(resolve));
    const midLive = await answersAt(services, x, mid);
    const midAsOf = await answersAt(services, x, mid, mid);
    // The metrics agree: nothing left to apply on any topic.
    expect(Object.values(await analyticsLagMetrics(services))).toEqual([0, 0, 0, 0]);

    // ---- The middle, by hand.
    const journeys = (stagesOf: Record<'a' | 'b' | 'c', string[]>): Journey[] =>
      (['a', 'b', 'c'] as const).map((k, i) => ({
        customerId: x[k],
        group: [people.ana, people.ben, people.cleo][i].channel,
        stages: stagesOf[k].map((stage) => ({ stage, at: facts.stageOf(x[k], stage).reachedAt })),
      }));
    const all = (js: Journey[]) => js.map((j) => ({ ...j, group: 'all' }));
    const midJourneys = journeys({
      a: ['interest', 'acquisition', 'retention'],
      b: ['interest', 'acquisition'],
      c: ['interest'],
    });
    expect(rounded(midAsOf.funnel)).toEqual(rounded(expectedFunnel(all(midJourneys), mid, 'all')));
    expect(rounded(midAsOf.funnelByChannel)).toEqual(rounded(expectedFunnel(midJourneys, mid, 'channel')));
    // Cleo's 800 in prospecting (10 %): weighted 80; won: Ana's 1000 and Ben's 2000.
    expect(midAsOf.pipeline).toEqual({
      asOf: mid,
      from: iso(ms(mid) - DAY_MS),
      to: mid,
      interval: 'day',
      points: pipelinePoints(mid, [1, 800, 80], [2, 3000]),
    });
    const caseA = facts.caseFacts(x.caseA, 'met', 5, 10);
    expect(rounded(midAsOf.service)).toEqual(rounded(serviceDashboard(mid, [caseA])));
    expect(midAsOf.marketing).toEqual({
      asOf: mid,
      campaigns: [campaignReturn(x.campaignId, 'draft', 1000, 0, 0)],
    });

    // Customer value: Ana 1000 (one order), Ben 2000; recency 0 days for both: R 3 and 3; F 1 and
    // 1: 3 and 3; M 1000 < 2000 among 2: 1 + ⌊5·1/4⌋ = 2 and 1 + ⌊5·3/4⌋ = 4; FM = ⌊(F + M + 1) / 2⌋:
    // 3 (Need attention) and 4 (Loyal). No churn signal: one order each, no breach, NPS 10.
    const wA1 = facts.wonAt(x.oppA1);
    const wB = facts.wonAt(x.oppB);
    expect([recencyDays(wA1, mid), recencyDays(wB, mid)]).toEqual([0, 0]);
    const historic = (orders: number, revenue: number, lifespans: number[]) => ({
      customers: 2,
      orders,
      revenue,
      revenuePerCustomer: revenue / 2,
      averageOrderValue: Math.round((revenue / orders) * 100) / 100,
      purchaseFrequency: orders / 2,
      averageLifespanDays: (lifespans[0] + lifespans[1]) / 2,
    });
    const predicted = (repeatBuyers: number) => ({
      model: 'historic',
      reason: `${repeatBuyers} repeat buyers, fewer than 20`,
      repeatBuyers,
      minRepeatBuyers: 20,
      horizonWeeks: 52,
      total: null,
      perCustomer: null,
    });
    const midRisks = byScore([noRisk(x.a), noRisk(x.b)]);
    expect(rounded(midAsOf.customerValue)).toEqual(
      rounded({
        asOf: mid,
        historic: historic(2, 3000, [0, 0]),
        predicted: predicted(0),
        rfmSegments: rfmSegments({ Loyal: 1, 'Need attention': 1 }),
        topCustomers: [
          top(x.b, 2000, 1, wB, [3, 3, 4, 'Loyal']),
          top(x.a, 1000, 1, wA1, [3, 3, 2, 'Need attention']),
        ],
        churnRisk: { total: 2, levels: levels(midRisks), offset: 0, limit: 50, items: midRisks },
      }),
    );

    const aVisits = [
      facts.visit(x.a, 'interest', 'leads', 'lead', x.leadA.leadId),
      facts.visit(x.a, 'acquisition', 'pipeline', 'opportunity', x.oppA1),
      facts.visit(x.a, 'retention', 'service', 'case', x.caseA),
    ];
    const aFigures = {
      currencies: ['EUR'],
      openCases: 0,
      openComplaints: 0,
      lastCsat: facts.survey('CaseRated', x.caseA),
      lastNps: facts.survey('NetPromoterScoreGiven', x.caseA),
    };
    expect(rounded(midAsOf.a360)).toEqual(
      rounded({
        customerId: x.a,
        asOf: mid,
        profile: facts.profile(people.ana, x.a),
        currentStage: expectedStages(aVisits)[2],
        stageHistory: expectedStages(aVisits),
        figures: {
          ...aFigures,
          wonRevenue: 1000,
          orders: 1,
          averageOrderValue: 1000,
          firstPurchaseAt: wA1,
          lastPurchaseAt: wA1,
          lifespanDays: 0,
          rfm: {
            recencyDays: 0,
            frequency: 1,
            monetary: 1000,
            r: 3,
            f: 3,
            m: 2,
            fm: 3,
            segment: 'Need attention',
            population: 2,
          },
          churnRisk: { score: 0, level: 'low', reasons: [] },
        },
      }),
    );
    expect(midAsOf.c360).toMatchObject({
      profile: facts.profile(people.cleo, x.c),
      currentStage: { stage: 'interest', context: 'leads' },
      figures: { wonRevenue: 0, orders: 0, rfm: null },
    });
    timelineOf(topics, midAsOf, x.a, 'middle');

    // ---- After the middle, then the end by hand.
    const { caseB, oppA2 } = await drive.afterTheMiddle(services, topics, people, x);
    await services.analyticsCaughtUp();
    finalAt = iso(Date.now());
    const final = await answersAt(services, x, finalAt);

    const endJourneys = journeys({
      a: ['interest', 'acquisition', 'retention', 'expansion'],
      b: ['interest', 'acquisition', 'at_risk'],
      c: ['interest'],
    });
    expect(rounded(final.funnel)).toEqual(
      rounded(expectedFunnel(all(endJourneys), final.funnel.asOf, 'all')),
    );
    expect(rounded(final.funnelByChannel)).toEqual(
      rounded(expectedFunnel(endJourneys, final.funnelByChannel.asOf, 'channel')),
    );
    // Cleo's 800 in qualification (20 %): weighted 160; won: 1000, 2000 and Ana's 500.
    expect(final.pipeline.points).toEqual(pipelinePoints(finalAt, [1, 800, 160], [3, 3500]));
    const caseFactsB = facts.caseFacts(caseB, 'breached', 2, 3);
    expect(rounded(final.service)).toEqual(
      rounded(serviceDashboard(final.service.asOf, [caseA, caseFactsB])),
    );
    // Ana's 500 was won after the message and her click: every model gives the campaign 500.
    // Cost 1000 planned + 200 recorded; ROI (500 − 1200) / 1200 = −0.5833; one acquired customer.
    expect(final.marketing.campaigns).toEqual([campaignReturn(x.campaignId, 'sending', 1200, 500, 1)]);

    // Customer value: Ana 1000 + 500 (2 orders), Ben 2000. R 3 and 3 (0 days); F 2 > 1: 4 and 2;
    // M 1500 < 2000: 2 and 4; FM ⌊(4+2+1)/2⌋ = 3 and ⌊(2+4+1)/2⌋ = 3: both Need attention. Churn:
    // Ana overdue (the time since her last order against the one gap between her orders, as of the
    // answer's instant); Ben detractor NPS 15 + one SLA breach 5 = 20.
    const wA2 = facts.wonAt(oppA2);
    const cvAt = final.customerValue.asOf as string;
    expect([recencyDays(wA2, cvAt), recencyDays(wB, cvAt)]).toEqual([0, 0]);
    const anaRisk = (asOf: string) => {
      const points = overduePoints([wA1, wA2], asOf);
      const level = points >= 60 ? 'high' : points >= 30 ? 'medium' : 'low';
      const reasons =
        points > 0 ? [{ signal: 'overdue', points, text: expect.stringMatching(/^no order for /) }] : [];
      return { customerId: x.a, score: points, level, reasons };
    };
    const benRisk = {
      customerId: x.b,
      score: 20,
      level: 'low',
      reasons: [
        { signal: 'detractor_nps', points: 15, text: 'detractor: latest NPS answer 3' },
        { signal: 'breached_slas', points: 5, text: '1 SLA breach in the last 90 days' },
      ],
    };
    const risks = byScore([anaRisk(cvAt), benRisk]);
    const lifespanA = (ms(wA2) - ms(wA1)) / DAY_MS;
    expect(rounded(final.customerValue)).toEqual(
      rounded({
        asOf: cvAt,
        historic: historic(3, 3500, [lifespanA, 0]),
        predicted: predicted(1),
        rfmSegments: rfmSegments({ 'Need attention': 2 }),
        topCustomers: [
          top(x.b, 2000, 1, wB, [3, 2, 4, 'Need attention']),
          top(x.a, 1500, 2, wA2, [3, 4, 2, 'Need attention']),
        ],
        churnRisk: { total: 2, levels: levels(risks), offset: 0, limit: 50, items: risks },
      }),
    );

    const aEndVisits = [...aVisits, facts.visit(x.a, 'expansion', 'pipeline', 'opportunity', oppA2)];
    const a360At = final.a360.asOf as string;
    const { customerId: _a, ...anaRiskNow } = anaRisk(a360At);
    expect(rounded(final.a360)).toEqual(
      rounded({
        customerId: x.a,
        asOf: a360At,
        profile: facts.profile(people.ana, x.a),
        currentStage: expectedStages(aEndVisits)[3],
        stageHistory: expectedStages(aEndVisits),
        figures: {
          ...aFigures,
          wonRevenue: 1500,
          orders: 2,
          averageOrderValue: 750,
          firstPurchaseAt: wA1,
          lastPurchaseAt: wA2,
          lifespanDays: lifespanA,
          rfm: {
            recencyDays: recencyDays(wA2, a360At),
            frequency: 2,
            monetary: 1500,
            r: 3,
            f: 4,
            m: 2,
            fm: 3,
            segment: 'Need attention',
            population: 2,
          },
          churnRisk: anaRiskNow,
        },
      }),
    );
    const bVisits = [
      facts.visit(x.b, 'interest', 'leads', 'lead', x.leadB.leadId),
      facts.visit(x.b, 'acquisition', 'pipeline', 'opportunity', x.oppB),
      facts.visit(x.b, 'at_risk', 'service', 'case', caseB),
    ];
    const { customerId: _b, ...benRiskNow } = benRisk;
    expect(final.b360).toMatchObject({
      profile: facts.profile(people.ben, x.b),
      currentStage: expectedStages(bVisits)[2],
      stageHistory: expectedStages(bVisits),
      figures: {
        wonRevenue: 2000,
        orders: 1,
        openCases: 0,
        lastCsat: facts.survey('CaseRated', caseB),
        lastNps: facts.survey('NetPromoterScoreGiven', caseB),
        churnRisk: benRiskNow,
      },
    });
    expect(final.c360).toMatchObject({
      currentStage: { stage: 'interest' },
      figures: { wonRevenue: 0, rfm: null },
    });
    timelineOf(topics, final, x.a, 'end');

    // ---- As of the middle, asked at the end: what was answered then.
    const again = await answersAt(services, x, mid, mid);
    expect(again).toEqual(midAsOf);
    // The answers given live in the middle (as of their own instant, a few ms after it) are the
    // same but for that instant; the 360's RFM recency is computed for each instant.
    for (const [name, live] of Object.entries(midLive))
      expect({ name, answer: { ...live, asOf: mid } }).toEqual({
        name,
        answer: again[name as keyof Answers],
      });
    expect(midLive.a360.figures.rfm.recencyDays).toBe(recencyDays(wA1, midLive.a360.asOf));
    expect(topics.rejected()).toEqual([]);
  });

  it('rebuilds every read model from offset 0 through the CLI: every table identical to the live one, the same answers', async () => {
    expect(finalAt).toBeDefined();
    const before = await answersAt(services, x, finalAt, finalAt);
    const cli = join(__dirname, '../dist/cli/rebuild.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'analytics'], {
      env: {
        ...process.env,
        ANALYTICS_URL: services.analytics!.url,
        ANALYTICS_TOKEN: await accessToken('admin'),
      },
      timeout: 300_000,
    });
    expect(stdout).toMatch(/switched over: generation 2 is current/);
    await services.analyticsCaughtUp();
    const db = new Client({ connectionString: services.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('select n, state from analytics.generation order by n');
      expect(rows).toEqual([
        { n: 1, state: 'retired' },
        { n: 2, state: 'current' },
      ]);
      expect(await diffGenerations(db as unknown as Queryable, 'analytics_g1', 'analytics_g2')).toEqual([]);
      const count = async (table: string) =>
        Number((await db.query(`select count(*) as n from analytics_g2.${table}`)).rows[0].n);
      // The comparison compared something: the rebuilt tables hold the run's facts.
      expect({
        sales: await count('sale'),
        stages: await count('lifecycle_stage'),
        cases: await count('support_case'),
      }).toEqual({
        sales: 3,
        stages: 8,
        cases: 2,
      });
    } finally {
      await db.end();
    }
    expect(await answersAt(services, x, finalAt, finalAt)).toEqual(before);
  });
});
