import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign responses, the leads they became, and revenue attributed to campaigns (see README.md,
 * "Responses, leads and attribution"). Hand-written, never generated.
 */
export class CampaignResponses1764600000000 implements MigrationInterface {
  name = 'CampaignResponses1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS marketing`);
    await q.query(`
      CREATE TABLE marketing.campaign_response (
        campaign_id uuid NOT NULL,
        step int NOT NULL CHECK (step >= 0),
        customer_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('open', 'click', 'reply', 'form')),
        url text,
        responded_at timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, step, customer_id, kind)
      )`);
    await q.query(`CREATE INDEX campaign_response_customer ON marketing.campaign_response (customer_id)`);
    await q.query(`
      CREATE TABLE marketing.campaign_lead (
        campaign_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        step int NOT NULL,
        kind text NOT NULL,
        responded_at timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, customer_id)
      )`);
    await q.query(`
      CREATE TABLE marketing.campaign_attribution (
        opportunity_id uuid NOT NULL,
        model text NOT NULL CHECK (model IN ('first_touch', 'last_touch', 'linear')),
        campaign_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        share numeric NOT NULL,
        revenue numeric NOT NULL,
        currency text NOT NULL,
        won_at timestamptz NOT NULL,
        PRIMARY KEY (opportunity_id, model, campaign_id)
      )`);
    await q.query(
      `CREATE INDEX campaign_attribution_campaign ON marketing.campaign_attribution (campaign_id)`,
    );
    await q.query(
      `CREATE INDEX campaign_delivery_sent_to ON marketing.campaign_delivery (customer_id) WHERE status = 'sent'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX marketing.campaign_delivery_sent_to`);
    await q.query(`DROP TABLE marketing.campaign_attribution`);
    await q.query(`DROP TABLE marketing.campaign_lead`);
    await q.query(`DROP TABLE marketing.campaign_response`);
  }
}
