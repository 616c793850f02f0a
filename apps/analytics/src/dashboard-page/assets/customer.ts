/**
 * The customer 360 page (`/dashboard/customer/<id>`): profile, key figures, churn reasons and
 * lifecycle stages as of the page's as-of day (`/customers/<id>/360`), and the timeline
 * (`/customers/<id>/timeline`), newest first, filtered by context and channel, paged by `next`.
 */
export const CUSTOMER_JS = String.raw`
import { get } from './auth.js';
import { asOf, chart, el, fmt, loading, queryOf, table, tiles } from './ui.js';

const TIMELINE_PAGE = 10;
export const customerIdOf = (path) => /^\/dashboard\/customer\/([0-9a-fA-F-]{36})$/.exec(path)?.[1];

function survey(answer) {
  return answer ? answer.score + ' on ' + fmt.day(answer.at) : '–';
}

function draw360(view) {
  const p = view.profile;
  tiles('profile-tiles', [
    ['Name', fmt.text(p.name), 'name'],
    ['E-mail', fmt.text(p.email), 'email'],
    ['Company', fmt.text(p.company), 'company'],
    ['Customer type', fmt.text(p.customerType), 'customerType'],
    ['Channel', fmt.text(p.channel), 'channel'],
    ['Country', fmt.text(p.country), 'country'],
    ['Owner', fmt.text(p.owner), 'owner'],
    ['Cohort month', fmt.text(p.cohortMonth), 'cohortMonth'],
    ['Current stage', view.currentStage ? view.currentStage.stage + ' since ' + fmt.day(view.currentStage.validFrom) : '–', 'stage'],
  ]);
  const f = view.figures;
  tiles('figures-tiles', [
    ['Won revenue', fmt.money(f.wonRevenue) + ' ' + f.currencies.join(', '), 'wonRevenue'],
    ['Orders', fmt.int(f.orders), 'orders'],
    ['Average order value', fmt.money(f.averageOrderValue), 'averageOrderValue'],
    ['First purchase', fmt.day(f.firstPurchaseAt), 'firstPurchaseAt'],
    ['Last purchase', fmt.day(f.lastPurchaseAt), 'lastPurchaseAt'],
    ['Lifespan (days)', fmt.num(f.lifespanDays), 'lifespanDays'],
    ['Open cases', fmt.int(f.openCases), 'openCases'],
    ['Open complaints', fmt.int(f.openComplaints), 'openComplaints'],
    ['Last CSAT', survey(f.lastCsat), 'lastCsat'],
    ['Last NPS', survey(f.lastNps), 'lastNps'],
    ['RFM', f.rfm ? f.rfm.r + '-' + f.rfm.f + '-' + f.rfm.m + ' ' + f.rfm.segment : '–', 'rfm'],
    ['Churn risk', f.churnRisk.score + ' (' + f.churnRisk.level + ')', 'churnRisk'],
  ]);
  document
    .getElementById('churn-reasons')
    .replaceChildren(...(f.churnRisk.reasons.length ? f.churnRisk.reasons.map((r) => el('li', {}, r.text + ' (+' + r.points + ')')) : [el('li', {}, 'No churn signal')]));
  const visits = view.stageHistory;
  const end = Date.parse(view.asOf);
  chart('stages-chart', {
    title: { text: 'Days in each lifecycle stage' },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: 'days' },
    yAxis: { type: 'category', data: visits.map((v) => fmt.day(v.validFrom) + ' ' + v.stage), inverse: true },
    series: [
      {
        name: 'days in stage',
        type: 'bar',
        data: visits.map((v) => Math.round(((v.validTo ? Date.parse(v.validTo) : end) - Date.parse(v.validFrom)) / 864e5 * 10) / 10),
      },
    ],
  });
  table(
    'stages-table',
    [
      { label: 'Stage', value: (v) => v.stage },
      { label: 'From', value: (v) => fmt.time(v.validFrom) },
      { label: 'To', value: (v) => (v.validTo ? fmt.time(v.validTo) : 'current') },
      { label: 'Decided by', value: (v) => v.context + ' (' + v.reasonType + ')' },
    ],
    visits,
  );
}

let next;

function drawEntries(page, append) {
  const list = document.getElementById('timeline-items');
  const items = page.items.map((e) =>
    el(
      'li',
      { 'data-context': e.context, 'data-channel': e.channel, 'data-kind': e.kind },
      el('time', { datetime: e.occurredAt }, fmt.time(e.occurredAt)),
      ' ',
      el('span', { class: 'tag' }, e.context),
      el('span', { class: 'tag' }, e.channel),
      ' ',
      el('span', { class: 'title' }, e.title),
    ),
  );
  if (append) list.append(...items);
  else list.replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'No interaction as of this moment')]));
  next = page.next;
  document.getElementById('timeline-more').hidden = !next;
}

function loadTimeline(id, append) {
  const form = document.getElementById('timeline-filters');
  const query = queryOf(form, { asOf: asOf(), limit: TIMELINE_PAGE, before: append ? next : undefined });
  return loading(document.getElementById('timeline'), () => get('/customers/' + id + '/timeline?' + query), (page) => drawEntries(page, append));
}

export function loadCustomer(id) {
  document.getElementById('customer-id').textContent = id;
  document.getElementById('back').href = '/dashboard' + (asOf() ? '?asOf=' + asOf() : '');
  return Promise.all([
    loading(document.getElementById('customer-360'), () => get('/customers/' + id + '/360?' + queryOf(null, { asOf: asOf() })), draw360),
    loadTimeline(id, false),
  ]);
}

export function wireCustomer(id) {
  document.getElementById('timeline-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadTimeline(id, false);
  });
  document.getElementById('timeline-more').addEventListener('click', () => loadTimeline(id, true));
}
`;
