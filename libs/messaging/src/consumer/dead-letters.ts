import type { DataSource, EntityManager } from 'typeorm';
import type { IncomingMessage, OutgoingRecord } from '../message-bus.port';
import { quoteIdent } from '../sql';

/** Why a record was parked instead of applied. */
export const DEAD_LETTER_REASONS = ['invalid-cloudevent', 'contract-violation', 'handler-failed'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A parked record, as operators list it. */
export interface DeadLetter {
  id: string;
  consumer: string;
  /** The CloudEvent id, when the record is a CloudEvent. */
  eventId: string | null;
  eventType: string | null;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason: DeadLetterReason;
  /** The last error: when parked, or of the last replay that failed. */
  error: string;
  headers: Record<string, string>;
  /** The record's value as UTF-8 text (null for an empty record). */
  value: string | null;
  parkedAt: string;
  replayedAt: string | null;
  replayAttempts: number;
}

export interface DeadLetterFilter {
  consumer?: string;
  /** `parked`: not replayed yet; `replayed`: applied by a replay. */
  status?: 'parked' | 'replayed';
  limit?: number;
}

interface Row {
  id: string;
  consumer: string;
  event_id: string | null;
  event_type: string | null;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason: DeadLetterReason;
  error: string;
  headers: Record<string, string>;
  value: Buffer | null;
  parked_at: Date;
  replayed_at: Date | null;
  replay_attempts: number;
}

/** What to park: the record as it came, and why. */
export interface Parking {
  consumer: string;
  message: IncomingMessage;
  eventId?: string;
  eventType?: string;
  reason: DeadLetterReason;
  error: string;
}

/** The record again, as the consumer received it (for a replay). */
export function messageOf(letter: DeadLetter, raw: Buffer | null): IncomingMessage {
  return {
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    key: letter.key,
    headers: letter.headers,
    value: raw,
    timestamp: '',
  };
}

/** The record published on the dead-letter topic: the original key, value and headers, plus why. */
export function deadLetterRecord(parking: Parking, now = new Date()): OutgoingRecord {
  const { message } = parking;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      dlq_error: parking.error.slice(0, 2000),
      dlq_consumer: parking.consumer,
      dlq_topic: message.topic,
      dlq_partition: String(message.partition),
      dlq_offset: message.offset,
      dlq_reason: parking.reason,
      dlq_time: now.toISOString(),
    },
  };
}

function toDeadLetter(row: Row): DeadLetter {
  return {
    id: String(row.id),
    consumer: row.consumer,
    eventId: row.event_id,
    eventType: row.event_type,
    topic: row.topic,
    partition: row.partition,
    offset: String(row.offset),
    key: row.key,
    reason: row.reason,
    error: row.error,
    headers: row.headers,
    value: row.value === null ? null : row.value.toString('utf8'),
    parkedAt: row.parked_at.toISOString(),
    replayedAt: row.replayed_at ? row.replayed_at.toISOString() : null,
    replayAttempts: row.replay_attempts,
  };
}

/**
 * The `<schema>.dead_letters` table: records a consumer could not apply, kept with everything
 * needed to apply them later. One row per consumer and record (topic, partition, offset).
 */
export class DeadLetterStore {
  readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.dead_letters`;
  }

  /** Creates the table if missing (call inside the consumer's migration transaction). */
  async migrate(manager: EntityManager): Promise<void> {
    await manager.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
         id bigserial PRIMARY KEY,
         consumer text NOT NULL,
         event_id text,
         event_type text,
         topic text NOT NULL,
         "partition" int NOT NULL,
         "offset" bigint NOT NULL,
         key text,
         reason text NOT NULL CHECK (reason IN ('invalid-cloudevent', 'contract-violation', 'handler-failed')),
         error text NOT NULL,
         headers jsonb NOT NULL,
         value bytea,
         parked_at timestamptz NOT NULL DEFAULT now(),
         replayed_at timestamptz,
         replay_attempts int NOT NULL DEFAULT 0,
         UNIQUE (consumer, topic, "partition", "offset")
       )`,
    );
    await manager.query(
      `CREATE INDEX IF NOT EXISTS dead_letters_parked_idx ON ${this.table} (consumer, reason) WHERE replayed_at IS NULL`,
    );
  }

  /** Parks a record in `manager`'s transaction; true when new (a redelivered record is parked once). */
  async park(manager: EntityManager, p: Parking): Promise<boolean> {
    const m = p.message;
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.table}
         (consumer, event_id, event_type, topic, "partition", "offset", key, reason, error, headers, value)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (consumer, topic, "partition", "offset") DO NOTHING RETURNING id`,
      [
        p.consumer,
        p.eventId ?? null,
        p.eventType ?? null,
        m.topic,
        m.partition,
        m.offset,
        m.key,
        p.reason,
        p.error,
        JSON.stringify(m.headers),
        m.value,
      ],
    );
    return rows.length > 0;
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.consumer !== undefined) where.push(`consumer = $${params.push(filter.consumer)}`);
    if (filter.status === 'parked') where.push('replayed_at IS NULL');
    if (filter.status === 'replayed') where.push('replayed_at IS NOT NULL');
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id LIMIT $${params.push(filter.limit ?? 100)}`,
      params,
    );
    return rows.map(toDeadLetter);
  }

  /** The row, locked until `manager`'s transaction ends, with the record's raw value. */
  async lock(
    manager: EntityManager,
    id: string,
  ): Promise<{ letter: DeadLetter; raw: Buffer | null } | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const rows: Row[] = await manager.query(`SELECT * FROM ${this.table} WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? { letter: toDeadLetter(rows[0]), raw: rows[0].value } : undefined;
  }

  /** The dead letter with this id, if any. */
  async get(id: string): Promise<DeadLetter | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] ? toDeadLetter(rows[0]) : undefined;
  }

  /** The consumer of a dead letter, or undefined for an unknown id. */
  async consumerOf(id: string): Promise<string | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const rows: { consumer: string }[] = await this.dataSource.query(
      `SELECT consumer FROM ${this.table} WHERE id = $1`,
      [id],
    );
    return rows[0]?.consumer;
  }

  async markReplayed(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE ${this.table} SET replayed_at = now(), replay_attempts = replay_attempts + 1 WHERE id = $1`,
      [id],
    );
  }

  async recordFailedReplay(manager: EntityManager, id: string, error: string): Promise<void> {
    await manager.query(
      `UPDATE ${this.table} SET error = $2, replay_attempts = replay_attempts + 1 WHERE id = $1`,
      [id, error],
    );
  }

  /** Ids of a consumer's parked records, oldest first. */
  async parkedIds(consumer: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM ${this.table} WHERE consumer = $1 AND replayed_at IS NULL ORDER BY id`,
      [consumer],
    );
    return rows.map((r) => String(r.id));
  }

  /** Records parked and not replayed, per consumer and reason. */
  async parkedCounts(): Promise<{ consumer: string; reason: DeadLetterReason; count: number }[]> {
    const rows: { consumer: string; reason: DeadLetterReason; count: number }[] = await this.dataSource.query(
      `SELECT consumer, reason, count(*)::int AS count FROM ${this.table}
       WHERE replayed_at IS NULL GROUP BY consumer, reason ORDER BY consumer, reason`,
    );
    return rows;
  }
}
