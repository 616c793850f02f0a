import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each queue's round robin stands: the agent who got its last case. Hand-written. */
export class AssignmentCursor1764300000000 implements MigrationInterface {
  name = 'AssignmentCursor1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS service`);
    await q.query(`
      CREATE TABLE service.assignment_cursor (
        queue text PRIMARY KEY,
        agent_id text NOT NULL,
        assigned_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE service.assignment_cursor`);
  }
}
