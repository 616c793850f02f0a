import { bearer, callService } from '@crm/test-support';
import { parseCsv, toCsv } from '../src/dashboards/csv';
import { dashboardsProjector } from '../src/dashboards/dashboards.projector';
import { MarketingDashboardQuery, type MarketingDashboard } from '../src/dashboards/marketing.dashboard';
import { PROJECTORS } from '../src/projection/projectors';
import { AnalyticsWorld, type RunningAnalytics } from './analytics.given';
import { END, M1, MID, dashboardEvents } from './dashboards.given';

jest.setTimeout(120_000);

/**
 * The dashboards' routes on the running service (in process, real PostgreSQL and Kafka): the events
 * of dashboards.given.ts published on the four topics and projected by the generation runner, read
 * over HTTP with authentication, validation (400 naming each bad parameter) and CSV. The figures
 * themselves are specified in dashboards.int-spec.ts.
 */
describe('GET /dashboards/*', () => {
  let world: AnalyticsWorld;
  let service: RunningAnalytics;
  const events = dashboardEvents();

  beforeAll(async () => {
    world = await AnalyticsWorld.create();
    service = await world.serve(events, [...PROJECTORS, dashboardsProjector], {
      sale: 5,
      survey: 5,
      lifecycle_stage: 10,
      campaign_touch: 5,
      campaign_lead: 2,
      sla_breach: 2,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await world?.close();
  });

  const get = async (path: string, who = 'ada') =>
    callService(service, 'GET', path, undefined, { authorization: await bearer(who) });

  it('answers each dashboard as of a moment', async () => {
    const funnel = await get(`/dashboards/funnel?asOf=${END}`);
    expect(funnel.status).toBe(200);
    expect(funnel.body).toMatchObject({ asOf: END, by: 'all', groups: [{ key: 'all', customers: 4 }] });

    const pipeline = await get(`/dashboards/pipeline?asOf=${MID}&from=2026-04-01&to=2026-04-01&interval=day`);
    expect(pipeline.status).toBe(200);
    expect(pipeline.body.points).toMatchObject([
      { asOf: MID, openCount: 2, openAmount: 2400, weightedAmount: 640 },
    ]);

    const service_ = await get(`/dashboards/service?asOf=${MID}`);
    expect(service_.status).toBe(200);
    expect(service_.body.periods.map((p: { period: string; cases: number }) => [p.period, p.cases])).toEqual([
      ['2026-02', 2],
      ['all', 2],
    ]);

    const value = await get(`/dashboards/customer-value?asOf=${END}&top=1`);
    expect(value.status).toBe(200);
    expect(value.body.historic).toMatchObject({ customers: 3, orders: 5, revenue: 4600 });
    expect(value.body.topCustomers).toHaveLength(1);
  });

  it('answers format=csv as text/csv with the same figures as the JSON', async () => {
    const json = await get(`/dashboards/marketing?asOf=${END}`);
    const csv = await fetch(`${service.url}/dashboards/marketing?asOf=${END}&format=csv`, {
      headers: { authorization: await bearer('ada') },
    });
    const text = await csv.text();
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const body = json.body as MarketingDashboard;
    expect(body.campaigns.find((c) => c.campaignId === M1)).toMatchObject({ cost: 150, leads: 1 });
    expect(parseCsv(text)).toEqual(parseCsv(toCsv(MarketingDashboardQuery.csv(body))));
    expect(parseCsv(text).find((r) => r.campaignId === M1)).toMatchObject({
      section: 'campaign',
      cost: '150',
      revenue_first_touch: '4300',
      roi_linear: '22.1112',
    });
  });

  it('refuses bad parameters with a 400 naming each one', async () => {
    const fields = (r: { body: { errors?: { field: string }[] } }) =>
      (r.body.errors ?? []).map((e) => e.field).sort();

    const funnel = await get(
      '/dashboards/funnel?by=planet&cohortMonth=2026-13&format=xml&asOf=yesterday&colour=red',
    );
    expect(funnel.status).toBe(400);
    expect(funnel.body.code).toBe('VALIDATION_FAILED');
    expect(fields(funnel)).toEqual(['asOf', 'by', 'cohortMonth', 'colour', 'format']);

    const pipeline = await get('/dashboards/pipeline?from=2026-03-01&to=2026-02-01&owner=');
    expect(pipeline.status).toBe(400);
    expect(fields(pipeline)).toEqual(['owner', 'to']);

    const tooMany = await get('/dashboards/pipeline?from=2020-01-01&to=2026-01-01&interval=day');
    expect(fields(tooMany)).toEqual(['to']);

    const service_ = await get('/dashboards/service?interval=year&from=soon');
    expect(fields(service_)).toEqual(['from', 'interval']);

    const marketing = await get('/dashboards/marketing?campaignId=42');
    expect(fields(marketing)).toEqual(['campaignId']);

    const value = await get('/dashboards/customer-value?limit=0&top=x&offset=-1');
    expect(fields(value)).toEqual(['limit', 'offset', 'top']);
  });

  it('answers 401 without a token', async () => {
    const response = await fetch(`${service.url}/dashboards/funnel`);
    expect(response.status).toBe(401);
  });
});
