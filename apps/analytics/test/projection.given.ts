import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  EVENT_CONTRACTS,
  PUBLISHERS,
  parseEvent,
  type ContractEventType,
  type EventData,
} from '@crm/contracts';
import { freshDatabase } from '@crm/test-support';
import { applyBatch } from '../src/projection/apply-batch';
import type { AnalyticsEvent, Projector } from '../src/projection/projector';
import { PROJECTORS } from '../src/projection/projectors';

export const SCHEMA = 'analytics_g1';

/** An event of any type: the union of AnalyticsEvent<K> over the contracts' types. */
export type Fact = { [K in ContractEventType]: AnalyticsEvent<K> }[ContractEventType];

export interface FactOptions {
  customerId?: string;
  /** The CloudEvent time (default: now). */
  time?: string;
  /** The publishing context (default: the type's first publisher). */
  context?: string;
  id?: string;
}

/**
 * An event as the generation runner hands it to the projectors: its data read through its
 * contract (it must pass, as a consumed payload does), personal values already revealed.
 */
export function fact<K extends ContractEventType>(
  type: K,
  data: EventData<K>,
  options: FactOptions = {},
): AnalyticsEvent<K> {
  const context = options.context ?? PUBLISHERS[type][0];
  const versions = Object.keys(EVENT_CONTRACTS[type]).map(Number);
  const parsed = parseEvent({ type: `crm.${context}.${type}.v${Math.max(...versions)}`, data });
  if (!parsed || parsed.type !== type)
    throw new Error(`${type} from ${context} is not read by the contracts`);
  const customerId = options.customerId ?? (data as { customerId?: string }).customerId ?? randomUUID();
  return {
    id: options.id ?? randomUUID(),
    type,
    context,
    customerId,
    time: options.time ?? new Date().toISOString(),
    subject: randomUUID(),
    // Checked against K's contract by parseEvent (type equal to K above); TypeScript cannot narrow
    // the parsed union by a generic K, hence the annotation, not an unchecked cast.
    data: parsed.data as EventData<K>,
  };
}

/**
 * The analytics read models specified as "given these events, then these rows": a fresh database
 * with the `analytics` schema, generation 1's tables and the views over them, and the projectors
 * applied to the events as the generation runner applies a batch (`applyBatch`: the events of one
 * `given` are one batch, in one transaction). No Kafka: dedupe and offsets are the runner's.
 */
export class AnalyticsProjection {
  private constructor(
    readonly db: DataSource,
    private readonly drop: () => Promise<void>,
    private readonly projectors: readonly Projector[],
  ) {}

  static async start(projectors: readonly Projector[] = PROJECTORS): Promise<AnalyticsProjection> {
    const database = await freshDatabase('analytics_projection');
    const db = new DataSource({ type: 'postgres', url: database.url, extra: { max: 4 } });
    await db.initialize();
    await db.query(`create schema analytics`);
    await db.query(`create schema ${SCHEMA}`);
    for (const p of projectors) for (const ddl of p.tables(SCHEMA)) await db.query(ddl);
    for (const p of projectors) for (const view of p.views(SCHEMA)) await db.query(view);
    return new AnalyticsProjection(db, database.drop, projectors);
  }

  async given(...events: Fact[]): Promise<void> {
    await this.db.transaction((manager) =>
      applyBatch(this.projectors, events as AnalyticsEvent[], manager, SCHEMA),
    );
  }

  /** The events in batches of `size` (one transaction each), in order. */
  async givenInBatchesOf(size: number, ...events: Fact[]): Promise<void> {
    for (let i = 0; i < events.length; i += size) await this.given(...events.slice(i, i + size));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of arbitrary queries
  rows<T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.db.query(sql, parameters);
  }

  /** Every row of a generation table, ordered by all its columns: to compare two arrival orders. */
  async table(name: string): Promise<unknown[]> {
    return this.db.query(`select to_jsonb(t) as row from ${SCHEMA}.${name} t order by 1`);
  }

  /** Empties every table (between cases of a spec sharing the database). */
  async reset(): Promise<void> {
    const { rows } = {
      rows: await this.db.query<{ t: string }[]>(
        `select tablename as t from pg_tables where schemaname = $1`,
        [SCHEMA],
      ),
    };
    if (rows.length > 0) await this.db.query(`truncate ${rows.map((r) => `${SCHEMA}.${r.t}`).join(', ')}`);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.drop();
  }
}
