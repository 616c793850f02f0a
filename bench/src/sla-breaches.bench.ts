import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ServiceProcess, bearer, freePort, freshDatabase, kafkaBrokers, waitFor } from '@crm/test-support';
import { round, summarise } from './stats';

export interface BreachFigures {
  cases: number;
  replicas: number;
  /** SlaBreached events decided per second once every case was due: the whole path (timer, case decider, append). */
  breachesPerSecond: number;
  /** From the clock's due time (the same for every case) to its SlaBreached. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** Breach events per case: 1 means exactly once. */
  duplicates: number;
}

const DAY = 86_400_000;
/** Open only the whole day after tomorrow (UTC): while the cases are opened, no clock runs. */
const isoWeekday = (t: number) => ((new Date(t).getUTCDay() + 6) % 7) + 1;
const closedNow = () => ({
  timeZone: 'UTC',
  weekly: { [isoWeekday(Date.now() + 2 * DAY)]: [{ start: '00:00', end: '24:00' }] },
  holidays: [],
});
const ALWAYS_OPEN = {
  timeZone: 'UTC',
  hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
  holidays: [],
};
/** First response due 2 business minutes after opening; its warning at 99 %; nothing else for hours. */
const FIRST_RESPONSE_MS = 120_000;
const POLICY = {
  firstResponseMinutes: 2,
  nextResponseMinutes: 600,
  resolutionMinutes: 6000,
  warningShare: 0.99,
};

async function openCases(url: string, cases: number, concurrency: number): Promise<void> {
  const authorization = await bearer('support_agent');
  const body = JSON.stringify({
    requester: { name: 'Bench Customer' },
    channel: 'email',
    caseType: 'complaint',
    priority: 'urgent',
    subject: 'Bench case',
  });
  let next = 0;
  const worker = async () => {
    while (next < cases) {
      next++;
      const response = await fetch(`${url}/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body,
      });
      if (response.status !== 201) throw new Error(`opening a case answered ${response.status}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * SLA breaches through the real service desk, every clock running out at the same instant with
 * nobody touching the cases: `cases` urgent cases are opened over HTTP while the business calendar
 * is closed (no clock runs), then a manager publishes an always-open calendar. The `sla-timers`
 * consumer brings every case's timer forward, each check re-schedules it for the instant the first
 * response runs out under the new calendar (the same for all), and then each due timer decides
 * `CheckSla` on its case (the case decider, in business time of the calendar versions) and appends
 * `SlaBreached`. `replicas` service-desk processes run throughout.
 */
export async function benchSlaBreaches(cases: number, replicas: number): Promise<BreachFigures> {
  const db = await freshDatabase('crm_bench_sla');
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
    KAFKA_TOPIC_PREFIX: `bench-${randomBytes(6).toString('hex')}.`,
    SLA_CALENDAR: JSON.stringify(closedNow()),
    SLA_POLICIES: JSON.stringify({ urgent: POLICY }),
    SLA_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'warn',
  };
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await pool.query(sql, params)).rows[0].n);
  const services = await Promise.all(
    Array.from({ length: replicas }, async () => new ServiceProcess('service-desk', await freePort(), env)),
  );
  try {
    await Promise.all(services.map((s) => s.start()));
    const url = services[0].url;
    await openCases(url, cases, 16);
    await waitFor(
      'every case to have its SLA timer',
      async () => (await count(`select count(*) as n from service.durable_timers`)) >= cases,
      300_000,
      250,
    );
    const published = await fetch(`${url}/sla/calendar`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: await bearer('support_manager') },
      body: JSON.stringify(ALWAYS_OPEN),
    });
    if (published.status !== 200) throw new Error(`publishing the calendar answered ${published.status}`);
    const { rows: settings } = await pool.query<{ at: string }>(
      `select data->>'effectiveAt' as at from service_eventstore.es_events
        where type = 'BusinessCalendarPublished' order by global_position desc limit 1`,
    );
    const due = Date.parse(settings[0].at) + FIRST_RESPONSE_MS;
    await waitFor(
      'every timer re-scheduled for the new calendar',
      async () =>
        (await count(`select count(*) as n from service.durable_timers where due_at >= $1`, [
          new Date(due - 1),
        ])) >= cases,
      FIRST_RESPONSE_MS,
      250,
    ).catch(() => {
      throw new Error('the timers were not re-scheduled before they came due: lower the count');
    });
    await waitFor(
      'every case to breach',
      async () =>
        (await count(`select count(*) as n from service_eventstore.es_events where type = 'SlaBreached'`)) >=
        cases,
      600_000,
      250,
    );
    const { rows } = await pool.query<{ due: string; at: string; case_id: string }>(
      `select data->>'dueAt' as due, data->>'breachedAt' as at, data->>'caseId' as case_id
         from service_eventstore.es_events where type = 'SlaBreached'`,
    );
    const delays = rows.map((r) => Date.parse(r.at) - Date.parse(r.due));
    const summary = summarise(delays);
    return {
      cases,
      replicas,
      breachesPerSecond: round(cases / (summary.max / 1000), 0),
      delayP50Ms: round(summary.p50, 0),
      delayP99Ms: round(summary.p99, 0),
      delayMaxMs: round(summary.max, 0),
      duplicates: rows.length - new Set(rows.map((r) => r.case_id)).size,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    await pool.end();
    await db.drop();
  }
}
