/**
 * The five dashboards of the page: each section's form holds its filters; the as-of picker is the
 * page's. Each draws its REST answer (`/dashboards/<name>`) as ECharts charts and tables; its CSV
 * link downloads the same query with format=csv (fetched with the token, saved from a blob).
 */
export const DASHBOARDS_JS = String.raw`
import { get } from './auth.js';
import { asOf, chart, el, fmt, loading, queryOf, table, tiles } from './ui.js';

const STAGES = ['interest', 'acquisition', 'retention', 'expansion', 'at_risk', 'churned'];
const MODELS = ['first_touch', 'last_touch', 'linear'];
const customerLink = (id) => el('a', { href: '/dashboard/customer/' + id + (asOf() ? '?asOf=' + asOf() : '') }, id.slice(0, 8));

function drawFunnel(answer) {
  chart('funnel-chart', {
    title: { text: 'Customers reaching each stage (by ' + answer.by + ')' },
    xAxis: { type: 'category', data: STAGES },
    yAxis: { type: 'value', minInterval: 1 },
    series: answer.groups.map((g) => ({
      name: g.key,
      type: 'bar',
      data: STAGES.map((s) => g.stages.find((x) => x.stage === s)?.reached ?? 0),
    })),
  });
  table(
    'funnel-table',
    [
      { label: 'Group', value: (r) => r.group },
      { label: 'Stage', value: (r) => r.stage },
      { label: 'Reached', value: (r) => fmt.int(r.reached), numeric: true },
      { label: 'Conversion to next', value: (r) => fmt.share(r.conversionToNext), numeric: true },
      { label: 'Median days in stage', value: (r) => fmt.num(r.medianDaysInStage), numeric: true },
      { label: 'p90 days in stage', value: (r) => fmt.num(r.p90DaysInStage), numeric: true },
      { label: 'Ended visits', value: (r) => fmt.int(r.timeInStageSamples), numeric: true },
    ],
    answer.groups.flatMap((g) => g.stages.map((s) => ({ group: g.key + ' (' + g.customers + ')', ...s }))),
  );
}

function drawPipeline(answer) {
  const dates = [...new Set(answer.points.map((p) => p.date))].sort();
  const currencies = [...new Set(answer.points.map((p) => p.currency))].sort();
  const at = (date, currency) => answer.points.find((p) => p.date === date && p.currency === currency);
  const series = (label, field, type) =>
    currencies.map((c) => ({ name: label + ' ' + c, type, data: dates.map((d) => at(d, c)?.[field] ?? 0) }));
  chart('pipeline-chart', {
    title: { text: 'Open and weighted pipeline; won revenue since the previous date' },
    xAxis: { type: 'category', data: dates.map((d) => d.slice(0, 10)) },
    yAxis: { type: 'value' },
    series: [...series('Open', 'openAmount', 'line'), ...series('Weighted', 'weightedAmount', 'line'), ...series('Won', 'wonRevenue', 'bar')],
  });
  const categories = [...new Set(answer.points.flatMap((p) => p.byForecastCategory.map((c) => c.forecastCategory)))].sort();
  chart('pipeline-categories-chart', {
    title: { text: 'Weighted pipeline per forecast category' },
    xAxis: { type: 'category', data: dates.map((d) => d.slice(0, 10)) },
    yAxis: { type: 'value' },
    series: categories.flatMap((cat) =>
      currencies.map((c) => ({
        name: cat + ' ' + c,
        type: 'bar',
        stack: c,
        data: dates.map((d) => at(d, c)?.byForecastCategory.find((x) => x.forecastCategory === cat)?.weightedAmount ?? 0),
      })),
    ),
  });
  table(
    'pipeline-table',
    [
      { label: 'Date', value: (p) => fmt.day(p.date) },
      { label: 'As of', value: (p) => fmt.time(p.asOf) },
      { label: 'Currency', value: (p) => p.currency },
      { label: 'Open', value: (p) => fmt.int(p.openCount), numeric: true },
      { label: 'Open amount', value: (p) => fmt.money(p.openAmount), numeric: true },
      { label: 'Weighted', value: (p) => fmt.money(p.weightedAmount), numeric: true },
      { label: 'Won', value: (p) => fmt.int(p.wonCount), numeric: true },
      { label: 'Won revenue', value: (p) => fmt.money(p.wonRevenue), numeric: true },
    ],
    answer.points,
  );
}

function drawService(answer) {
  const all = answer.periods.find((p) => p.period === 'all') || {};
  tiles('service-tiles', [
    ['Cases', fmt.int(all.cases), 'cases'],
    ['Response p50 (min)', fmt.num(all.responseP50Minutes), 'responseP50'],
    ['Response p90 (min)', fmt.num(all.responseP90Minutes), 'responseP90'],
    ['Resolution p50 (min)', fmt.num(all.resolutionP50Minutes), 'resolutionP50'],
    ['Resolution p90 (min)', fmt.num(all.resolutionP90Minutes), 'resolutionP90'],
    ['CSAT (satisfied)', fmt.share(all.csat), 'csat'],
    ['NPS', fmt.num(all.nps), 'nps'],
  ]);
  // Compliance per policy, clock and period: met / (met + breached), summed over priorities.
  const periods = [...new Set(answer.sla.map((r) => r.period))].sort();
  const keys = [...new Set(answer.sla.map((r) => r.policy + ' · ' + r.clock))].sort();
  const compliance = (key, period) => {
    const rows = answer.sla.filter((r) => r.policy + ' · ' + r.clock === key && r.period === period);
    const met = rows.reduce((n, r) => n + r.met, 0);
    const decided = met + rows.reduce((n, r) => n + r.breached, 0);
    return decided === 0 ? null : Math.round((met / decided) * 1000) / 10;
  };
  chart('service-sla-chart', {
    title: { text: 'SLA compliance (%) per policy and clock' },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', max: 100 },
    series: keys.map((k) => ({ name: k, type: 'bar', data: periods.map((p) => compliance(k, p)) })),
  });
  const own = answer.periods.filter((p) => p.period !== 'all');
  const by = (field) => own.map((p) => p[field]);
  chart('service-times-chart', {
    title: { text: 'Response and resolution percentiles (minutes)' },
    xAxis: { type: 'category', data: own.map((p) => p.period) },
    yAxis: { type: 'value' },
    series: [
      { name: 'Response p50', type: 'bar', data: by('responseP50Minutes') },
      { name: 'Response p90', type: 'bar', data: by('responseP90Minutes') },
      { name: 'Resolution p50', type: 'bar', data: by('resolutionP50Minutes') },
      { name: 'Resolution p90', type: 'bar', data: by('resolutionP90Minutes') },
    ],
  });
  chart('service-satisfaction-chart', {
    title: { text: 'CSAT (% satisfied) and NPS' },
    xAxis: { type: 'category', data: own.map((p) => p.period) },
    yAxis: { type: 'value', min: -100, max: 100 },
    series: [
      { name: 'CSAT %', type: 'line', connectNulls: true, data: own.map((p) => (p.csat === null ? null : p.csat * 100)) },
      { name: 'NPS', type: 'line', connectNulls: true, data: by('nps') },
    ],
  });
  table(
    'service-table',
    [
      { label: 'Policy', value: (r) => r.policy },
      { label: 'Priority', value: (r) => r.priority },
      { label: 'Period', value: (r) => r.period },
      { label: 'Clock', value: (r) => r.clock },
      { label: 'Met', value: (r) => fmt.int(r.met), numeric: true },
      { label: 'Breached', value: (r) => fmt.int(r.breached), numeric: true },
      { label: 'Pending', value: (r) => fmt.int(r.pending), numeric: true },
      { label: 'Compliance', value: (r) => fmt.share(r.compliance), numeric: true },
    ],
    answer.sla,
  );
}

function drawMarketing(answer) {
  const names = answer.campaigns.map((c) => c.name || c.campaignId.slice(0, 8));
  chart('marketing-chart', {
    title: { text: 'ROI per campaign by attribution model' },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value' },
    series: MODELS.map((m) => ({ name: m, type: 'bar', data: answer.campaigns.map((c) => c.roi[m]) })),
  });
  table(
    'marketing-table',
    [
      { label: 'Campaign', value: (c) => c.name || c.campaignId },
      { label: 'Purpose', value: (c) => fmt.text(c.purpose) },
      { label: 'Channel', value: (c) => fmt.text(c.channel) },
      { label: 'Cost', value: (c) => fmt.money(c.cost) + ' ' + (c.currency || ''), numeric: true },
      ...MODELS.map((m) => ({ label: 'Revenue ' + m, value: (c) => fmt.money(c.revenue[m]), numeric: true })),
      ...MODELS.map((m) => ({ label: 'ROI ' + m, value: (c) => fmt.num(c.roi[m]), numeric: true })),
      { label: 'Leads', value: (c) => fmt.int(c.leads), numeric: true },
      { label: 'Acquired', value: (c) => fmt.int(c.acquiredCustomers), numeric: true },
      { label: 'Cost per lead', value: (c) => fmt.money(c.costPerLead), numeric: true },
      { label: 'Cost per acquired', value: (c) => fmt.money(c.costPerAcquiredCustomer), numeric: true },
    ],
    answer.campaigns,
  );
}

let churnOffset = 0;
const CHURN_PAGE = 20;

function drawCustomerValue(answer) {
  const h = answer.historic;
  const p = answer.predicted;
  tiles('value-tiles', [
    ['Customers with orders', fmt.int(h.customers), 'customers'],
    ['Orders', fmt.int(h.orders), 'orders'],
    ['Revenue', fmt.money(h.revenue), 'revenue'],
    ['Revenue per customer (historic CLV)', fmt.money(h.revenuePerCustomer), 'revenuePerCustomer'],
    ['Average order value', fmt.money(h.averageOrderValue), 'averageOrderValue'],
    ['Purchase frequency', fmt.num(h.purchaseFrequency), 'purchaseFrequency'],
    ['Average lifespan (days)', fmt.num(h.averageLifespanDays), 'averageLifespanDays'],
    ['Predicted CLV model', p.model + (p.reason ? ' (' + p.reason + ')' : ''), 'model'],
    ['Predicted CLV, ' + p.horizonWeeks + ' weeks', fmt.money(p.total), 'predictedTotal'],
  ]);
  const segments = answer.rfmSegments.filter((s) => s.customers > 0);
  chart('rfm-chart', {
    title: { text: 'Customers per RFM segment' },
    xAxis: { type: 'category', data: segments.map((s) => s.segment), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: 'customers', type: 'bar', data: segments.map((s) => s.customers) }],
  });
  const levels = answer.churnRisk.levels;
  chart('churn-chart', {
    title: { text: 'Churn risk' },
    tooltip: { trigger: 'item' },
    series: [
      {
        name: 'churn risk',
        type: 'pie',
        radius: '55%',
        top: 40,
        data: ['high', 'medium', 'low'].map((l) => ({ name: l, value: levels[l] })),
      },
    ],
  });
  table(
    'top-table',
    [
      { label: 'Customer', value: (t) => customerLink(t.customerId) },
      { label: 'Revenue', value: (t) => fmt.money(t.revenue), numeric: true },
      { label: 'Orders', value: (t) => fmt.int(t.orders), numeric: true },
      { label: 'Last order', value: (t) => fmt.day(t.lastOrderAt) },
      { label: 'R', value: (t) => t.r, numeric: true },
      { label: 'F', value: (t) => t.f, numeric: true },
      { label: 'M', value: (t) => t.m, numeric: true },
      { label: 'Segment', value: (t) => t.segment },
      { label: 'Predicted CLV', value: (t) => fmt.money(t.predictedClv), numeric: true },
    ],
    answer.topCustomers,
  );
  const risk = answer.churnRisk;
  table(
    'churn-table',
    [
      { label: 'Customer', value: (r) => customerLink(r.customerId) },
      { label: 'Score', value: (r) => r.score, numeric: true },
      { label: 'Level', value: (r) => r.level },
      { label: 'Reasons', value: (r) => (r.reasons.length ? r.reasons.map((x) => x.text).join('; ') : 'none') },
    ],
    risk.items,
  );
  document.getElementById('churn-page').textContent =
    risk.total === 0 ? '' : risk.offset + 1 + '–' + (risk.offset + risk.items.length) + ' of ' + risk.total;
  document.getElementById('churn-previous').disabled = risk.offset === 0;
  document.getElementById('churn-next').disabled = risk.offset + risk.items.length >= risk.total;
}

const DRAW = {
  funnel: drawFunnel,
  pipeline: drawPipeline,
  service: drawService,
  marketing: drawMarketing,
  'customer-value': drawCustomerValue,
};

const formOf = (name) => document.querySelector('form[data-dashboard="' + name + '"]');
const paging = (name) => (name === 'customer-value' ? { limit: CHURN_PAGE, offset: churnOffset } : {});
const queryFor = (name, extra = {}) => queryOf(formOf(name), { asOf: asOf(), ...paging(name), ...extra });

export function load(name) {
  const section = document.getElementById(name);
  return loading(section, () => get('/dashboards/' + name + '?' + queryFor(name)), DRAW[name]);
}

export const loadAll = () => Promise.all(Object.keys(DRAW).map(load));

/** The CSV of a dashboard's query as it stands, downloaded from a blob (the route needs the token). */
async function downloadCsv(link) {
  const name = link.dataset.csv;
  const path = '/dashboards/' + name + '?' + queryFor(name, { format: 'csv' });
  link.href = path;
  const blob = await get(path, 'text/csv');
  const url = URL.createObjectURL(blob);
  const save = el('a', { href: url, download: name + (asOf() ? '-' + asOf() : '') + '.csv' });
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export function wireDashboards() {
  for (const name of Object.keys(DRAW)) {
    formOf(name).addEventListener('submit', (event) => {
      event.preventDefault();
      if (name === 'customer-value') churnOffset = 0;
      load(name);
    });
  }
  document.querySelectorAll('a[data-csv]').forEach((link) =>
    link.addEventListener('click', (event) => {
      event.preventDefault();
      downloadCsv(link).catch((failure) => {
        const error = document.getElementById(link.dataset.csv).querySelector(':scope > .error');
        error.textContent = 'CSV: ' + failure.message;
        error.hidden = false;
      });
    }),
  );
  document.getElementById('churn-previous').addEventListener('click', () => {
    churnOffset = Math.max(0, churnOffset - CHURN_PAGE);
    load('customer-value');
  });
  document.getElementById('churn-next').addEventListener('click', () => {
    churnOffset += CHURN_PAGE;
    load('customer-value');
  });
}
`;
