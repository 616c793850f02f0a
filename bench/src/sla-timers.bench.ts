import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { PostgresEventStore } from '@crm/event-store';
import { DurableTimers } from '@crm/timers';
import { round, summarise } from './stats';

export interface TimerFigures {
  timers: number;
  pollers: number;
  /** Timers fired per second, each appending one event (as an SLA breach does) to its own stream. */
  firedPerSecond: number;
  /** Delay from a timer's due time to its firing (all due at once: the queue drains). */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

/**
 * The SLA timer path under a burst: `timers` durable timers all due at the same instant (10,000
 * cases whose clocks run out together), fired by `pollers` processes' worth of pollers on the real
 * PostgreSQL, each firing appending one event to its case's stream in the real event store. Read
 * it against the event store's single-writer appends/s measured in the same run.
 */
export async function benchSlaTimers(
  databaseUrl: string,
  timers: number,
  pollers: number,
): Promise<TimerFigures> {
  const pool = new Pool({ connectionString: databaseUrl, max: pollers * 3 + 2 });
  const schema = `bench_timers_${randomBytes(4).toString('hex')}`;
  const store = new PostgresEventStore({ pool, schema: `${schema}_es` });
  const delays: number[] = [];
  const instances = Array.from(
    { length: pollers },
    () =>
      new DurableTimers({
        pool,
        schema,
        pollIntervalMs: 20,
        batchSize: 200,
        onFired: ({ timer, firedAt }) => delays.push(firedAt.getTime() - timer.dueAt.getTime()),
      }),
  );
  try {
    await instances[0].migrate();
    await store.migrate();
    const dueAt = new Date(Date.now() + 2_000);
    await pool.query(
      `insert into ${escapeIdentifier(schema)}.durable_timers (kind, key, due_at)
       select 'sla-check', gen_random_uuid()::text, $1 from generate_series(1, $2)`,
      [dueAt, timers],
    );
    const fire = async (timer: { key: string }) => {
      const at = new Date().toISOString();
      await store.append(
        `case-${timer.key}`,
        [
          {
            id: randomUUID(),
            type: 'SlaBreached',
            data: { caseId: timer.key, clock: 'first_response', breachedAt: at },
            metadata: {
              customerId: randomUUID(),
              correlationId: randomUUID(),
              causationId: randomUUID(),
              schemaVersion: 1,
              occurredAt: at,
            },
          },
        ],
        'any',
      );
    };
    for (const t of instances) t.start(fire);
    while (delays.length < timers) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(instances.map((t) => t.stop()));
    const summary = summarise(delays);
    const drainSeconds = summary.max / 1000;
    return {
      timers,
      pollers,
      firedPerSecond: round(timers / drainSeconds, 0),
      delayP50Ms: round(summary.p50, 0),
      delayP99Ms: round(summary.p99, 0),
      delayMaxMs: round(summary.max, 0),
    };
  } finally {
    await Promise.all(instances.map((t) => t.stop()));
    await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`).catch(() => undefined);
    await pool
      .query(`drop schema if exists ${escapeIdentifier(`${schema}_es`)} cascade`)
      .catch(() => undefined);
    await store.close().catch(() => undefined);
    await pool.end();
  }
}
