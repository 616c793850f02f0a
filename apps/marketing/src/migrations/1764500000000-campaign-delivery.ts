import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The send ledger of campaigns: one row per (campaign, step, recipient), written pending before
 * anything is sent, claimed with FOR UPDATE SKIP LOCKED, marked sent or suppressed in the same
 * transaction that held it while the mail went out. Hand-written, never generated.
 */
export class CampaignDelivery1764500000000 implements MigrationInterface {
  name = 'CampaignDelivery1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS marketing`);
    await q.query(`
      CREATE TABLE marketing.campaign_delivery (
        campaign_id uuid NOT NULL,
        step int NOT NULL CHECK (step >= 0),
        customer_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'suppressed')),
        reason text,
        message_id text,
        attempted_at timestamptz,
        PRIMARY KEY (campaign_id, step, customer_id)
      )`);
    await q.query(
      `CREATE INDEX campaign_delivery_pending ON marketing.campaign_delivery (campaign_id, step) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE marketing.campaign_delivery`);
  }
}
