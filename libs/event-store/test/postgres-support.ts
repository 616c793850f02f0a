import { randomBytes } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_test';

/** A pool on the test database and a schema name no other test file uses. */
export function testDatabase(max = 10): { pool: Pool; schema: string; drop: () => Promise<void> } {
  const pool = new Pool({ connectionString: DATABASE_URL, max });
  const schema = `es_test_${randomBytes(6).toString('hex')}`;
  return {
    pool,
    schema,
    drop: async () => {
      try {
        await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
      } finally {
        await pool.end();
      }
    },
  };
}
