import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model v1: lead summaries and their engagement timeline. Hand-written, never generated. */
export class LeadReadModel1763900000000 implements MigrationInterface {
  name = 'LeadReadModel1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS leads`);
    await q.query(`
      CREATE TABLE leads.lead_summary (
        lead_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        status text NOT NULL,
        owner_id text,
        channel text NOT NULL,
        customer_type text NOT NULL,
        person_name text,
        company_name text,
        email text,
        phone text,
        company_size int,
        interests jsonb NOT NULL DEFAULT '[]',
        source jsonb NOT NULL DEFAULT '{}',
        notes text,
        score int,
        score_breakdown jsonb,
        disqualification_reason text,
        engagement_count int NOT NULL DEFAULT 0,
        revision int NOT NULL,
        captured_at timestamptz NOT NULL,
        last_engaged_at timestamptz,
        qualified_at timestamptz,
        disqualified_at timestamptz,
        converted_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lead_summary_status_idx ON leads.lead_summary (status, captured_at DESC)`);
    await q.query(`CREATE INDEX lead_summary_owner_idx ON leads.lead_summary (owner_id)`);
    await q.query(`CREATE INDEX lead_summary_channel_idx ON leads.lead_summary (channel)`);
    await q.query(`CREATE INDEX lead_summary_score_idx ON leads.lead_summary (score)`);
    await q.query(`CREATE INDEX lead_summary_customer_idx ON leads.lead_summary (customer_id)`);
    await q.query(`
      CREATE TABLE leads.lead_engagement (
        engagement_id text PRIMARY KEY,
        lead_id uuid NOT NULL,
        kind text NOT NULL,
        channel text NOT NULL,
        occurred_at timestamptz NOT NULL,
        summary text
      )`);
    await q.query(`CREATE INDEX lead_engagement_lead_idx ON leads.lead_engagement (lead_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE leads.lead_engagement`);
    await q.query(`DROP TABLE leads.lead_summary`);
  }
}
