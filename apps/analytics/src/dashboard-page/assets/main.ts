/**
 * The page's entry point: signs in, then shows the dashboards (`/dashboard`) or the customer 360
 * page (`/dashboard/customer/<id>`) as of the picked day (kept in the address as `?asOf=`).
 */
export const MAIN_JS = String.raw`
import { session, signOut } from './auth.js';
import { customerIdOf, loadCustomer, wireCustomer } from './customer.js';
import { loadAll, wireDashboards } from './dashboards.js';

const status = document.getElementById('status');
const READERS = ['analyst', 'sales_manager', 'support_manager', 'admin'];

/** The as-of day in the address (?asOf=YYYY-MM-DD) and in the picker, one from the other. */
function syncAsOf(picker) {
  const url = new URL(location.href);
  if (picker.value) url.searchParams.set('asOf', picker.value);
  else url.searchParams.delete('asOf');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

async function start() {
  const user = await session();
  document.getElementById('user').textContent = user.name + ' (' + user.roles.join(', ') + ')';
  const out = document.getElementById('sign-out');
  out.hidden = false;
  out.addEventListener('click', signOut);
  if (!user.roles.some((r) => READERS.includes(r))) {
    status.textContent = 'Analytics is for analysts, sales and support managers and admins: your roles are ' + (user.roles.join(', ') || 'none') + '.';
    return;
  }
  const picker = document.getElementById('as-of');
  const day = new URLSearchParams(location.search).get('asOf');
  if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) picker.value = day;
  const id = customerIdOf(location.pathname);
  const reload = id ? () => loadCustomer(id) : loadAll;
  picker.addEventListener('change', () => {
    syncAsOf(picker);
    reload();
  });
  document.getElementById('as-of-now').addEventListener('click', () => {
    picker.value = '';
    syncAsOf(picker);
    reload();
  });
  status.textContent = '';
  status.hidden = true;
  if (id) {
    document.getElementById('customer').hidden = false;
    wireCustomer(id);
  } else {
    document.getElementById('dashboards').hidden = false;
    wireDashboards();
  }
  await reload();
}

start().catch((failure) => {
  status.hidden = false;
  status.className = 'error';
  status.textContent = failure.message;
});
`;
