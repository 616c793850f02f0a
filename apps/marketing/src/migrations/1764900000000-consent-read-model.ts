import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent read model for analysts and lists (projected from the consent ledger events by the
 * consumer `marketing-consents`): `consent_ledger` (per customer: the last revision of
 * `consent-<customerId>` taken, the entries without evidence, erasure), `consent` (the status per
 * purpose and channel) and `suppression` (one row per `ContactSuppressed`). Consent at send time
 * is still answered from the events, never from these tables. Hand-written, never generated.
 */
export class ConsentReadModel1764900000000 implements MigrationInterface {
  name = 'ConsentReadModel1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS marketing`);
    await q.query(`
      CREATE TABLE marketing.consent_ledger (
        customer_id uuid PRIMARY KEY,
        revision bigint NOT NULL,
        entries jsonb NOT NULL DEFAULT '[]',
        erased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE marketing.consent (
        customer_id uuid NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL CHECK (status IN ('granted', 'pending_double_opt_in', 'withdrawn', 'none')),
        lawful_basis text,
        source text,
        effective_at timestamptz,
        recorded_at timestamptz,
        expires_at timestamptz,
        as_of timestamptz NOT NULL,
        PRIMARY KEY (customer_id, purpose, channel)
      )`);
    await q.query(`CREATE INDEX consent_by_status ON marketing.consent (purpose, channel, status)`);
    await q.query(`
      CREATE TABLE marketing.suppression (
        customer_id uuid NOT NULL,
        revision bigint NOT NULL,
        channel text,
        reason text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'manual')),
        note text,
        effective_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, revision)
      )`);
    await q.query(
      `CREATE INDEX suppression_newest ON marketing.suppression (recorded_at DESC, customer_id DESC, revision DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE marketing.suppression`);
    await q.query(`DROP TABLE marketing.consent`);
    await q.query(`DROP TABLE marketing.consent_ledger`);
  }
}
