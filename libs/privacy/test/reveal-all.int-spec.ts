import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { ERASED } from '@crm/contracts';
import { testDatabaseUrl } from '@crm/test-support';
import {
  KeyRing,
  PersonalDataCipher,
  PostgresKeyVault,
  SealBrokenError,
  type EventIdentity,
} from '@crm/privacy';

jest.setTimeout(60_000);

const schema = `key_vault_batch_${randomBytes(5).toString('hex')}`;
const keys = KeyRing.parse(`test:${randomBytes(32).toString('base64')}`);
const pool = new Pool({ connectionString: testDatabaseUrl(), max: 4 });
const vault = () => new PostgresKeyVault({ pool, keys, schema });

const identity = (customerId: string, type = 'LeadCaptured'): EventIdentity => ({
  type,
  schemaVersion: 1,
  customerId,
});
const captured = (customerId: string, name: string) => ({
  leadId: randomUUID(),
  customerId,
  personName: name,
  email: `${name.toLowerCase()}@example.org`,
  channel: 'web_form',
  source: {},
  customerType: 'prospect',
  interests: [],
  capturedAt: '2026-11-29T08:00:00.000Z',
});

/** Counts the statements the vault's pool runs (to see one query for a batch of customers). */
function countQueries(): { count: () => number; restore: () => void } {
  const original = pool.query.bind(pool);
  let count = 0;
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    count++;
    return (original as (...a: unknown[]) => unknown)(...args);
  };
  return { count: () => count, restore: () => ((pool as unknown as { query: unknown }).query = original) };
}

beforeAll(() => vault().migrate());

afterAll(async () => {
  await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
  await pool.end();
});

describe('revealing a batch of events (real PostgreSQL)', () => {
  it('opens what reveal opens, event by event, with the keys of all customers read in one query', async () => {
    const sealer = new PersonalDataCipher(vault());
    const [ada, bob, erased] = [randomUUID(), randomUUID(), randomUUID()];
    const events = await Promise.all(
      [
        [ada, 'Ada'],
        [bob, 'Bob'],
        [ada, 'Ada2'],
        [erased, 'Eve'],
      ].map(async ([customerId, name]) => ({
        event: identity(customerId),
        data: await sealer.protect(identity(customerId), captured(customerId, name)),
      })),
    );
    await vault().erase(erased);
    const plain = { event: identity(bob, 'LeadAssigned'), data: { leadId: randomUUID(), ownerId: 'rep-1' } };
    const batch = [...events, plain];

    const one = new PersonalDataCipher(vault());
    const expected = await Promise.all(batch.map(({ event, data }) => one.reveal(event, data)));
    const queries = countQueries();
    let revealed: unknown[];
    try {
      revealed = await new PersonalDataCipher(vault()).revealAll(batch);
    } finally {
      queries.restore();
    }
    expect(queries.count()).toBe(1);
    expect(revealed).toEqual(expected);
    expect(revealed[0]).toMatchObject({ personName: 'Ada', email: 'ada@example.org' });
    expect(revealed[2]).toMatchObject({ personName: 'Ada2' });
    expect(revealed[3]).toMatchObject({ personName: ERASED, email: ERASED });
    expect(revealed[4]).toBe(plain.data);
  });

  it('answers every customer asked, cached ones without a query, unknown ones as none', async () => {
    const sealer = new PersonalDataCipher(vault());
    const known = randomUUID();
    await sealer.protect(identity(known), captured(known, 'Known'));
    const keyVault = vault();
    const first = await keyVault.openingKeys([known, known]);
    expect(first.get(known)?.status).toBe('active');
    const unknown = randomUUID();
    const queries = countQueries();
    try {
      const again = await keyVault.openingKeys([known]);
      expect(again.get(known)).toBe(first.get(known));
      expect(queries.count()).toBe(0);
      expect((await keyVault.openingKeys([unknown, known])).get(unknown)).toEqual({ status: 'none' });
      expect(queries.count()).toBe(1);
    } finally {
      queries.restore();
    }
  });

  it('refuses the whole batch when a sealed value was moved to another customer', async () => {
    const sealer = new PersonalDataCipher(vault());
    const [a, b] = [randomUUID(), randomUUID()];
    const sealed = (await sealer.protect(identity(a), captured(a, 'Ann'))) as Record<string, unknown>;
    await sealer.protect(identity(b), captured(b, 'Ben'));
    const moved = { ...captured(b, 'Ben'), personName: sealed.personName };
    await expect(
      new PersonalDataCipher(vault()).revealAll([
        { event: identity(a), data: sealed },
        { event: identity(b), data: moved },
      ]),
    ).rejects.toThrow(SealBrokenError);
  });
});
