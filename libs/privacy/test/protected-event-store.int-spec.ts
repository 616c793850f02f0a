import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { ERASED } from '@crm/contracts';
import { PostgresEventStore, type NewEvent } from '@crm/event-store';
import { testDatabaseUrl } from '@crm/test-support';
import {
  KeyRing,
  PersonalDataCipher,
  PostgresKeyVault,
  ProtectedEventStore,
  SealBrokenError,
} from '@crm/privacy';

jest.setTimeout(60_000);

const suffix = randomBytes(5).toString('hex');
const vaultSchema = `key_vault_test_${suffix}`;
const storeSchema = `privacy_store_test_${suffix}`;
const keys = KeyRing.parse(`test:${randomBytes(32).toString('base64')}`);
const pool = new Pool({ connectionString: testDatabaseUrl(), max: 6 });

const vault = (options: { cacheMs?: number; now?: () => number } = {}) =>
  new PostgresKeyVault({ pool, keys, schema: vaultSchema, ...options });
const raw = new PostgresEventStore({ pool, schema: storeSchema, pollIntervalMs: 20 });
const keyVault = vault();
const store = new ProtectedEventStore(raw, new PersonalDataCipher(keyVault));

const at = '2026-11-29T08:00:00.000Z';
function captured(customerId: string, leadId = randomUUID()): NewEvent {
  return {
    id: randomUUID(),
    type: 'LeadCaptured',
    data: {
      leadId,
      customerId,
      personName: 'Ada Lovelace',
      companyName: 'Analytical Engines Ltd',
      email: 'ada@example.org',
      channel: 'web_form',
      source: {},
      customerType: 'prospect',
      interests: ['crm'],
      capturedAt: at,
    },
    metadata: {
      customerId,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
      occurredAt: at,
    },
  };
}
const assigned = (customerId: string, leadId: string): NewEvent => ({
  id: randomUUID(),
  type: 'LeadAssigned',
  data: { leadId, ownerId: 'rep-1', method: 'manual' },
  metadata: {
    customerId,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
    occurredAt: at,
  },
});

async function storedPayloads(streamId: string): Promise<string[]> {
  const { rows } = await pool.query<{ data: string }>(
    `select data::text as data from ${escapeIdentifier(storeSchema)}.es_events where stream_id = $1 order by revision`,
    [streamId],
  );
  return rows.map((r) => r.data);
}

beforeAll(async () => {
  await Promise.all([keyVault.migrate(), vault().migrate(), vault().migrate()]);
  await raw.migrate();
});

afterAll(async () => {
  await pool.query(`drop schema if exists ${escapeIdentifier(vaultSchema)} cascade`);
  await pool.query(`drop schema if exists ${escapeIdentifier(storeSchema)} cascade`);
  await raw.close();
  await pool.end();
});

describe('personal data sealed in the event store (real PostgreSQL)', () => {
  it('stores personal values sealed, gives them back open to the aggregate, and sealed to the global log', async () => {
    const customerId = randomUUID();
    const stream = `lead-${randomUUID()}`;
    await store.append(stream, [captured(customerId)], 'no_stream');

    const [stored] = await storedPayloads(stream);
    expect(stored).not.toMatch(/Ada|Lovelace|ada@example\.org/);
    expect(stored).toContain('Analytical Engines Ltd');
    expect(stored).toContain('"pii:v1:');

    const [read] = await store.readStream(stream);
    expect(read.data).toMatchObject({ personName: 'Ada Lovelace', email: 'ada@example.org' });
    const published = (await store.readAll()).find((e) => e.streamId === stream)!;
    expect(JSON.stringify(published.data)).not.toContain('ada@example.org');
  });

  it('never makes a key for a customer whose events hold no personal data', async () => {
    const customerId = randomUUID();
    const leadId = randomUUID();
    await store.append(`lead-${leadId}`, [assigned(customerId, leadId)], 'any');
    expect(await keyVault.openingKey(customerId)).toEqual({ status: 'none' });
  });

  it('after erasure: the same stored events read [erased], later ones are stored [erased], the rest stays', async () => {
    const customerId = randomUUID();
    const leadId = randomUUID();
    const stream = `lead-${leadId}`;
    await store.append(stream, [captured(customerId, leadId), assigned(customerId, leadId)], 'no_stream');
    const before = await storedPayloads(stream);

    const erasure = await keyVault.erase(customerId);
    expect(erasure.alreadyErased).toBe(false);
    expect((await keyVault.erase(customerId)).alreadyErased).toBe(true);

    expect(await storedPayloads(stream)).toEqual(before);
    const [lead, assignment] = await store.readStream(stream);
    expect(lead.data).toMatchObject({
      personName: ERASED,
      email: ERASED,
      companyName: 'Analytical Engines Ltd',
      leadId,
      customerId,
    });
    expect(assignment.data).toMatchObject({ ownerId: 'rep-1' });

    const late = `lead-${randomUUID()}`;
    await store.append(late, [captured(customerId)], 'no_stream');
    const [stored] = await storedPayloads(late);
    expect(stored).not.toMatch(/Ada|ada@example\.org|pii:v1:/);
    expect(JSON.parse(stored)).toMatchObject({ personName: ERASED, email: ERASED });
  });

  it('another process sees an erasure once its cached key expires, and its own at once', async () => {
    let clock = 0;
    const other = vault({ cacheMs: 1_000, now: () => clock });
    const customerId = randomUUID();
    expect((await other.sealingKey(customerId)).status).toBe('active');
    await keyVault.erase(customerId);
    expect((await other.openingKey(customerId)).status).toBe('active');
    clock += 1_001;
    expect((await other.openingKey(customerId)).status).toBe('erased');

    const mine = randomUUID();
    await other.sealingKey(mine);
    await other.erase(mine);
    expect((await other.openingKey(mine)).status).toBe('erased');
  });

  it('two writers making a new customer’s key at once agree on one key', async () => {
    const customerId = randomUUID();
    const [a, b] = [vault(), vault()];
    const [ka, kb] = await Promise.all([a.sealingKey(customerId), b.sealingKey(customerId)]);
    expect(ka.status === 'active' && kb.status === 'active' && ka.dataKey.equals(kb.dataKey)).toBe(true);
  });

  it('refuses a sealed value copied into another customer’s event', async () => {
    const [victim, thief] = [randomUUID(), randomUUID()];
    const stream = `lead-${randomUUID()}`;
    await store.append(stream, [captured(victim)], 'no_stream');
    const sealedEmail = (
      (await store.readAll()).find((e) => e.streamId === stream)!.data as { email: string }
    ).email;
    const cipher = new PersonalDataCipher(keyVault);
    await cipher.protect({ type: 'LeadCaptured', schemaVersion: 1, customerId: thief }, captured(thief).data);
    await expect(
      cipher.reveal(
        { type: 'LeadCaptured', schemaVersion: 1, customerId: thief },
        { ...(captured(thief).data as object), email: sealedEmail },
      ),
    ).rejects.toThrow(SealBrokenError);
  });
});
