/**
 * The page's building blocks: elements built with the DOM (never HTML strings: values from the
 * API stay text), number formats, tables, key figures and ECharts charts.
 */
export const UI_JS = String.raw`
/** el('td', { class: 'n' }, 'text', child, ...): an element with attributes and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const DASH = '–';
const number = (digits) => (value) =>
  value === null || value === undefined
    ? DASH
    : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
export const fmt = {
  int: number(0),
  num: number(2),
  money: number(2),
  /** A share 0..1 as a percentage. */
  share: (value) => (value === null || value === undefined ? DASH : (value * 100).toFixed(1) + ' %'),
  day: (value) => (value ? String(value).slice(0, 10) : DASH),
  time: (value) => (value ? String(value).slice(0, 16).replace('T', ' ') + ' UTC' : DASH),
  text: (value) => (value === null || value === undefined || value === '' ? DASH : String(value)),
};

/** Rows as a table: columns [{ label, value: (row) => text or node, numeric }]. */
export function table(id, columns, rows) {
  const node = document.getElementById(id);
  const head = el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.numeric ? 'n' : null }, c.label))));
  const body = el(
    'tbody',
    {},
    rows.length === 0
      ? el('tr', {}, el('td', { colspan: columns.length, class: 'empty' }, 'Nothing as of this moment'))
      : rows.map((row) => el('tr', {}, columns.map((c) => el('td', { class: c.numeric ? 'n' : null }, c.value(row))))),
  );
  node.replaceChildren(head, body);
}

/** Key figures as a definition list: [[label, text], ...], each with data-figure for tests and scripts. */
export function tiles(id, entries) {
  const node = document.getElementById(id);
  node.replaceChildren(
    ...entries.map(([label, value, key]) =>
      el('div', { class: 'tile', 'data-figure': key || null }, el('dt', {}, label), el('dd', {}, value)),
    ),
  );
}

/** Draws (or redraws) the ECharts chart of an element; the option replaces the previous one. */
export function chart(id, option) {
  const node = document.getElementById(id);
  const instance = echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: 'canvas' });
  instance.setOption(
    Object.assign({ animation: false, tooltip: { trigger: 'axis' }, legend: { top: 30 }, grid: { top: 72, left: 64, right: 24 } }, option),
    true,
  );
  return instance;
}
addEventListener('resize', () =>
  document.querySelectorAll('.chart').forEach((node) => echarts.getInstanceByDom(node)?.resize()),
);

/** The query string of a form's non-empty fields and the page's as-of day. */
export function queryOf(form, extra = {}) {
  const params = new URLSearchParams();
  if (form) for (const [name, value] of new FormData(form)) if (String(value).trim()) params.set(name, String(value).trim());
  for (const [name, value] of Object.entries(extra)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  return params;
}

/** The as-of day picked (YYYY-MM-DD, the start of that day UTC), or '' for now. */
export const asOf = () => document.getElementById('as-of').value;

const latest = new Map();
/**
 * Loads a section: data-state loading, then ready with the answer's asOf (data-as-of), or error.
 * Only the newest load of a section draws (an older answer arriving late is dropped).
 */
export async function loading(section, fetch, draw) {
  const error = section.querySelector(':scope > .error');
  const run = (latest.get(section.id) || 0) + 1;
  latest.set(section.id, run);
  section.dataset.state = 'loading';
  try {
    const answer = await fetch();
    if (latest.get(section.id) !== run) return;
    draw(answer);
    error.hidden = true;
    section.dataset.asOf = answer.asOf || '';
    section.dataset.state = 'ready';
  } catch (failure) {
    if (latest.get(section.id) !== run) return;
    error.textContent = failure.message;
    error.hidden = false;
    section.dataset.state = 'error';
  }
}
`;
