import { Client } from 'pg';
import { waitFor } from '@crm/test-support';
import type { Scenario, ServiceName } from './fault-rig';

/** A backend of a service waiting on a lock, as pg_stat_activity shows it. */
export interface Waiter {
  /** `advisory`, `relation`, ... (pg_stat_activity.wait_event of wait_event_type `Lock`). */
  lock: string;
  query: string;
}

/**
 * A transaction of the test that holds locks a service needs, so that the service is provably in
 * the middle of some work (its backend waits on the lock) when the test kills it. Locks are
 * released by release(); the killed service's backend then finishes its statement and, finding
 * its client gone, rolls back whatever transaction it had open.
 */
export class LockHolder {
  private constructor(
    private readonly client: Client,
    private readonly databaseName: string,
  ) {}

  static async hold(databaseUrl: string, statements: [string, unknown[]?][]): Promise<LockHolder> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined); // the server going away ends the transaction, and the locks
    await client.connect();
    try {
      await client.query('begin');
      for (const [sql, values] of statements) await client.query(sql, values);
    } catch (error) {
      await client.end();
      throw error;
    }
    return new LockHolder(client, new URL(databaseUrl).pathname.slice(1));
  }

  /** Waits until, for each predicate, some other backend of the database waits on a lock and matches it. */
  async waitForWaiters(what: string, ...matches: ((w: Waiter) => boolean)[]): Promise<Waiter[]> {
    let seen: Waiter[] = [];
    try {
      return await waitFor(`${what} waiting on the test's locks`, async () => {
        // Inside a transaction, pg_stat_activity is a snapshot taken once: take a fresh one.
        await this.client.query('select pg_stat_clear_snapshot()');
        const { rows } = await this.client.query<Waiter>(
          `select wait_event as lock, query from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
          [this.databaseName],
        );
        seen = rows;
        const found = matches.map((match) => rows.find(match));
        return found.every(Boolean) ? (found as Waiter[]) : undefined;
      });
    } catch (error) {
      throw new Error(`${String(error)}; backends waiting on locks: ${JSON.stringify(seen)}`);
    }
  }

  async query(sql: string, values: unknown[] = []): Promise<unknown[]> {
    return (await this.client.query(sql, values)).rows;
  }

  /** Rolls the transaction back (its locks go with it) and disconnects. */
  async release(): Promise<void> {
    await this.client.query('rollback').catch(() => undefined);
    await this.client.end();
  }
}

/** A service to kill, the locks that hold it in the middle of some work, and how to see it waiting. */
export interface MidWork {
  service: ServiceName;
  locks: [string, unknown[]?][];
  /** Once the locks are held: what sets the service to work (default: the load does). */
  thenStart?: () => void;
  waiting: (w: Waiter) => boolean;
  /** A query whose rows show, just before the kill, how far the work got. */
  observe?: [string, unknown[]];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Holds each service in the middle of some work (one after the other: a backend of it waits on
 * the test's locks), SIGKILLs them together, releases the locks and starts them again.
 */
export async function killMidWork(s: Scenario, holds: MidWork[]) {
  const held: LockHolder[] = [];
  const waiters: Waiter[] = [];
  const observed: unknown[] = [];
  let killedAt: number;
  let requestsInFlight: number;
  try {
    for (const { service, locks, thenStart, waiting, observe } of holds) {
      const holder = await LockHolder.hold(s.target.databaseUrl, locks);
      held.push(holder);
      thenStart?.();
      waiters.push(...(await holder.waitForWaiters(service, waiting)));
      if (observe) observed.push(...(await holder.query(...observe)));
    }
    requestsInFlight = s.load.requestsInFlight;
    killedAt = Date.now();
    await Promise.all(holds.map(({ service }) => s.kill(service)));
  } finally {
    await Promise.all(held.map((h) => h.release()));
  }
  const restartAt = Date.now();
  await Promise.all(holds.map(({ service }) => s.restart(service)));
  const backAt = Date.now();
  const readyAt = await s.ready();
  const figures = {
    killed: holds.map(
      ({ service }, i) =>
        `${service}, waiting on ${waiters[i].lock} lock: ${waiters[i].query.trim().slice(0, 40)}`,
    ),
    requestsInFlight,
    ...(observed.length > 0 ? { observedBeforeTheKill: observed } : {}),
    downS: seconds(backAt - killedAt),
    restartS: seconds(backAt - restartAt),
    bothReadyAfterRestartS: seconds(readyAt - backAt),
  };
  return { killedAt, backAt, figures };
}
