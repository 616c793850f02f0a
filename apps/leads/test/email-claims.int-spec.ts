import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import type { CommandContext } from '@crm/contracts';
import { DomainError } from '@crm/decider';
import { PostgresEventStore } from '@crm/event-store';
import { loadConfig } from '@crm/service-kit';
import { emailClaimStreamId } from '../src/duplicates/email-claim.decider';
import { EmailClaims } from '../src/duplicates/email-claims';
import { LeadService } from '../src/lead/lead.service';
import { LeadsConfig } from '../src/leads.config';

jest.setTimeout(60_000);

const pool = new Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_test',
});
const schema = `leads_claims_${randomBytes(5).toString('hex')}`;
const store = new PostgresEventStore({ pool, schema });
const context = (): CommandContext => ({ commandId: randomUUID(), correlationId: randomUUID() });

beforeAll(() => store.migrate());
afterAll(async () => {
  await store.close();
  await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
  await pool.end();
});

/**
 * What a capture that crashed after claiming leaves behind: a claim whose lead was never written,
 * recorded `ageSeconds` ago.
 */
async function orphanClaim(email: string, ageSeconds: number): Promise<string> {
  const orphan = randomUUID();
  await new EmailClaims(store, { orphanAfterMs: 0 }).claim(
    email,
    { leadId: orphan, customerId: randomUUID() },
    context(),
  );
  await pool.query(
    `update ${escapeIdentifier(schema)}.es_events set recorded_at = now() - make_interval(secs => $2) where stream_id = $1`,
    [emailClaimStreamId(email), ageSeconds],
  );
  return orphan;
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('e-mail claims orphaned by a crash between claim and lead', () => {
  it('a later capture of that e-mail succeeds and owns the address from then on', async () => {
    const email = `orphan-${randomUUID()}@example.com`;
    const orphan = await orphanClaim(email, 3600);
    // The default window (30 s): the crash was an hour ago.
    const leads = new LeadService(store, loadConfig(LeadsConfig, {}));

    const { lead } = await leads.capture(
      { email, channel: 'web_form', personName: 'Ana' } as never,
      context(),
    );
    expect(lead.profile.email).toBe(email);
    const [claim] = await store.readStream(emailClaimStreamId(email), {
      direction: 'backwards',
      maxCount: 1,
    });
    expect(claim.data).toEqual({
      leadId: lead.profile.leadId,
      customerId: lead.profile.customerId,
      replacesLeadId: orphan,
    });

    // The address is taken again, by a lead that exists.
    const error = await refusal(leads.capture({ email, channel: 'phone' } as never, context()));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details).toEqual({ existingLeadId: lead.profile.leadId });
  });

  it('a claim younger than the window is still refused: its capture may be in flight', async () => {
    const email = `fresh-${randomUUID()}@example.com`;
    const orphan = await orphanClaim(email, 5);
    const claims = new EmailClaims(store, { orphanAfterMs: 60_000 });
    const error = await refusal(
      claims.claim(email, { leadId: randomUUID(), customerId: randomUUID() }, context()),
    );
    expect((error as DomainError).code).toBe('LEAD_EMAIL_TAKEN');
    expect((error as DomainError).details).toEqual({ existingLeadId: orphan });
  });

  it('of two captures taking over the same orphan, exactly one wins and the other is told who', async () => {
    const email = `race-${randomUUID()}@example.com`;
    await orphanClaim(email, 3600);
    const claims = new EmailClaims(store, { orphanAfterMs: 60_000 });
    const contenders = [randomUUID(), randomUUID()];
    const outcomes = await Promise.all(
      contenders.map((leadId) =>
        refusal(claims.claim(email, { leadId, customerId: randomUUID() }, context())),
      ),
    );
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
    const winner = contenders[outcomes.indexOf(undefined)];
    const loser = outcomes.find((o) => o !== undefined) as DomainError;
    expect(loser.code).toBe('LEAD_EMAIL_TAKEN');
    expect(loser.details).toEqual({ existingLeadId: winner });
    const events = await store.readStream(emailClaimStreamId(email));
    expect(events).toHaveLength(2);
  });
});
