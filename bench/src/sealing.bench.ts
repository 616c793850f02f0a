import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { mapPersonalData, personalDataSchema } from '@crm/contracts';
import { KeyRing, PersonalDataCipher, PostgresKeyVault } from '@crm/privacy';
import { round } from './stats';

export interface SealingFigures {
  events: number;
  /** Sealing a LeadCaptured's personal values with the customer's key (cached, as in a running service). */
  protectMicroseconds: number;
  /** Opening them again. */
  revealMicroseconds: number;
  /** Baseline, same run and payload: the same walk over the personal values, without cryptography. */
  walkOnlyMicroseconds: number;
  /** A customer's first event: their key made, wrapped and stored in the vault (real PostgreSQL). */
  firstKeyMicroseconds: number;
}

async function timePerCall(iterations: number, op: (i: number) => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op(i);
  return Number(process.hrtime.bigint() - started) / 1_000 / iterations;
}

/**
 * What sealing personal data costs per event, in process with the real key vault: protect and
 * reveal of a LeadCaptured (name, e-mail, phone, notes), against walking the same values with no
 * cryptography; and a new customer's first event, which makes and stores their data key.
 */
export async function benchSealing(databaseUrl: string, iterations: number): Promise<SealingFigures> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const schema = `bench_vault_${randomBytes(4).toString('hex')}`;
  const vault = new PostgresKeyVault({
    pool,
    schema,
    keys: KeyRing.parse(`bench:${randomBytes(32).toString('base64')}`),
  });
  const cipher = new PersonalDataCipher(vault);
  try {
    await vault.migrate();
    const customerId = randomUUID();
    const data = {
      leadId: randomUUID(),
      customerId,
      personName: 'Ana Pérez',
      companyName: 'Acme SA',
      email: 'ana.perez@example.com',
      phone: '+34600123456',
      channel: 'web_form',
      source: { utmSource: 'newsletter' },
      customerType: 'prospect',
      interests: ['erp'],
      notes: 'Prefers to be called in the morning',
      capturedAt: new Date().toISOString(),
    };
    const event = { type: 'LeadCaptured', schemaVersion: 1, customerId };
    const schemaOf = personalDataSchema('LeadCaptured', 1)!;
    const sealed = await cipher.protect(event, data);
    await timePerCall(Math.min(iterations, 500), () => cipher.protect(event, data)); // JIT warm-up
    const protectMicroseconds = await timePerCall(iterations, () => cipher.protect(event, data));
    const revealMicroseconds = await timePerCall(iterations, () => cipher.reveal(event, sealed));
    const walkOnlyMicroseconds = await timePerCall(iterations, () =>
      mapPersonalData(schemaOf, data, (v) => v),
    );
    const fresh = Array.from({ length: 200 }, () => randomUUID());
    const firstKeyMicroseconds = await timePerCall(fresh.length, (i) =>
      cipher.protect({ ...event, customerId: fresh[i] }, { ...data, customerId: fresh[i] }),
    );
    return {
      events: iterations,
      protectMicroseconds: round(protectMicroseconds),
      revealMicroseconds: round(revealMicroseconds),
      walkOnlyMicroseconds: round(walkOnlyMicroseconds),
      firstKeyMicroseconds: round(firstKeyMicroseconds),
    };
  } finally {
    await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`).catch(() => undefined);
    await pool.end();
  }
}
