import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pointer table: which generation schema (`analytics_g<n>`) serves (`current`, exactly one once
 * the service started), which one is being rebuilt (`building`, at most one), which ones served
 * before (`retired`). Its progress columns are sampled from Kafka by the supervisor. Hand-written.
 */
export class Generations1765000000000 implements MigrationInterface {
  name = 'Generations1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS analytics`);
    await q.query(`
      CREATE TABLE analytics.generation (
        n int PRIMARY KEY CHECK (n > 0),
        state text NOT NULL CHECK (state IN ('building', 'current', 'retired')),
        started_at timestamptz NOT NULL DEFAULT now(),
        switched_at timestamptz,
        retired_at timestamptz,
        total_events bigint NOT NULL DEFAULT 0,
        done_events bigint NOT NULL DEFAULT 0,
        progress_at timestamptz,
        group_claimed_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX generation_one_current ON analytics.generation (state) WHERE state = 'current'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX generation_one_building ON analytics.generation (state) WHERE state = 'building'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics.generation`);
  }
}
