import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The campaign an opportunity came from (a cross-sell or up-sell response of a customer, consumer
 * `opportunity-from-campaign`), beside the lead it came from. Hand-written, never generated.
 */
export class OpportunityCampaignSource1765100000000 implements MigrationInterface {
  name = 'OpportunityCampaignSource1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pipeline.opportunity ADD COLUMN from_campaign_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pipeline.opportunity DROP COLUMN from_campaign_id`);
  }
}
