import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model v1 of the sales pipeline. Hand-written, never generated. */
export class PipelineReadModel1763900000000 implements MigrationInterface {
  name = 'PipelineReadModel1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS pipeline`);
    await q.query(`
      CREATE TABLE pipeline.account (
        account_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        customer_type text NOT NULL,
        email text,
        phone text,
        profile jsonb NOT NULL,
        owner_id text,
        from_lead_id uuid,
        lifecycle_stage text NOT NULL,
        won_revenue numeric NOT NULL DEFAULT 0,
        revision int NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX account_owner_idx ON pipeline.account (owner_id)`);
    await q.query(`
      CREATE TABLE pipeline.contact (
        contact_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        name text NOT NULL,
        email text,
        phone text,
        role text NOT NULL,
        title text
      )`);
    await q.query(`CREATE INDEX contact_account_idx ON pipeline.contact (account_id)`);
    await q.query(`
      CREATE TABLE pipeline.opportunity (
        opportunity_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        name text NOT NULL,
        owner_id text NOT NULL,
        stage text NOT NULL,
        probability int NOT NULL,
        forecast_category text NOT NULL,
        status text NOT NULL,
        amount numeric,
        currency text NOT NULL,
        expected_close_date date,
        from_lead_id uuid,
        quote_id uuid,
        lost_reason text,
        lost_notes text,
        revision int NOT NULL,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX opportunity_account_idx ON pipeline.opportunity (account_id)`);
    await q.query(`CREATE INDEX opportunity_owner_idx ON pipeline.opportunity (owner_id, status)`);
    await q.query(`CREATE INDEX opportunity_stage_idx ON pipeline.opportunity (stage)`);
    await q.query(`CREATE INDEX opportunity_close_idx ON pipeline.opportunity (expected_close_date)`);
    await q.query(`
      CREATE TABLE pipeline.opportunity_stage_history (
        opportunity_id uuid NOT NULL,
        seq int NOT NULL,
        stage text NOT NULL,
        entered_at timestamptz NOT NULL,
        left_at timestamptz,
        PRIMARY KEY (opportunity_id, seq)
      )`);
    await q.query(`
      CREATE TABLE pipeline.quote (
        quote_id uuid PRIMARY KEY,
        opportunity_id uuid NOT NULL,
        status text NOT NULL,
        currency text NOT NULL,
        lines jsonb NOT NULL,
        subtotal numeric NOT NULL,
        discount numeric NOT NULL,
        total numeric NOT NULL,
        max_discount_percent numeric NOT NULL,
        approval_required boolean NOT NULL,
        approved_by text,
        revision int NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX quote_opportunity_idx ON pipeline.quote (opportunity_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['quote', 'opportunity_stage_history', 'opportunity', 'contact', 'account']) {
      await q.query(`DROP TABLE pipeline.${table}`);
    }
  }
}
