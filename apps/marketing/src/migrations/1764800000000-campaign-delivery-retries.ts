import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The send ledger learns two outcomes: `bounced` (the recipient's server refused the message for
 * good) and a deferral (a temporary SMTP failure or an unreachable server: the row stays pending,
 * with its attempts counted and the time before which no sender claims it again), so one failing
 * recipient never holds the others back. Hand-written, never generated.
 */
export class CampaignDeliveryRetries1764800000000 implements MigrationInterface {
  name = 'CampaignDeliveryRetries1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE marketing.campaign_delivery DROP CONSTRAINT campaign_delivery_status_check`);
    await q.query(
      `ALTER TABLE marketing.campaign_delivery ADD CONSTRAINT campaign_delivery_status_check
         CHECK (status IN ('pending', 'sent', 'suppressed', 'bounced'))`,
    );
    await q.query(`ALTER TABLE marketing.campaign_delivery ADD COLUMN attempts int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE marketing.campaign_delivery ADD COLUMN retry_at timestamptz`);
    await q.query(`ALTER TABLE marketing.campaign_delivery ADD COLUMN last_error text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE marketing.campaign_delivery DROP COLUMN last_error`);
    await q.query(`ALTER TABLE marketing.campaign_delivery DROP COLUMN retry_at`);
    await q.query(`ALTER TABLE marketing.campaign_delivery DROP COLUMN attempts`);
    await q.query(`ALTER TABLE marketing.campaign_delivery DROP CONSTRAINT campaign_delivery_status_check`);
    await q.query(
      `ALTER TABLE marketing.campaign_delivery ADD CONSTRAINT campaign_delivery_status_check
         CHECK (status IN ('pending', 'sent', 'suppressed'))`,
    );
  }
}
