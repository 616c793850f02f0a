import type { Pool } from 'pg';
import type { ContractEventType } from '@crm/contracts';
import type { AnalyticsEvent, Projector, ProjectorHandlers, Sql } from '../src/projection/projector';

/** The event types the test projector counts (one of each context, and the erasure). */
export const COUNTED_TYPES = [
  'LeadWorkStarted',
  'QuoteRejected',
  'CaseAssigned',
  'CampaignScheduled',
] as const;

/** A transaction failure the consumer retries for as long as it lasts (SQLSTATE class 40). */
class SerializationFailure extends Error {
  readonly code = '40001';
}

/**
 * A tiny read model for the consumption's tests: events counted per type (and erasures) in
 * `<generation>.event_count`, viewed as `analytics.event_count`. A generation can be held: its
 * handlers wait on a gate (`hold`/`release`), or fail transiently once it has committed a row
 * (`stallAfterFirstCommit`), so that a rebuild stops part-way without a timed wait.
 */
export class EventCountProjector implements Projector {
  readonly name = 'event-count';
  readonly handlers: ProjectorHandlers;
  private gate: { schema: string; open: Promise<void>; release: () => void } | undefined;
  private stall: { schema: string; pool: Pool } | undefined;

  constructor() {
    const count = (events: AnalyticsEvent[], db: Sql, schema: string) =>
      this.count(events[0].type, db, schema, events.length);
    this.handlers = Object.fromEntries(COUNTED_TYPES.map((type) => [type, count])) as ProjectorHandlers;
  }

  tables(schema: string): string[] {
    return [`create table if not exists ${schema}.event_count (type text primary key, events int not null)`];
  }

  views(schema: string): string[] {
    return [`create or replace view analytics.event_count as select type, events from ${schema}.event_count`];
  }

  erase(_customerId: string, db: Sql, schema: string): Promise<void> {
    return this.count('(erasure)', db, schema);
  }

  /** The handlers of `schema` wait until `release()`. */
  hold(schema: string): void {
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    this.gate = { schema, open, release };
  }

  release(): void {
    this.gate?.release();
    this.gate = undefined;
  }

  /** The handlers of `schema` fail (transiently: retried, never parked) once it has committed a count. */
  stallAfterFirstCommit(schema: string, pool: Pool): void {
    this.stall = { schema, pool };
  }

  private async count(type: ContractEventType | string, db: Sql, schema: string, events = 1): Promise<void> {
    if (this.gate?.schema === schema) await this.gate.open;
    if (this.stall?.schema === schema) {
      const { rows } = await this.stall.pool.query(`select 1 from ${schema}.event_count limit 1`);
      if (rows.length > 0) throw new SerializationFailure(`${schema} is stalled for the test`);
    }
    await db.query(
      `insert into ${schema}.event_count (type, events) values ($1, $2)
       on conflict (type) do update set events = event_count.events + excluded.events`,
      [type, events],
    );
  }
}
