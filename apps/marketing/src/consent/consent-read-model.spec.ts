import { consentRowOf, withoutEvidence } from './consent-read-model';
import type { ConsentEvent } from './consent.events';

const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const requestId = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const of = { customerId, purpose: 'newsletter', channel: 'email' } as const;

const granted = (effective: number, recorded = effective): ConsentEvent => ({
  type: 'ConsentGranted',
  data: {
    ...of,
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { ip: '203.0.113.7' },
    effectiveAt: day(effective),
    recordedAt: day(recorded),
  },
});
const withdrawn = (effective: number, recorded = effective): ConsentEvent => ({
  type: 'ConsentWithdrawn',
  data: { ...of, source: 'call', effectiveAt: day(effective), recordedAt: day(recorded) },
});
const requested = (at: number, expires: number): ConsentEvent => ({
  type: 'DoubleOptInRequested',
  data: {
    ...of,
    requestId,
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: {},
    expiresAt: day(expires),
    effectiveAt: day(at),
    recordedAt: day(at),
  },
});
const suppressed: ConsentEvent = {
  type: 'ContactSuppressed',
  data: { customerId, reason: 'manual', note: 'no', effectiveAt: day(1), recordedAt: day(1) },
};
const row = (ledger: ConsentEvent[], asOf: number) => consentRowOf(ledger, 'newsletter', 'email', day(asOf));

describe('the consent read model’s row of a purpose and channel', () => {
  it('is granted on the grant’s basis and source, from its two times', () => {
    expect(row([granted(2, 3)], 3)).toEqual({
      purpose: 'newsletter',
      channel: 'email',
      status: 'granted',
      lawfulBasis: 'consent',
      source: 'web_form',
      effectiveAt: day(2),
      recordedAt: day(3),
      expiresAt: null,
      asOf: day(3),
    });
  });

  it('takes a late-recorded withdrawal effective earlier than the grant it overrides, not one effective before', () => {
    expect(row([granted(3), withdrawn(4, 6)], 6)).toMatchObject({
      status: 'withdrawn',
      lawfulBasis: null,
      source: 'call',
      effectiveAt: day(4),
      recordedAt: day(6),
    });
    // recorded last, but in effect before the grant: the grant decides
    expect(row([granted(3), withdrawn(2, 6)], 6)).toMatchObject({ status: 'granted', effectiveAt: day(3) });
  });

  it('is pending while a double opt-in request is open, with when its link expires; none once expired', () => {
    expect(row([requested(2, 5)], 2)).toMatchObject({
      status: 'pending_double_opt_in',
      lawfulBasis: 'consent',
      expiresAt: day(5),
      effectiveAt: day(2),
    });
    expect(row([requested(2, 5)], 6)).toMatchObject({ status: 'none', effectiveAt: null, source: null });
    expect(row([withdrawn(1), requested(2, 5)], 3)).toMatchObject({ status: 'pending_double_opt_in' });
  });

  it('leaves suppressions to their own table: a suppressed customer’s consent row still says granted', () => {
    expect(row([suppressed, granted(2)], 2)).toMatchObject({ status: 'granted' });
  });

  it('keeps neither the evidence nor a suppression’s note in the ledger copy', () => {
    expect(withoutEvidence(granted(2)).data).toMatchObject({ evidence: {} });
    expect(withoutEvidence(suppressed).data).not.toHaveProperty('note');
    expect(withoutEvidence(withdrawn(2))).toEqual(withdrawn(2));
  });
});
