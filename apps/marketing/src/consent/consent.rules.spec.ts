import fc from 'fast-check';
import { CONSENT_CHANNELS, CONSENT_PURPOSES } from '@crm/contracts';
import { fold } from '@crm/decider';
import { consentDecider, type ConsentCommand } from './consent.decider';
import type { ConsentEvent } from './consent.events';
import { consentAt, type ConsentQuery } from './consent.rules';

const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const requestId = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const day = (d: number, hh = '10') => `2026-03-${String(d).padStart(2, '0')}T${hh}:00:00.000Z`;

/** The ledger the decider writes for these commands, in order (as the service would). */
function ledgerOf(...commands: ConsentCommand[]): ConsentEvent[] {
  const events: ConsentEvent[] = [];
  for (const command of commands)
    events.push(...consentDecider.decide(command, fold(consentDecider, events)));
  return events;
}
const grant = (
  at: string,
  over: Partial<Extract<ConsentCommand, { type: 'GrantConsent' }>['data']> = {},
): ConsentCommand => ({
  type: 'GrantConsent',
  data: {
    customerId,
    purpose: 'newsletter',
    channel: 'sms',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { formVersion: 'v3' },
    requestId,
    linkExpiresAt: day(28),
    at,
    ...over,
  },
});
const withdraw = (at: string, effectiveAt = at, channel: 'sms' | 'email' = 'sms'): ConsentCommand => ({
  type: 'WithdrawConsent',
  data: { customerId, purpose: 'newsletter', channel, source: 'call', effectiveAt, at },
});
const suppress = (at: string, channel?: 'email'): ConsentCommand => ({
  type: 'SuppressContact',
  data: { customerId, reason: channel ? 'hard_bounce' : 'complaint', ...(channel ? { channel } : {}), at },
});
const confirm = (at: string): ConsentCommand => ({
  type: 'ConfirmDoubleOptIn',
  data: { customerId, requestId, at },
});
const ask = (ledger: ConsentEvent[], at: string, asKnownAt: string, over: Partial<ConsentQuery> = {}) =>
  consentAt(ledger, { purpose: 'newsletter', channel: 'sms', at, asKnownAt, ...over });
const verdict = (ledger: ConsentEvent[], at: string, asKnownAt: string, over: Partial<ConsentQuery> = {}) => {
  const answer = ask(ledger, at, asKnownAt, over);
  return answer.allowed ? 'allowed' : answer.reason;
};

describe('consentAt: effective time and recorded time', () => {
  // A paper form signed on the 1st, typed in on the 10th.
  const ledger = ledgerOf(grant(day(10), { effectiveAt: day(1) }));

  it('answers as we knew it: unknown before it was recorded, in effect from the signature after', () => {
    expect(verdict(ledger, day(5), day(6))).toBe('no_consent');
    expect(verdict(ledger, day(5), day(11))).toBe('allowed');
    expect(verdict(ledger, day(1, '09'), day(11))).toBe('no_consent');
  });

  it('names the basis, source, evidence and the entry it rests on', () => {
    expect(ask(ledger, day(5), day(11))).toEqual({
      allowed: true,
      lawfulBasis: 'consent',
      source: 'web_form',
      evidence: { formVersion: 'v3' },
      basedOn: { type: 'ConsentGranted', effectiveAt: day(1), recordedAt: day(10) },
    });
  });

  it('changes its answer for a late-recorded withdrawal only as known after its recording', () => {
    // Granted on the 1st; the customer phoned to withdraw on the 4th; recorded on the 9th.
    const corrected = ledgerOf(grant(day(1)), withdraw(day(9), day(4)));
    expect(verdict(corrected, day(6), day(7))).toBe('allowed'); // what we believed on the 7th
    expect(verdict(corrected, day(6), day(9))).toBe('withdrawn'); // what we know since the 9th
    expect(verdict(corrected, day(3), day(20))).toBe('allowed'); // before the withdrawal took effect
    expect(ask(corrected, day(6), day(9))).toEqual({
      allowed: false,
      reason: 'withdrawn',
      basedOn: { type: 'ConsentWithdrawn', effectiveAt: day(4), recordedAt: day(9) },
    });
  });

  it('lets a grant after a withdrawal allow again, and keeps purposes and channels apart', () => {
    const ledger = ledgerOf(grant(day(1)), withdraw(day(2)), grant(day(3)));
    expect(verdict(ledger, day(2, '12'), day(20))).toBe('withdrawn');
    expect(verdict(ledger, day(4), day(20))).toBe('allowed');
    expect(verdict(ledger, day(4), day(20), { purpose: 'offers' })).toBe('no_consent');
    expect(verdict(ledger, day(4), day(20), { channel: 'phone' })).toBe('no_consent');
  });
});

describe('consentAt: double opt-in for e-mail', () => {
  const email = { channel: 'email' as const };
  const asked = grant(day(1), { channel: 'email', linkExpiresAt: day(3) });

  it('is pending until confirmed, and allowed from the confirmation as known after it', () => {
    const ledger = ledgerOf(asked, confirm(day(2)));
    expect(ask(ledger, day(1, '12'), day(20), email)).toMatchObject({
      allowed: false,
      reason: 'double_opt_in_pending',
      expiresAt: day(3),
    });
    expect(verdict(ledger, day(2, '12'), day(2, '11'), email)).toBe('allowed');
    expect(verdict(ledger, day(2, '12'), day(1, '12'), email)).toBe('double_opt_in_pending');
    expect(ask(ledger, day(5), day(5), email)).toMatchObject({
      allowed: true,
      evidence: { formVersion: 'v3', doubleOptInConfirmedAt: day(2) },
    });
  });

  it('is no consent once the link expired unconfirmed', () => {
    const ledger = ledgerOf(asked);
    expect(verdict(ledger, day(2), day(2), email)).toBe('double_opt_in_pending');
    expect(verdict(ledger, day(3), day(3), email)).toBe('no_consent');
    expect(() => ledgerOf(asked, confirm(day(4)))).toThrow('the confirmation link has expired');
  });

  it('is withdrawn when the customer withdrew while it was pending', () => {
    const ledger = ledgerOf(asked, withdraw(day(2), day(2), 'email'));
    expect(verdict(ledger, day(2, '12'), day(20), email)).toBe('withdrawn');
  });
});

describe('consentAt: suppression and lawful bases', () => {
  it('lets a suppression override every consent, on its channel or on all of them', () => {
    const ledger = ledgerOf(
      grant(day(1), { channel: 'email', lawfulBasis: 'legitimate_interest' }),
      grant(day(1)),
      suppress(day(5), 'email'),
    );
    expect(verdict(ledger, day(4), day(20), { channel: 'email' })).toBe('allowed');
    expect(ask(ledger, day(6), day(20), { channel: 'email' })).toMatchObject({
      allowed: false,
      reason: 'suppressed',
      suppression: 'hard_bounce',
    });
    expect(verdict(ledger, day(6), day(4), { channel: 'email' })).toBe('allowed'); // not known yet
    expect(verdict(ledger, day(6), day(20))).toBe('allowed'); // sms is not suppressed
    const global = ledgerOf(grant(day(1)), suppress(day(5)), grant(day(6), { lawfulBasis: 'contract' }));
    expect(verdict(global, day(7), day(20))).toBe('suppressed');
  });

  it('allows on a basis other than consent, and an objection ends it', () => {
    const ledger = ledgerOf(
      grant(day(1), { channel: 'email', lawfulBasis: 'contract', source: 'order' }),
      withdraw(day(4), day(4), 'email'),
    );
    expect(ask(ledger, day(2), day(2), { channel: 'email' })).toMatchObject({
      allowed: true,
      lawfulBasis: 'contract',
      source: 'order',
    });
    expect(verdict(ledger, day(5), day(5), { channel: 'email' })).toBe('withdrawn');
  });

  it('refuses a query with a time that is not an instant', () => {
    expect(() => ask([], 'yesterday', day(1))).toThrow(RangeError);
  });
});

/** PROPERTY_RUNS=5000 searches harder (not in CI). */
const runs = (usual: number) => Number(process.env.PROPERTY_RUNS ?? usual);
const instant = fc
  .integer({ min: 1, max: 28 * 24 })
  .map((h) => new Date(Date.UTC(2026, 2, 1, h)).toISOString());
const entry: fc.Arbitrary<ConsentEvent> = fc
  .record({
    kind: fc.constantFrom('grant', 'withdraw', 'suppress'),
    purpose: fc.constantFrom(...CONSENT_PURPOSES),
    channel: fc.constantFrom(...CONSENT_CHANNELS),
    effectiveAt: instant,
    recordedAt: instant,
  })
  .map(({ kind, purpose, channel, effectiveAt, recordedAt }): ConsentEvent => {
    const times = { effectiveAt, recordedAt };
    if (kind === 'suppress')
      return { type: 'ContactSuppressed', data: { customerId, reason: 'manual', channel, ...times } };
    if (kind === 'withdraw')
      return { type: 'ConsentWithdrawn', data: { customerId, purpose, channel, source: 'x', ...times } };
    return {
      type: 'ConsentGranted',
      data: { customerId, purpose, channel, lawfulBasis: 'contract', source: 'x', evidence: {}, ...times },
    };
  });
const query = fc.record({
  purpose: fc.constantFrom(...CONSENT_PURPOSES),
  channel: fc.constantFrom(...CONSENT_CHANNELS),
  at: instant,
  asKnownAt: instant,
});

describe('consentAt, for any ledger', () => {
  it('never changes what was known at K when entries are recorded after K', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 12 }),
        fc.array(entry, { maxLength: 6 }),
        query,
        (past, later, q) => {
          const recordedLater = later.map((e) => ({
            ...e,
            data: { ...e.data, recordedAt: new Date(Date.parse(q.asKnownAt) + 3_600_000).toISOString() },
          })) as ConsentEvent[];
          expect(consentAt([...past, ...recordedLater], q)).toEqual(consentAt(past, q));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('never allows a contact a suppression in effect and known covers', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), query, (ledger, q) => {
        const covering = ledger.some(
          (e) =>
            e.type === 'ContactSuppressed' &&
            e.data.channel === q.channel &&
            e.data.effectiveAt <= q.at &&
            e.data.recordedAt <= q.asKnownAt,
        );
        if (covering) expect(consentAt(ledger, q)).toMatchObject({ allowed: false, reason: 'suppressed' });
      }),
      { numRuns: runs(300) },
    );
  });

  it('does not depend on the order entries recorded at different times are read in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { maxLength: 10, selector: (e) => e.data.recordedAt }),
        query,
        (ledger, q) => {
          const inRecordingOrder = [...ledger].sort((a, b) =>
            a.data.recordedAt.localeCompare(b.data.recordedAt),
          );
          expect(consentAt([...inRecordingOrder].reverse(), q)).toEqual(consentAt(inRecordingOrder, q));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
