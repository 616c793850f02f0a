import { escapeIdentifier, type Pool, type PoolClient } from 'pg';

/**
 * Durable timers in PostgreSQL: something must happen at a time even if no request comes (an SLA
 * running out). A timer is a row (kind, key, due_at, payload); scheduling the same (kind, key)
 * again moves it. Any number of processes poll the table: each takes due rows with
 * `FOR UPDATE SKIP LOCKED`, so a row is handled by one process at a time; the row is deleted in the
 * same transaction once its handler succeeded. A handler that fails leaves the row for a later poll
 * (with a backoff); a process that dies mid-way releases its rows (its transaction rolls back).
 *
 * So every due timer is handled at least once and, while processes live, exactly once. A crash
 * after the handler's effect but before the commit hands the timer to the next poll: handlers must
 * be idempotent, as a decider deciding "breached" on a clock already breached is (it decides nothing).
 */

/** Anything that runs SQL: a pg client or pool, a TypeORM EntityManager (`query(text, params)`). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

export interface DueTimer {
  kind: string;
  key: string;
  dueAt: Date;
  payload: unknown;
  /** Failed handlings before this one. */
  attempts: number;
}

/**
 * Handles a due timer. `db` is the transaction that holds the timer's row: schedule through it
 * (also this same timer, to move it); the row is deleted on success unless it was moved.
 */
export type TimerHandler = (timer: DueTimer, db: Queryable) => Promise<void>;

export interface TimerFiring {
  timer: DueTimer;
  /** When it was handled, by the database's clock. */
  firedAt: Date;
}

export interface DurableTimersOptions {
  pool: Pool;
  schema: string;
  /**
   * The kinds of timers this poller fires (default: every kind in the table). Pollers of different
   * features sharing a service's timer table each take their own kinds only.
   */
  kinds?: string[];
  /** Most timers one poll takes (default 100). */
  batchSize?: number;
  /** Pause between polls when nothing was due (default 250 ms). */
  pollIntervalMs?: number;
  /** Wait before a failed timer is tried again, doubled per attempt up to 5 minutes (default 1 s). */
  retryBackoffMs?: number;
  onError?: (error: unknown, timer?: DueTimer) => void;
  onFired?: (firing: TimerFiring) => void;
}

export class DurableTimers {
  private readonly table: string;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(private readonly options: DurableTimersOptions) {
    this.table = `${escapeIdentifier(options.schema)}.durable_timers`;
  }

  /** Creates the table (safe to run on every start and concurrently). */
  async migrate(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [
        `${this.options.schema}:durable_timers`,
      ]);
      await client.query(`create schema if not exists ${escapeIdentifier(this.options.schema)}`);
      await client.query(`create table if not exists ${this.table} (
        kind text not null,
        key text not null,
        due_at timestamptz not null,
        payload jsonb not null default '{}',
        attempts int not null default 0,
        primary key (kind, key)
      )`);
      await client.query(`create index if not exists durable_timers_due on ${this.table} (due_at)`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Sets (or moves) the timer (kind, key); through `db`, so inside the caller's transaction if it has one. */
  async schedule(
    db: Queryable,
    kind: string,
    key: string,
    dueAt: Date,
    payload: unknown = {},
  ): Promise<void> {
    await db.query(
      `insert into ${this.table} (kind, key, due_at, payload, attempts) values ($1, $2, $3, $4, 0)
       on conflict (kind, key) do update set due_at = excluded.due_at, payload = excluded.payload, attempts = 0`,
      [kind, key, dueAt, JSON.stringify(payload ?? {})],
    );
  }

  /** Removes the timer (kind, key) if set. */
  async cancel(db: Queryable, kind: string, key: string): Promise<void> {
    await db.query(`delete from ${this.table} where kind = $1 and key = $2`, [kind, key]);
  }

  /**
   * Brings every timer of `kind` due later forward to now, so that each is handled at once: for
   * when what they wait for may have moved (a new business calendar). Through `db`, like schedule.
   */
  async bringForward(db: Queryable, kind: string): Promise<void> {
    await db.query(`update ${this.table} set due_at = now() where kind = $1 and due_at > now()`, [kind]);
  }

  /** Timers not handled yet, soonest first (for operations and tests). */
  async pending(kind?: string): Promise<DueTimer[]> {
    const { rows } = await this.options.pool.query(
      `select kind, key, due_at, payload, attempts from ${this.table}
        where $1::text is null or kind = $1 order by due_at, kind, key`,
      [kind ?? null],
    );
    return rows.map(toTimer);
  }

  /**
   * Handles the timers due now, up to a batch, each in its own transaction: answers how many were
   * handled. Rows another process holds are skipped, not waited for.
   */
  async fireDue(handle: TimerHandler): Promise<number> {
    let handled = 0;
    const limit = this.options.batchSize ?? 100;
    for (let i = 0; i < limit; i++) {
      const client = await this.options.pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query(
          `select kind, key, due_at, due_at::text as due_at_exact, payload, attempts, clock_timestamp() as now
             from ${this.table}
            where due_at <= now() and ($1::text[] is null or kind = any($1::text[]))
            order by due_at limit 1 for update skip locked`,
          [this.options.kinds ?? null],
        );
        if (rows.length === 0) {
          await client.query('commit');
          return handled;
        }
        const timer = toTimer(rows[0]);
        const outcome = await this.handleOne(client, timer, rows[0].due_at_exact as string, handle);
        await client.query('commit');
        if (outcome === 'fired') {
          handled++;
          this.options.onFired?.({ timer, firedAt: rows[0].now as Date });
        }
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    return handled;
  }

  /** Polls until stopped; `nudge()` polls at once. */
  start(handle: TimerHandler): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop(handle);
  }

  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async handleOne(
    client: PoolClient,
    timer: DueTimer,
    dueAtExact: string,
    handle: TimerHandler,
  ): Promise<'fired' | 'failed'> {
    await client.query('savepoint crm_timer');
    try {
      await handle(timer, client);
      await client.query('release savepoint crm_timer');
    } catch (error) {
      // What the handler wrote goes; the row stays, for a later attempt.
      await client.query('rollback to savepoint crm_timer');
      this.options.onError?.(error, timer);
      const backoff = Math.min((this.options.retryBackoffMs ?? 1000) * 2 ** timer.attempts, 300_000);
      await client.query(
        `update ${this.table} set attempts = attempts + 1, due_at = now() + $3 * interval '1 millisecond'
          where kind = $1 and key = $2`,
        [timer.kind, timer.key, backoff],
      );
      return 'failed';
    }
    // Unless the handler moved it (the microseconds count: a JS Date has only milliseconds).
    await client.query(
      `delete from ${this.table} where kind = $1 and key = $2 and due_at = $3::timestamptz`,
      [timer.kind, timer.key, dueAtExact],
    );
    return 'fired';
  }

  private async loop(handle: TimerHandler): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.fireDue(handle);
      } catch (error) {
        this.options.onError?.(error);
      }
      if (handled === 0 && !this.stopping)
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, this.options.pollIntervalMs ?? 250);
          this.wake = () => {
            clearTimeout(timeout);
            resolve();
          };
        });
    }
  }
}

function toTimer(row: Record<string, unknown>): DueTimer {
  return {
    kind: row.kind as string,
    key: row.key as string,
    dueAt: row.due_at as Date,
    payload: row.payload,
    attempts: row.attempts as number,
  };
}
