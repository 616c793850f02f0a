import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ServiceProcess, bearer, callService, freePort, kafkaBrokers, waitFor } from '@crm/test-support';
import { parseCsv } from '../src/dashboards/csv';
import { AnalyticsWorld } from '../test/analytics.given';
import { A, B, D, END, M1, MID, dashboardEvents } from '../test/dashboards.given';
import {
  ARTEFACTS,
  TestProvider,
  chartOf,
  openBrowser,
  rowsOf,
  sectionsAnswered,
  tilesOf,
  timelineOf,
} from './dashboard-page.given';

/**
 * The dashboard page as an analyst meets it, in Debian's headless Chromium driven by
 * playwright-core: the analytics service as a real process (its build) on the real PostgreSQL and
 * Kafka, fed the events of test/dashboards.given.ts (figures computed by hand there), and the local
 * OpenID provider (infra/oidc) whose sign-in form the test fills as the demo analyst `ada`. The
 * charts are read from their ECharts instances, the key figures from the page's text.
 */
jest.setTimeout(180_000);

let world: AnalyticsWorld;
let provider: TestProvider;
let analytics: ServiceProcess;
let keysDir: string;
let browser: Browser;
let page: Page;
let errors: string[];

const ALL = ['funnel', 'pipeline', 'service', 'marketing', 'customer-value'];
const ready = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'ready']));
const screenshot = (name: string) =>
  page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  world = await AnalyticsWorld.create();
  await world.publish(AnalyticsWorld.asPublished(dashboardEvents()));
  const providerPort = await freePort();
  let port = await freePort();
  while (port === providerPort) port = await freePort();
  keysDir = await mkdtemp(join(tmpdir(), 'crm-dashboard-oidc-'));
  provider = await TestProvider.start(providerPort, keysDir, `http://127.0.0.1:${port}/dashboard`);
  analytics = new ServiceProcess('analytics', port, {
    DATABASE_URL: world.databaseUrl,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: world.topicPrefix,
    KAFKA_GROUP_PREFIX: `e2e-${world.suffix}`,
    KAFKA_PARTITIONS: '1',
    OIDC_ISSUER_URL: provider.issuer,
    LOG_LEVEL: 'warn',
  });
  await analytics.start();
  const count = async (table: string) =>
    Number((await world.rows<{ n: string }>(`select count(*) as n from analytics.${table}`))[0].n);
  await waitFor(
    'every fact of dashboards.given.ts projected',
    async () =>
      (await count('sale')) === 5 &&
      (await count('survey')) === 5 &&
      (await count('lifecycle_stage')) === 10 &&
      (await count('campaign_touch')) === 5 &&
      (await count('campaign_lead')) === 2 &&
      (await count('sla_breach')) === 2 &&
      (await count('support_case')) === 4,
    60_000,
  );
  ({ browser, page, errors } = await openBrowser());
});

afterAll(async () => {
  await browser?.close();
  const ended = await analytics?.stop();
  await provider?.stop();
  await world?.close();
  if (keysDir) await rm(keysDir, { recursive: true, force: true });
  expect(ended).toBe('graceful');
});

describe('the dashboard page', () => {
  it('signs the analyst in with the OpenID provider (code + PKCE) and serves no inline script', async () => {
    const response = await page.goto(`${analytics.url}/dashboard`);
    await page.waitForURL(`${provider.issuer}/interaction/**`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.fill('input[name="login"]', 'ada');
    await page.fill('input[name="password"]', 'demo');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${analytics.url}/dashboard`);
    await page.waitForSelector('#sign-out:not([hidden])');
    expect(await page.textContent('#user')).toBe('Ada Alves (analyst)');
    expect(await page.$$eval('script:not([src])', (s) => s.length)).toBe(0);
    expect(page.url()).toBe(`${analytics.url}/dashboard`); // the code and state left the address
  });

  it('is no part of the API: left out of the OpenAPI document, its scripts served by the service', async () => {
    const admin = { authorization: await bearer('admin', { issuer: provider.issuer }) };
    const docs = await callService(analytics, 'GET', '/docs-json', undefined, admin);
    expect(Object.keys(docs.body.paths).filter((path) => path.startsWith('/dashboard/'))).toEqual([]);
    expect(Object.keys(docs.body.paths)).toContain('/dashboards/funnel');
    const echarts = await fetch(`${analytics.url}/dashboard/assets/echarts.min.js`);
    expect([echarts.status, echarts.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${analytics.url}/dashboard/assets/nothing.js`)).status).toBe(404);
    expect((await fetch(`${analytics.url}/dashboard/customer/not-a-uuid`)).status).toBe(400);
  });

  it('draws every dashboard as of the end of June, with the hand-computed figures', async () => {
    await page.fill('#pipeline input[name="from"]', '2026-01-01');
    await page.fill('#pipeline input[name="to"]', '2026-06-01');
    await page.fill('#as-of', END.slice(0, 10));
    expect(await sectionsAnswered(page, END)).toEqual(ready(ALL));
    expect(page.url()).toBe(`${analytics.url}/dashboard?asOf=2026-06-30`);

    const funnel = await chartOf(page, 'funnel-chart');
    expect(funnel.categories).toEqual([
      'interest',
      'acquisition',
      'retention',
      'expansion',
      'at_risk',
      'churned',
    ]);
    expect(funnel.series).toEqual({ all: [4, 3, 1, 1, 1, 1] });
    expect((await rowsOf(page, 'funnel-table')).map((r) => [r[1], r[3], r[4]])).toEqual([
      ['interest', '75.0 %', '31'],
      ['acquisition', '33.3 %', '59'],
      ['retention', '100.0 %', '61'],
      ['expansion', '0.0 %', '–'],
      ['at_risk', '0.0 %', '–'],
      ['churned', '–', '–'],
    ]);

    const pipeline = await chartOf(page, 'pipeline-chart');
    expect(pipeline.categories).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
      '2026-06-01',
    ]);
    expect(pipeline.series).toEqual({
      'Open EUR': [0, 0, 0, 2400, 2000, 0],
      'Weighted EUR': [0, 0, 0, 640, 600, 0],
      'Won EUR': [0, 1000, 800, 0, 500, 2000],
    });

    expect(await tilesOf(page, 'service-tiles')).toEqual({
      cases: '4',
      responseP50: '30',
      responseP90: '102',
      resolutionP50: '1,560',
      resolutionP90: '2,616',
      csat: '50.0 %',
      nps: '33.33',
    });
    const sla = await chartOf(page, 'service-sla-chart');
    expect(sla).toEqual({
      categories: ['2026-02', '2026-04'],
      series: { 'standard · first_response': [50, 100], 'standard · resolution': [100, 0] },
    });

    const marketing = await chartOf(page, 'marketing-chart');
    expect(marketing).toEqual({
      categories: ['Spring', 'Winter'],
      series: { first_touch: [-1, 27.6667], last_touch: [11.5, 11], linear: [3.1666, 22.1112] },
    });

    expect(await tilesOf(page, 'value-tiles')).toMatchObject({
      customers: '3',
      orders: '5',
      revenue: '4,600',
      revenuePerCustomer: '1,533.33',
      averageOrderValue: '920',
      purchaseFrequency: '1.67',
    });
    expect(await chartOf(page, 'rfm-chart')).toEqual({
      categories: ['Champions', 'Need attention', 'Hibernating'],
      series: { customers: [1, 1, 1] },
    });
    expect((await chartOf(page, 'churn-chart')).series['churn risk']).toEqual([
      { name: 'high', value: 0 },
      { name: 'medium', value: 0 },
      { name: 'low', value: 3 },
    ]);
    const churn = await rowsOf(page, 'churn-table');
    expect(churn.map((r) => [r[0], r[1], r[2]])).toEqual([
      [B.slice(0, 8), '15', 'low'],
      [A.slice(0, 8), '11', 'low'],
      [D.slice(0, 8), '0', 'low'],
    ]);
    expect(churn[1][3]).toContain('no order for 59.6 days, 1.2× the usual 50.5-day interval');
    await screenshot('dashboard-end');
  });

  it('answers as of the end of March when the as-of day changes', async () => {
    await page.fill('#as-of', MID.slice(0, 10));
    expect(await sectionsAnswered(page, MID)).toEqual(ready(ALL));
    expect((await chartOf(page, 'funnel-chart')).series).toEqual({ all: [4, 3, 1, 0, 0, 1] });
    expect((await chartOf(page, 'pipeline-chart')).series).toEqual({
      'Open EUR': [0, 0, 0, 2400, 2400, 2400],
      'Weighted EUR': [0, 0, 0, 640, 640, 640],
      'Won EUR': [0, 1000, 800, 0, 0, 0],
    });
    expect(await tilesOf(page, 'service-tiles')).toMatchObject({ cases: '2', nps: '0' });
    expect((await chartOf(page, 'marketing-chart')).series.first_touch).toEqual([-1, 11]);
    expect(await tilesOf(page, 'value-tiles')).toMatchObject({
      customers: '3',
      orders: '3',
      revenue: '2,100',
      averageOrderValue: '700',
    });
    await screenshot('dashboard-mid');
  });

  it('downloads a dashboard as CSV, the same figures as the REST query', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#marketing a.csv')]);
    expect(download.suggestedFilename()).toBe('marketing-2026-03-31.csv');
    const csv = parseCsv(await readFile((await download.path())!, 'utf8'));
    const rest = await fetch(`${analytics.url}/dashboards/marketing?asOf=2026-03-31&format=csv`, {
      headers: { authorization: await bearer('ada', { issuer: provider.issuer }) },
    });
    expect(csv).toEqual(parseCsv(await rest.text()));
    expect(csv.find((r) => r.campaignId === M1)).toMatchObject({ section: 'campaign', cost: '150' });
  });

  it('opens the customer 360 page from the top customers, keeps the session, pages and filters the timeline', async () => {
    await page.click(`#top-table a[href^="/dashboard/customer/${A}"]`);
    await page.waitForURL(`${analytics.url}/dashboard/customer/${A}?asOf=2026-03-31`);
    expect(await sectionsAnswered(page, MID)).toEqual(ready(['customer-360', 'timeline']));
    expect(await tilesOf(page, 'profile-tiles')).toMatchObject({
      channel: 'email',
      cohortMonth: '2026-01',
      stage: 'retention since 2026-03-01',
    });
    expect(await tilesOf(page, 'figures-tiles')).toMatchObject({ wonRevenue: '1,000 EUR', orders: '1' });

    await page.fill('#as-of', END.slice(0, 10));
    expect(await sectionsAnswered(page, END)).toEqual(ready(['customer-360', 'timeline']));
    expect(await tilesOf(page, 'figures-tiles')).toMatchObject({
      wonRevenue: '3,500 EUR',
      orders: '3',
      lastCsat: '5 on 2026-02-02',
      lastNps: '9 on 2026-04-07',
      rfm: '5-5-5 Champions',
      churnRisk: '11 (low)',
    });
    expect(await tilesOf(page, 'profile-tiles')).toMatchObject({ stage: 'expansion since 2026-05-01' });
    expect((await chartOf(page, 'stages-chart')).categories).toEqual([
      '2026-01-05 interest',
      '2026-01-20 acquisition',
      '2026-03-01 retention',
      '2026-05-01 expansion',
    ]);

    // Every page of the timeline (10 a page) is what the REST query answers, newest first.
    const titles = async () => (await timelineOf(page)).map((e) => e.title);
    while (await page.isVisible('#timeline-more')) {
      const shown = (await titles()).length;
      await page.click('#timeline-more');
      await page.waitForSelector(`#timeline-items li:nth-child(${shown + 1})`);
      expect(await sectionsAnswered(page, END)).toEqual(ready(['customer-360', 'timeline']));
    }
    const timeline = await callService(
      analytics,
      'GET',
      `/customers/${A}/timeline?asOf=${END}&limit=200`,
      undefined,
      {
        authorization: await bearer('ada', { issuer: provider.issuer }),
      },
    );
    const expected = (timeline.body.items as { title: string }[]).map((e) => e.title);
    expect(expected.length).toBeGreaterThan(10);
    expect(await titles()).toEqual(expected);

    await page.selectOption('#timeline-filters select[name="context"]', 'pipeline');
    await page.click('#timeline-filters button[type="submit"]');
    expect(await sectionsAnswered(page, END)).toEqual(ready(['customer-360', 'timeline']));
    expect(new Set((await timelineOf(page)).map((e) => e.context))).toEqual(new Set(['pipeline']));
    expect((await titles()).filter((t) => t?.startsWith('Opportunity won'))).toEqual([
      'Opportunity won: 2000.00 EUR',
      'Opportunity won: 500.00 EUR',
      'Opportunity won: 1000.00 EUR',
    ]);
    await screenshot('dashboard-customer');
  });

  it('logged no console error and no uncaught exception', () => {
    expect(errors).toEqual([]);
  });
});
