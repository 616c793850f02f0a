import { bearer } from '@crm/test-support';
import { OWNERS, random } from './analytics-events';
import { round, summarise } from './stats';

export interface QueryFigures {
  query: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

type Pick = <T>(values: readonly T[]) => T;
/** asOf of the customer queries: late in the history, after every customer's first event. */
const LATE = 850;

/** Each query: a path with filters varied per request (`pick` draws them, `day` an asOf). */
const QUERIES: Record<
  string,
  (pick: Pick, day: (after?: number) => string, customer: () => string) => string
> = {
  funnel: (pick, day) =>
    `/dashboards/funnel?by=${pick(['all', 'cohortMonth', 'channel', 'customerType', 'owner'])}` +
    pick(['', `&asOf=${day()}`, `&asOf=${day()}`]) +
    pick(['', '', '&channel=email', `&owner=${pick(OWNERS)}`, '&customerType=prospect']),
  pipeline: (pick, day) =>
    `/dashboards/pipeline?asOf=${day()}` +
    pick(['', '&interval=week', '&interval=month']) +
    pick(['', `&owner=${pick(OWNERS)}`]),
  service: (pick, day) =>
    `/dashboards/service?asOf=${day()}` +
    pick(['', '&policy=standard', '&priority=high', '&caseType=complaint', '&channel=email']),
  marketing: (pick, day) =>
    `/dashboards/marketing?asOf=${day()}` + pick(['', '&channel=email', '&purpose=offers']),
  'customer-value': (pick, day) =>
    `/dashboards/customer-value?asOf=${day()}` +
    pick(['', '&offset=50', '&offset=500', '&limit=200']) +
    pick(['', '', '&channel=phone', `&owner=${pick(OWNERS)}`]),
  'customer 360': (pick, day, customer) => `/customers/${customer()}/360` + pick(['', `?asOf=${day(LATE)}`]),
  'customer timeline': (pick, day, customer) =>
    `/customers/${customer()}/timeline` +
    pick([
      '?limit=20',
      `?asOf=${day(LATE)}`,
      '?context=service',
      '?channel=email',
      '?context=marketing&limit=50',
    ]),
};

/**
 * `requests` requests of each query one after another (one client, a real admin token), each with
 * filters and an asOf drawn at random (seeded) over the history's days; the customer queries about
 * customers drawn from `customers`. Any answer but 200 fails the bench.
 */
export async function analyticsQueries(
  url: string,
  customers: string[],
  requests: number,
  history: { from: number; days: number },
): Promise<QueryFigures[]> {
  const next = random(99);
  const pick: Pick = (values) => values[Math.floor(next() * values.length)];
  const day = (after = 0) =>
    new Date(history.from + (after + Math.floor(next() * (history.days + 30 - after))) * 86_400_000)
      .toISOString()
      .slice(0, 10);
  const customer = () => customers[Math.floor(next() * customers.length)];
  const figures: QueryFigures[] = [];
  for (const [name, path] of Object.entries(QUERIES)) {
    // One request first: plans and caches warm, as in a service that has been answering for a while.
    await get(url, path(pick, day, customer));
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await get(url, path(pick, day, customer));
      times.push(performance.now() - started);
    }
    const s = summarise(times);
    figures.push({ query: name, requests, p50Ms: round(s.p50), p99Ms: round(s.p99), maxMs: round(s.max) });
  }
  return figures;
}

/** With the admin's real token (kept by `bearer` until a minute before it expires). */
async function get(url: string, path: string): Promise<void> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: await bearer('admin') } });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
}
