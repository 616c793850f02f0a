import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer profiles (what segment rules test), segment definitions and memberships (current and
 * their history, for "members at time T"). Hand-written.
 */
export class CustomerProfile1764400000000 implements MigrationInterface {
  name = 'CustomerProfile1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS marketing`);
    await q.query(`
      CREATE TABLE marketing.customer_profile (
        customer_id uuid PRIMARY KEY,
        email text,
        name text,
        lifecycle_stage text,
        lifecycle_stage_at timestamptz,
        customer_type text,
        country text,
        interests text[] NOT NULL DEFAULT '{}',
        owner_id text,
        won_revenue numeric(16, 2) NOT NULL DEFAULT 0,
        last_purchase_at timestamptz,
        open_complaints int NOT NULL DEFAULT 0,
        csat numeric(3, 2),
        erased_at timestamptz,
        revisions jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX customer_profile_lifecycle_stage ON marketing.customer_profile (lifecycle_stage)`,
    );
    await q.query(`
      CREATE TABLE marketing.customer_complaint (
        case_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        open boolean NOT NULL,
        revision int NOT NULL
      )`);
    await q.query(`CREATE INDEX customer_complaint_customer ON marketing.customer_complaint (customer_id)`);
    await q.query(`
      CREATE TABLE marketing.segment (
        segment_id uuid PRIMARY KEY,
        name text NOT NULL,
        description text,
        rule jsonb NOT NULL,
        version int NOT NULL,
        defined_at timestamptz NOT NULL,
        redefined_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE marketing.segment_membership (
        segment_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        segment_version int NOT NULL,
        joined_at timestamptz NOT NULL,
        PRIMARY KEY (segment_id, customer_id)
      )`);
    await q.query(`CREATE INDEX segment_membership_customer ON marketing.segment_membership (customer_id)`);
    await q.query(`
      CREATE TABLE marketing.segment_membership_history (
        segment_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        segment_version int NOT NULL,
        joined_at timestamptz NOT NULL,
        left_at timestamptz,
        left_version int,
        PRIMARY KEY (segment_id, customer_id, joined_at)
      )`);
    await q.query(`
      CREATE TABLE marketing.segment_membership_stream (
        customer_id uuid PRIMARY KEY,
        revision int NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'segment_membership_stream',
      'segment_membership_history',
      'segment_membership',
      'segment',
      'customer_complaint',
      'customer_profile',
    ])
      await q.query(`DROP TABLE marketing.${table}`);
  }
}
