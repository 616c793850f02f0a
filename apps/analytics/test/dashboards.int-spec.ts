import { PROJECTORS } from '../src/projection/projectors';
import { customerValueCsv, CustomerValueDashboardQuery } from '../src/dashboards/customer-value.dashboard';
import { parseCsv, toCsv, type CsvSection } from '../src/dashboards/csv';
import { dashboardsProjector } from '../src/dashboards/dashboards.projector';
import { FunnelDashboardQuery, type FunnelStageFigures } from '../src/dashboards/funnel.dashboard';
import { MarketingDashboardQuery } from '../src/dashboards/marketing.dashboard';
import { PipelineDashboardQuery } from '../src/dashboards/pipeline.dashboard';
import { ServiceDashboardQuery } from '../src/dashboards/service.dashboard';
import { A, B, D, END, M1, M2, MID, dashboardEvents } from './dashboards.given';
import { AnalyticsProjection } from './projection.given';

jest.setTimeout(60_000);

/**
 * The dashboards' queries over a generation filled by the projectors (dashboards.given.ts), with
 * the figures computed by hand there, as of the end and as of a moment in the middle; and the CSV
 * of each equal to its JSON. (The HTTP routes: dashboards-api.int-spec.ts.)
 */
describe('dashboards', () => {
  let p: AnalyticsProjection;
  const close = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);

  beforeAll(async () => {
    p = await AnalyticsProjection.start([...PROJECTORS, dashboardsProjector]);
    await p.given(...dashboardEvents());
  });

  afterAll(() => p?.close());

  /** Every CSV row read back equals the figures `flat` gives (numbers and nulls as CSV writes them). */
  function expectCsvEqual(sections: CsvSection[]) {
    const text = toCsv(sections);
    const rows = parseCsv(text);
    const expected = sections.flatMap((s) =>
      s.rows.map((r) => ({
        section: s.name,
        ...Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
        ),
      })),
    );
    expect(rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')))).toEqual(
      expected.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''))),
    );
  }

  describe('funnel', () => {
    const stages = (g: { stages: FunnelStageFigures[] }): Record<string, FunnelStageFigures> =>
      Object.fromEntries(g.stages.map((s) => [s.stage, s]));

    it('counts reached stages, conversions and time in stage as of the end, churn derived', async () => {
      const funnel = await new FunnelDashboardQuery(p.db).run({ asOf: END });
      expect(funnel.groups.map((g) => [g.key, g.customers])).toEqual([['all', 4]]);
      const s = stages(funnel.groups[0]);
      expect(Object.values(s).map((x) => [x.stage, x.reached, close(x.conversionToNext)])).toEqual([
        ['interest', 4, 0.75],
        ['acquisition', 3, close(1 / 3)],
        ['retention', 1, 1],
        ['expansion', 1, 0],
        ['at_risk', 1, 0],
        ['churned', 1, null],
      ]);
      expect(s.interest).toMatchObject({ timeInStageSamples: 3, medianDaysInStage: 31, p90DaysInStage: 31 });
      expect(s.acquisition).toMatchObject({ timeInStageSamples: 3, medianDaysInStage: 59 });
      expect(close(s.acquisition.p90DaysInStage)).toBe(303.8);
      expect(s.retention).toMatchObject({ medianDaysInStage: 61, p90DaysInStage: 61 });
      expect(s.expansion).toMatchObject({ timeInStageSamples: 0, medianDaysInStage: null });
      expectCsvEqual(FunnelDashboardQuery.csv(funnel));
    });

    it('answers as of the middle as it was then', async () => {
      const funnel = await new FunnelDashboardQuery(p.db).run({ asOf: MID });
      const s = stages(funnel.groups[0]);
      expect(funnel.groups[0].customers).toBe(4);
      expect(Object.values(s).map((x) => x.reached)).toEqual([4, 3, 1, 0, 0, 1]);
      expect(s.retention.conversionToNext).toBe(0);
      expect(s.expansion.conversionToNext).toBeNull();
      expect(s.acquisition).toMatchObject({ timeInStageSamples: 2, medianDaysInStage: 202.5 });
      expect(close(s.acquisition.p90DaysInStage)).toBe(332.5);
    });

    it('groups by channel and filters', async () => {
      const byChannel = await new FunnelDashboardQuery(p.db).run({ asOf: END, by: 'channel' });
      expect(byChannel.groups.map((g) => [g.key, g.customers])).toEqual([
        ['email', 2],
        ['unknown', 1],
        ['web_form', 1],
      ]);
      const email = stages(byChannel.groups[0]);
      expect([email.interest.reached, email.acquisition.reached, email.interest.conversionToNext]).toEqual([
        2, 1, 0.5,
      ]);
      expect(email.interest.medianDaysInStage).toBe(15);
      const web = await new FunnelDashboardQuery(p.db).run({
        asOf: END,
        channel: 'web_form',
        by: 'cohortMonth',
      });
      expect(web.groups.map((g) => [g.key, g.customers])).toEqual([['2026-01', 1]]);
    });
  });

  describe('pipeline', () => {
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z', interval: 'month' as const };

    it('gives the open and weighted pipeline and won revenue at each date', async () => {
      const pipeline = await new PipelineDashboardQuery(p.db).run({ asOf: END, ...range });
      expect(
        pipeline.points.map((x) => [
          x.date.slice(0, 10),
          x.openCount,
          x.openAmount,
          x.weightedAmount,
          x.wonCount,
          x.wonRevenue,
        ]),
      ).toEqual([
        ['2026-01-01', 0, 0, 0, 0, 0],
        ['2026-02-01', 0, 0, 0, 1, 1000],
        ['2026-03-01', 0, 0, 0, 1, 800],
        ['2026-04-01', 2, 2400, 640, 0, 0],
        ['2026-05-01', 1, 2000, 600, 1, 500],
        ['2026-06-01', 0, 0, 0, 1, 2000],
      ]);
      expect(pipeline.points[3].byForecastCategory).toEqual([
        { forecastCategory: 'best_case', openCount: 0, openAmount: 0, weightedAmount: 0 },
        { forecastCategory: 'pipeline', openCount: 2, openAmount: 2400, weightedAmount: 640 },
      ]);
      expectCsvEqual(PipelineDashboardQuery.csv(pipeline));
    });

    it('takes the version valid at a date (forecast category best_case on 16 January)', async () => {
      const day = await new PipelineDashboardQuery(p.db).run({
        asOf: END,
        from: '2026-01-16T00:00:00Z',
        to: '2026-01-16T00:00:00Z',
        interval: 'day',
      });
      expect(day.points[0].byForecastCategory).toEqual([
        { forecastCategory: 'best_case', openCount: 1, openAmount: 1000, weightedAmount: 600 },
        { forecastCategory: 'pipeline', openCount: 0, openAmount: 0, weightedAmount: 0 },
      ]);
    });

    it('answers dates after asOf as known at asOf', async () => {
      const pipeline = await new PipelineDashboardQuery(p.db).run({ asOf: MID, ...range });
      expect(
        pipeline.points.map((x) => [
          x.date.slice(0, 10),
          x.asOf.slice(0, 10),
          x.openCount,
          x.openAmount,
          x.weightedAmount,
          x.wonRevenue,
        ]),
      ).toEqual([
        ['2026-01-01', '2026-01-01', 0, 0, 0, 0],
        ['2026-02-01', '2026-02-01', 0, 0, 0, 1000],
        ['2026-03-01', '2026-03-01', 0, 0, 0, 800],
        ['2026-04-01', '2026-03-31', 2, 2400, 640, 0],
        ['2026-05-01', '2026-03-31', 2, 2400, 640, 0],
        ['2026-06-01', '2026-03-31', 2, 2400, 640, 0],
      ]);
    });
  });

  describe('service', () => {
    it('gives SLA compliance per policy, priority, period and clock; percentiles, CSAT and NPS', async () => {
      const service = await new ServiceDashboardQuery(p.db).run({ asOf: END });
      expect(
        service.sla.map((r) => [r.priority, r.period, r.clock, r.met, r.breached, r.pending, r.compliance]),
      ).toEqual([
        ['high', '2026-02', 'first_response', 1, 0, 0, 1],
        ['high', '2026-02', 'resolution', 1, 0, 0, 1],
        ['high', '2026-04', 'first_response', 1, 0, 0, 1],
        ['high', '2026-04', 'resolution', 0, 1, 0, 0],
        ['normal', '2026-02', 'first_response', 0, 1, 0, 0],
        ['normal', '2026-02', 'resolution', 1, 0, 0, 1],
        ['normal', '2026-04', 'first_response', 0, 0, 1, null],
        ['normal', '2026-04', 'resolution', 0, 0, 1, null],
      ]);
      expect(service.periods.map((x) => ({ ...x, nps: close(x.nps) }))).toEqual([
        {
          period: '2026-02',
          cases: 2,
          responded: 2,
          responseP50Minutes: 75,
          responseP90Minutes: 111,
          resolved: 2,
          resolutionP50Minutes: 1560,
          resolutionP90Minutes: 2616,
          csatResponses: 2,
          csat: 0.5,
          npsResponses: 2,
          promoters: 1,
          passives: 0,
          detractors: 1,
          nps: 0,
        },
        {
          period: '2026-04',
          cases: 2,
          responded: 1,
          responseP50Minutes: 10,
          responseP90Minutes: 10,
          resolved: 0,
          resolutionP50Minutes: null,
          resolutionP90Minutes: null,
          csatResponses: 0,
          csat: null,
          npsResponses: 1,
          promoters: 1,
          passives: 0,
          detractors: 0,
          nps: 100,
        },
        {
          period: 'all',
          cases: 4,
          responded: 3,
          responseP50Minutes: 30,
          responseP90Minutes: 102,
          resolved: 2,
          resolutionP50Minutes: 1560,
          resolutionP90Minutes: 2616,
          csatResponses: 2,
          csat: 0.5,
          npsResponses: 3,
          promoters: 2,
          passives: 0,
          detractors: 1,
          nps: close(100 / 3),
        },
      ]);
      expectCsvEqual(ServiceDashboardQuery.csv(service));
    });

    it('answers as of the middle and filters by priority', async () => {
      const mid = await new ServiceDashboardQuery(p.db).run({ asOf: MID });
      expect(mid.sla.map((r) => r.period)).toEqual(['2026-02', '2026-02', '2026-02', '2026-02']);
      expect(mid.periods.map((x) => [x.period, x.cases, x.npsResponses, x.nps])).toEqual([
        ['2026-02', 2, 2, 0],
        ['all', 2, 2, 0],
      ]);
      const high = await new ServiceDashboardQuery(p.db).run({
        asOf: END,
        priority: 'high',
        interval: 'week',
      });
      expect(high.periods.map((x) => [x.period, x.cases, x.csatResponses])).toEqual([
        ['2026-01-26', 1, 0],
        ['2026-02-02', 0, 1],
        ['2026-03-30', 1, 0],
        ['2026-04-06', 0, 0],
        ['all', 2, 1],
      ]);
    });
  });

  describe('marketing', () => {
    it('attributes revenue by first touch, last touch and linear; ROI, cost per lead and per customer', async () => {
      const marketing = await new MarketingDashboardQuery(p.db).run({ asOf: END });
      expect(marketing.campaigns.map((c) => c.campaignId)).toEqual([M2, M1]);
      const [spring, winter] = marketing.campaigns;
      expect(winter).toMatchObject({
        name: 'Winter',
        cost: 150,
        revenue: { first_touch: 4300, last_touch: 1800, linear: 3466.68 },
        roi: { first_touch: 27.6667, last_touch: 11, linear: 22.1112 },
        leads: 1,
        acquiredCustomers: 2,
        costPerLead: 150,
        costPerAcquiredCustomer: 75,
      });
      expect(spring).toMatchObject({
        cost: 200,
        revenue: { first_touch: 0, last_touch: 2500, linear: 833.32 },
        roi: { first_touch: -1, last_touch: 11.5, linear: 3.1666 },
        leads: 1,
        acquiredCustomers: 1,
        costPerLead: 200,
        costPerAcquiredCustomer: 200,
      });
      expectCsvEqual(MarketingDashboardQuery.csv(marketing));
    });

    it('answers as of the middle', async () => {
      const marketing = await new MarketingDashboardQuery(p.db).run({ asOf: MID, purpose: 'newsletter' });
      expect(marketing.campaigns).toHaveLength(1);
      expect(marketing.campaigns[0]).toMatchObject({
        campaignId: M2,
        revenue: { first_touch: 0, last_touch: 0, linear: 0 },
        roi: { first_touch: -1 },
        leads: 0,
        costPerLead: null,
        acquiredCustomers: 0,
      });
      const winter = await new MarketingDashboardQuery(p.db).run({ asOf: MID, campaignId: M1 });
      expect(winter.campaigns[0]).toMatchObject({
        revenue: { first_touch: 1800, last_touch: 1800, linear: 1800 },
        roi: { first_touch: 11 },
        acquiredCustomers: 2,
      });
    });
  });

  describe('customer value', () => {
    it('gives historic CLV, the historic fallback of predicted CLV, RFM segments, top customers and churn risk', async () => {
      const value = await new CustomerValueDashboardQuery(p.db).run({ asOf: END });
      expect(value.historic).toMatchObject({
        customers: 3,
        orders: 5,
        revenue: 4600,
        revenuePerCustomer: 1533.33,
        averageOrderValue: 920,
      });
      expect(close(value.historic.purchaseFrequency)).toBe(close(5 / 3));
      expect(close(value.historic.averageLifespanDays)).toBe(close(101 / 3));
      expect(value.predicted).toMatchObject({
        model: 'historic',
        repeatBuyers: 1,
        minRepeatBuyers: 20,
        total: null,
      });
      expect(value.topCustomers.map((t) => [t.customerId, t.revenue, t.r, t.f, t.m, t.segment])).toEqual([
        [A, 3500, 5, 5, 5, 'Champions'],
        [B, 800, 3, 2, 3, 'Need attention'],
        [D, 300, 1, 2, 1, 'Hibernating'],
      ]);
      expect(value.rfmSegments.filter((s) => s.customers > 0)).toEqual([
        { segment: 'Champions', customers: 1 },
        { segment: 'Need attention', customers: 1 },
        { segment: 'Hibernating', customers: 1 },
      ]);
      expect(value.churnRisk).toMatchObject({ total: 3, levels: { high: 0, medium: 0, low: 3 } });
      expect(
        value.churnRisk.items.map((r) => [
          r.customerId,
          r.score,
          r.reasons.map((x) => `${x.signal}:${x.points}`),
        ]),
      ).toEqual([
        [B, 15, ['detractor_nps:15']],
        [A, 11, ['overdue:6', 'breached_slas:5']],
        [D, 0, []],
      ]);
      expect(value.churnRisk.items[1].reasons[0].text).toBe(
        'no order for 59.6 days, 1.2× the usual 50.5-day interval',
      );
      expectCsvEqual(customerValueCsv(value));
    });

    it('answers as of the middle, filters and pages', async () => {
      const mid = await new CustomerValueDashboardQuery(p.db).run({ asOf: MID, limit: 1, offset: 0 });
      expect(mid.historic).toMatchObject({
        customers: 3,
        orders: 3,
        revenue: 2100,
        averageOrderValue: 700,
        averageLifespanDays: 0,
      });
      expect(mid.churnRisk.items.map((r) => [r.customerId, r.score])).toEqual([[B, 20]]);
      expect(mid.churnRisk.total).toBe(3);
      const web = await new CustomerValueDashboardQuery(p.db).run({ asOf: END, channel: 'web_form' });
      expect(web.topCustomers.map((t) => t.customerId)).toEqual([B]);
    });
  });
});
