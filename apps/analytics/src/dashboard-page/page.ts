/** What the page needs to sign in: the identity provider as the browser reaches it, the client, the API. */
export interface PageSettings {
  /** The issuer URL the browser fetches the OpenID configuration from (OIDC_ISSUER_URL). */
  issuer: string;
  /** The public client of the page (no secret: authorization code with PKCE). */
  clientId: string;
  /** The resource (RFC 8707) the access tokens are for: the CRM API (OIDC_AUDIENCE). */
  audience: string;
}

/** The browser client registered at the local OpenID provider for this page (infra/oidc/provider.mjs). */
export const DASHBOARD_CLIENT_ID = 'crm-dashboard';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page's Content-Security-Policy (stricter than nothing, looser than the API's `default-src
 * 'none'`): scripts only from this service (no inline script, no eval), data from this service
 * and the identity provider (discovery and token endpoints), inline styles allowed because ECharts
 * writes its tooltips' markup with style attributes, images from data: and blob: (chart exports).
 */
export function pageCsp(settings: PageSettings): string {
  const provider = new URL(settings.issuer).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${provider}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const FILTER = (name: string, label: string, placeholder = '') =>
  `<label>${label} <input name="${name}" placeholder="${placeholder}" maxlength="200"></label>`;
const SELECT = (name: string, label: string, options: string[]) =>
  `<label>${label} <select name="${name}">${options
    .map((o) => `<option value="${o === 'any' ? '' : o}">${o}</option>`)
    .join('')}</select></label>`;
const PERIOD = `<label>From <input type="date" name="from"></label><label>To <input type="date" name="to"></label>${SELECT(
  'interval',
  'Interval',
  ['month', 'week', 'day'],
)}`;
const CUSTOMER_FILTERS = [
  FILTER('cohortMonth', 'Cohort month', 'YYYY-MM or none'),
  FILTER('channel', 'Channel', 'e.g. email'),
  FILTER('customerType', 'Customer type'),
  FILTER('owner', 'Owner', 'e.g. rep-1'),
].join('');

/** One dashboard's section: its filters (a form), its CSV link, its charts and tables (filled by the script). */
const section = (name: string, title: string, filters: string, body: string) => `
<section id="${name}" class="dashboard" data-state="idle">
<h2>${title}</h2>
<form class="filters" data-dashboard="${name}">${filters}<button type="submit">Apply</button>
<a class="csv" data-csv="${name}" href="/dashboards/${name}?format=csv" download="${name}.csv">CSV</a></form>
<p class="error" hidden></p>
${body}
</section>`;

const DASHBOARDS = [
  section(
    'funnel',
    'Lifecycle funnel',
    SELECT('by', 'Group by', ['all', 'cohortMonth', 'channel', 'customerType', 'owner']) + CUSTOMER_FILTERS,
    '<div class="chart" id="funnel-chart"></div><table id="funnel-table"></table>',
  ),
  section(
    'pipeline',
    'Pipeline and won revenue over time',
    PERIOD + FILTER('owner', 'Owner', 'e.g. rep-1'),
    '<div class="chart" id="pipeline-chart"></div><div class="chart" id="pipeline-categories-chart"></div><table id="pipeline-table"></table>',
  ),
  section(
    'service',
    'Service: SLA compliance, response and resolution, CSAT and NPS',
    PERIOD +
      FILTER('policy', 'SLA policy') +
      FILTER('priority', 'Priority', 'e.g. high') +
      FILTER('channel', 'Channel', 'e.g. email') +
      FILTER('caseType', 'Case type', 'e.g. complaint'),
    '<dl class="tiles" id="service-tiles"></dl><div class="chart" id="service-sla-chart"></div><div class="chart" id="service-times-chart"></div><div class="chart" id="service-satisfaction-chart"></div><table id="service-table"></table>',
  ),
  section(
    'marketing',
    'Marketing: campaign ROI by attribution model',
    FILTER('campaignId', 'Campaign id', 'uuid') +
      FILTER('channel', 'Channel', 'e.g. email') +
      FILTER('purpose', 'Purpose', 'e.g. offers'),
    '<div class="chart" id="marketing-chart"></div><table id="marketing-table"></table>',
  ),
  section(
    'customer-value',
    'Customer value: CLV, RFM and churn risk',
    CUSTOMER_FILTERS + '<label>Top <input type="number" name="top" min="1" max="100" value="10"></label>',
    '<dl class="tiles" id="value-tiles"></dl><div class="charts"><div class="chart" id="rfm-chart"></div><div class="chart" id="churn-chart"></div></div>' +
      '<h3>Top customers</h3><table id="top-table"></table><h3>Churn risk, highest first</h3><table id="churn-table"></table>' +
      '<p class="pager"><button type="button" id="churn-previous">Previous</button> <span id="churn-page"></span> <button type="button" id="churn-next">Next</button></p>',
  ),
].join('');

const CUSTOMER = `
<section id="customer-360" class="dashboard" data-state="idle">
<p><a id="back" href="/dashboard">&larr; Dashboards</a></p>
<h2>Customer <span id="customer-id"></span></h2>
<p class="error" hidden></p>
<h3>Profile</h3><dl class="tiles" id="profile-tiles"></dl>
<h3>Key figures</h3><dl class="tiles" id="figures-tiles"></dl>
<h3>Churn risk</h3><ul id="churn-reasons"></ul>
<h3>Lifecycle stages</h3><div class="chart" id="stages-chart"></div><table id="stages-table"></table>
</section>
<section id="timeline" class="dashboard" data-state="idle">
<h3>Timeline, newest first</h3>
<form class="filters" id="timeline-filters">${SELECT('context', 'Context', ['any', 'leads', 'pipeline', 'service', 'marketing'])}${SELECT(
  'channel',
  'Channel',
  ['any', 'email', 'phone', 'web', 'chat', 'in_person', 'sms', 'post', 'other'],
)}<button type="submit">Apply</button></form>
<p class="error" hidden></p>
<ol id="timeline-items"></ol>
<p><button type="button" id="timeline-more" hidden>Older entries</button></p>
</section>`;

/**
 * The HTML of the dashboard page (`/dashboard`) and of the customer 360 page
 * (`/dashboard/customer/:id`): one document, no data in it (the script signs in and calls the
 * REST queries), no inline script (the sign-in settings travel in meta elements).
 */
export function pageHtml(settings: PageSettings): string {
  const meta = (name: string, value: string) => `<meta name="crm-${name}" content="${escape(value)}">`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM analytics</title><link rel="icon" href="data:,">
${meta('oidc-issuer', settings.issuer)}${meta('oidc-client-id', settings.clientId)}${meta('oidc-audience', settings.audience)}
<link rel="stylesheet" href="/dashboard/assets/style.css">
<script src="/dashboard/assets/echarts.min.js" defer></script>
<script type="module" src="/dashboard/assets/main.js"></script>
</head><body>
<header><h1><a href="/dashboard">CRM analytics</a></h1>
<form id="as-of-form"><label>As of <input type="date" id="as-of" name="asOf"></label>
<button type="button" id="as-of-now">Now</button></form>
<span id="user"></span><button type="button" id="sign-out" hidden>Sign out</button></header>
<p id="status" role="status">Signing in…</p>
<main id="dashboards" hidden>${DASHBOARDS}</main>
<main id="customer" hidden>${CUSTOMER}</main>
</body></html>`;
}
