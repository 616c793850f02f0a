import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import type { Projector } from '../projection/projector';

export type GenerationState = 'building' | 'current' | 'retired';

/** A row of `analytics.generation`. */
export interface Generation {
  n: number;
  state: GenerationState;
  startedAt: Date;
  switchedAt: Date | null;
  retiredAt: Date | null;
  totalEvents: number;
  doneEvents: number;
  progressAt: Date | null;
  /** When its consumer group was first claimed (stale offsets forgotten); null before. */
  groupClaimedAt: Date | null;
}

/** The schema holding generation `n`'s tables (and its consumer's processed_events, dead_letters). */
export const generationSchema = (n: number): string => `analytics_g${n}`;

const COLUMNS = `n, state, started_at as "startedAt", switched_at as "switchedAt", retired_at as "retiredAt",
  total_events::float8 as "totalEvents", done_events::float8 as "doneEvents", progress_at as "progressAt",
  group_claimed_at as "groupClaimedAt"`;

/** Serializes the changes of the pointer table between replicas. */
const LOCK = `select pg_advisory_xact_lock(hashtext('analytics:generations'))`;

/**
 * The pointer table `analytics.generation` and the schemas it points to: creating a generation
 * (its schema and every projector's tables), the switch-over (one transaction: states and the
 * views of `analytics`), dropping generations retired before the previous one.
 */
export class Generations {
  constructor(
    private readonly pool: Pool,
    private readonly projectors: readonly Projector[],
  ) {}

  async list(): Promise<Generation[]> {
    const { rows } = await this.pool.query<Generation>(
      `select ${COLUMNS} from analytics.generation order by n`,
    );
    return rows;
  }

  async get(n: number): Promise<Generation | undefined> {
    const { rows } = await this.pool.query<Generation>(
      `select ${COLUMNS} from analytics.generation where n = $1`,
      [n],
    );
    return rows[0];
  }

  /**
   * Generation 1, current, when there is none; then the tables of the current and building
   * generations (new projectors' tables appear empty: a rebuild fills them) and the views over
   * the current one. Answers the current generation.
   */
  async prepare(): Promise<Generation> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `select n from analytics.generation where state in ('current', 'building') order by n`,
      );
      if (rows.length === 0) {
        await client.query(
          `insert into analytics.generation (n, state, switched_at) values (1, 'current', now())`,
        );
        rows.push({ n: 1 });
      }
      for (const { n } of rows) await this.createTables(client, n);
      const current = await this.currentIn(client);
      await this.createViews(client, current.n);
      return current;
    });
  }

  /** A new building generation with its tables, or the one already building (`started: false`). */
  async startRebuild(): Promise<{ generation: Generation; started: boolean }> {
    return this.transaction(async (client) => {
      const building = await this.inState(client, 'building');
      if (building) return { generation: building, started: false };
      const { rows } = await client.query<{ n: number }>(
        `insert into analytics.generation (n, state)
         select coalesce(max(n), 0) + 1, 'building' from analytics.generation returning n`,
      );
      await this.createTables(client, rows[0].n);
      return { generation: (await this.inState(client, 'building'))!, started: true };
    });
  }

  /**
   * Runs `claim` (forgetting the group's stale offsets) once in the life of generation `n`'s group,
   * under the lock: another replica waits for it and then finds it claimed.
   */
  async claimGroup(n: number, claim: () => Promise<void>): Promise<void> {
    await this.transaction(async (client) => {
      const { rows } = await client.query<{ claimed: boolean }>(
        `select group_claimed_at is not null as claimed from analytics.generation where n = $1`,
        [n],
      );
      if (rows.length === 0 || rows[0].claimed) return;
      await claim();
      await client.query(`update analytics.generation set group_claimed_at = now() where n = $1`, [n]);
    });
  }

  async recordProgress(n: number, done: number, total: number): Promise<void> {
    await this.pool.query(
      `update analytics.generation set done_events = $2, total_events = $3, progress_at = now() where n = $1`,
      [n, done, total],
    );
  }

  /**
   * In one transaction: `n` (building) becomes current, the current one retired, the views of
   * `analytics` recreated over `n`. False when `n` is not building any more (another replica switched).
   */
  async switchOver(n: number, done: number, total: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const building = await this.inState(client, 'building');
      if (building?.n !== n) return false;
      await client.query(
        `update analytics.generation set state = 'retired', retired_at = now() where state = 'current'`,
      );
      await client.query(
        `update analytics.generation set state = 'current', switched_at = now(), done_events = $2,
           total_events = $3, progress_at = now() where n = $1`,
        [n, done, total],
      );
      await this.createViews(client, n);
      return true;
    });
  }

  /**
   * Refreshes the planner statistics of generation `n`'s tables (ANALYZE, which does not block the
   * consumer's writes). The per-key statements of a batch (re-deriving a customer's versions,
   * visits, attribution) are planned on these: on the statistics of an empty table they read the
   * whole table for each batch, so a rebuild slows down as its tables grow. Autovacuum may be off,
   * and when on it looks only every `autovacuum_naptime` (1 min), long after a rebuild started.
   */
  async analyze(n: number): Promise<void> {
    const schema = generationSchema(n);
    const { rows } = await this.pool.query<{ name: string }>(
      `select tablename as name from pg_tables where schemaname = $1 order by 1`,
      [schema],
    );
    if (rows.length === 0) return;
    const tables = rows.map(({ name }) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`);
    await this.pool.query(`analyze ${tables.join(', ')}`);
  }

  /** Drops the schemas of the generations retired before the last one (kept for comparison). */
  async dropOldRetired(): Promise<number[]> {
    const retired = (await this.list()).filter((g) => g.state === 'retired').map((g) => g.n);
    const old = retired.slice(0, -1);
    for (const n of old) {
      await this.pool.query(`drop schema if exists ${escapeIdentifier(generationSchema(n))} cascade`);
      await this.pool.query(`delete from analytics.generation where n = $1 and state = 'retired'`, [n]);
    }
    return old;
  }

  private async createTables(client: PoolClient, n: number): Promise<void> {
    const schema = generationSchema(n);
    await client.query(`create schema if not exists ${escapeIdentifier(schema)}`);
    for (const projector of this.projectors)
      for (const ddl of projector.tables(schema)) await client.query(ddl);
  }

  /**
   * Every view of `analytics` dropped and created again over generation `n` (their columns may
   * have changed with the projectors' code): the views must all come from the projectors.
   */
  private async createViews(client: PoolClient, n: number): Promise<void> {
    const { rows } = await client.query<{ name: string }>(
      `select table_name as name from information_schema.views where table_schema = 'analytics'`,
    );
    for (const { name } of rows)
      await client.query(`drop view if exists analytics.${escapeIdentifier(name)} cascade`);
    const schema = generationSchema(n);
    for (const projector of this.projectors)
      for (const ddl of projector.views(schema)) await client.query(ddl);
  }

  private async currentIn(client: PoolClient): Promise<Generation> {
    const current = await this.inState(client, 'current');
    if (!current) throw new Error('analytics.generation has no current generation');
    return current;
  }

  private async inState(client: PoolClient, state: GenerationState): Promise<Generation | undefined> {
    const { rows } = await client.query<Generation>(
      `select ${COLUMNS} from analytics.generation where state = $1`,
      [state],
    );
    return rows[0];
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(LOCK);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
