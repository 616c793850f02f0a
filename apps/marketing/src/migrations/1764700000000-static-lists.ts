import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Static lists: the read model of lists and their members (projected from `list-<listId>`), and
 * the CSV imports: the upload's rows, the import's progress (claimed FOR UPDATE SKIP LOCKED by the
 * import worker, one batch per transaction) and its rejected rows. Hand-written, never generated.
 */
export class StaticLists1764700000000 implements MigrationInterface {
  name = 'StaticLists1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS marketing`);
    await q.query(`
      CREATE TABLE marketing.static_list (
        list_id uuid PRIMARY KEY,
        name text NOT NULL,
        description text,
        created_at timestamptz NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE marketing.static_list_member (
        list_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        added_at timestamptz NOT NULL,
        import_id uuid,
        PRIMARY KEY (list_id, customer_id)
      )`);
    await q.query(`
      CREATE TABLE marketing.list_import (
        import_id uuid PRIMARY KEY,
        list_id uuid NOT NULL,
        state text NOT NULL DEFAULT 'uploading' CHECK (state IN ('uploading', 'processing', 'completed')),
        chunks int NOT NULL DEFAULT 0,
        chunk_hashes text[] NOT NULL DEFAULT '{}',
        lines int NOT NULL DEFAULT 0,
        total int NOT NULL DEFAULT 0,
        done int NOT NULL DEFAULT 0,
        done_line int NOT NULL DEFAULT 0,
        added int NOT NULL DEFAULT 0,
        rejected int NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        uploaded_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX list_import_processing ON marketing.list_import (created_at) WHERE state = 'processing'`,
    );
    await q.query(`
      CREATE TABLE marketing.list_import_row (
        import_id uuid NOT NULL,
        line int NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (import_id, line)
      )`);
    await q.query(`
      CREATE TABLE marketing.list_import_rejection (
        import_id uuid NOT NULL,
        line int NOT NULL,
        value text NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (import_id, line)
      )`);
    await q.query(`CREATE INDEX customer_profile_email_lower ON marketing.customer_profile (lower(email))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX marketing.customer_profile_email_lower`);
    await q.query(`DROP TABLE marketing.list_import_rejection`);
    await q.query(`DROP TABLE marketing.list_import_row`);
    await q.query(`DROP TABLE marketing.list_import`);
    await q.query(`DROP TABLE marketing.static_list_member`);
    await q.query(`DROP TABLE marketing.static_list`);
  }
}
