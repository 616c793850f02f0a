import { deciderSpec } from '@crm/decider/testing';
import { consentDecider, type ConsentCommand } from './consent.decider';
import type { ConsentEvent } from './consent.events';

const spec = deciderSpec(consentDecider);
const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const requestId = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const day = (d: number, hh = '10') => `2026-03-${String(d).padStart(2, '0')}T${hh}:00:00.000Z`;

const grant = (
  over: Partial<Extract<ConsentCommand, { type: 'GrantConsent' }>['data']> = {},
): ConsentCommand => ({
  type: 'GrantConsent',
  data: {
    customerId,
    purpose: 'newsletter',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { formVersion: 'footer-v3', ip: '203.0.113.7' },
    requestId,
    linkExpiresAt: day(3),
    at: day(1),
    ...over,
  },
});
const requested = (at = day(1), expiresAt = day(3)): ConsentEvent => ({
  type: 'DoubleOptInRequested',
  data: {
    customerId,
    requestId,
    purpose: 'newsletter',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { formVersion: 'footer-v3', ip: '203.0.113.7' },
    expiresAt,
    effectiveAt: at,
    recordedAt: at,
  },
});
const confirm = (at: string): ConsentCommand => ({
  type: 'ConfirmDoubleOptIn',
  data: { customerId, requestId, at },
});
const confirmed = (at: string): ConsentEvent[] => [
  {
    type: 'DoubleOptInConfirmed',
    data: { customerId, requestId, purpose: 'newsletter', channel: 'email', effectiveAt: at, recordedAt: at },
  },
  {
    type: 'ConsentGranted',
    data: {
      customerId,
      purpose: 'newsletter',
      channel: 'email',
      lawfulBasis: 'consent',
      source: 'web_form',
      evidence: { formVersion: 'footer-v3', ip: '203.0.113.7', doubleOptInConfirmedAt: at },
      requestId,
      effectiveAt: at,
      recordedAt: at,
    },
  },
];
const withdraw = (at: string, effectiveAt?: string, channel: 'email' | 'sms' = 'email'): ConsentCommand => ({
  type: 'WithdrawConsent',
  data: {
    customerId,
    purpose: 'newsletter',
    channel,
    source: 'call',
    at,
    ...(effectiveAt ? { effectiveAt } : {}),
  },
});
const withdrawn = (at: string, effectiveAt = at, channel: 'email' | 'sms' = 'email'): ConsentEvent => ({
  type: 'ConsentWithdrawn',
  data: { customerId, purpose: 'newsletter', channel, source: 'call', effectiveAt, recordedAt: at },
});
const smsGranted = (effectiveAt: string, recordedAt = effectiveAt): ConsentEvent => ({
  type: 'ConsentGranted',
  data: {
    customerId,
    purpose: 'newsletter',
    channel: 'sms',
    lawfulBasis: 'consent',
    source: 'paper_form',
    evidence: { formVersion: 'store-v1' },
    effectiveAt,
    recordedAt,
  },
});

describe('consent ledger: granting', () => {
  it('asks an e-mail consent to be confirmed by double opt-in instead of granting it', () => {
    spec.given([]).when(grant()).then([requested()]);
  });

  it('grants other channels at once, effective when the customer gave it even if recorded later', () => {
    spec
      .given([])
      .when(
        grant({
          channel: 'sms',
          source: 'paper_form',
          evidence: { formVersion: 'store-v1' },
          effectiveAt: day(1),
          at: day(9),
        }),
      )
      .then([smsGranted(day(1), day(9))]);
  });

  it('grants e-mail at once on a lawful basis other than consent (legitimate interest, contract)', () => {
    spec
      .given([])
      .when(grant({ lawfulBasis: 'legitimate_interest', source: 'existing_customer', evidence: {} }))
      .then([
        {
          type: 'ConsentGranted',
          data: {
            customerId,
            purpose: 'newsletter',
            channel: 'email',
            lawfulBasis: 'legitimate_interest',
            source: 'existing_customer',
            evidence: {},
            effectiveAt: day(1),
            recordedAt: day(1),
          },
        },
      ]);
  });

  it('adds nothing when the same consent on the same basis is already in effect', () => {
    spec
      .given([smsGranted(day(1))])
      .when(grant({ channel: 'sms', at: day(5) }))
      .thenNothingHappens();
  });

  it('records a grant again after a withdrawal, and a new basis beside an old one', () => {
    spec
      .given([smsGranted(day(1)), withdrawn(day(2), day(2), 'sms')])
      .when(grant({ channel: 'sms', at: day(5), evidence: {} }))
      .thenMatches((events) => expect(events.map((e) => e.type)).toEqual(['ConsentGranted']));
    spec
      .given([smsGranted(day(1))])
      .when(grant({ channel: 'sms', lawfulBasis: 'contract', at: day(5) }))
      .thenMatches((events) => expect(events.map((e) => e.type)).toEqual(['ConsentGranted']));
  });

  it('refuses an entry that would take effect in the future: the ledger records what happened', () => {
    spec
      .given([])
      .when(grant({ channel: 'sms', effectiveAt: day(2) }))
      .thenThrows('CONSENT_EFFECTIVE_IN_FUTURE');
    spec
      .given([])
      .when(withdraw(day(1), day(2)))
      .thenThrows('CONSENT_EFFECTIVE_IN_FUTURE');
  });

  it('refuses a double opt-in whose link would be dead on arrival', () => {
    spec
      .given([])
      .when(grant({ linkExpiresAt: day(1) }))
      .thenThrows('DOUBLE_OPT_IN_LINK_EXPIRED');
  });
});

describe('consent ledger: double opt-in confirmation', () => {
  it('grants the consent with the confirmation as evidence, effective from the confirmation', () => {
    spec
      .given([requested()])
      .when(confirm(day(2)))
      .then(confirmed(day(2)));
  });

  it('refuses a link used twice (single use)', () => {
    spec
      .given([requested(), ...confirmed(day(2))])
      .when(confirm(day(2, '11')))
      .thenThrows('DOUBLE_OPT_IN_ALREADY_CONFIRMED');
  });

  it('refuses an expired request, and one of another customer or never made', () => {
    spec
      .given([requested()])
      .when(confirm(day(3)))
      .thenThrows('DOUBLE_OPT_IN_EXPIRED');
    spec
      .given([])
      .when(confirm(day(2)))
      .thenThrows('DOUBLE_OPT_IN_NOT_FOUND');
    spec
      .given([requested()])
      .when({ type: 'ConfirmDoubleOptIn', data: { customerId: requestId, requestId, at: day(2) } })
      .thenThrows('CONSENT_LEDGER_MISMATCH');
  });

  it('refuses a confirmation after the customer withdrew what was asked', () => {
    spec
      .given([requested(), withdrawn(day(1, '12'))])
      .when(confirm(day(2)))
      .thenThrows('DOUBLE_OPT_IN_WITHDRAWN');
  });
});

describe('consent ledger: withdrawal and suppression', () => {
  it('records a withdrawal, back-dated to when the customer asked', () => {
    spec
      .given([smsGranted(day(1))])
      .when(withdraw(day(9), day(4), 'sms'))
      .then([withdrawn(day(9), day(4), 'sms')]);
  });

  it('records an opt-out with no consent on file (an objection), and a pending request is withdrawn too', () => {
    spec
      .given([])
      .when(withdraw(day(2)))
      .then([withdrawn(day(2))]);
    spec
      .given([requested()])
      .when(withdraw(day(2)))
      .then([withdrawn(day(2))]);
  });

  it('adds nothing for a repeated withdrawal, but keeps an earlier-effective correction', () => {
    spec
      .given([withdrawn(day(2))])
      .when(withdraw(day(3)))
      .thenNothingHappens();
    spec
      .given([withdrawn(day(5))])
      .when(withdraw(day(6), day(3)))
      .then([withdrawn(day(6), day(3))]);
  });

  it('suppresses every channel or one, once', () => {
    const hardBounce: ConsentCommand = {
      type: 'SuppressContact',
      data: { customerId, reason: 'hard_bounce', channel: 'email', at: day(4) },
    };
    const suppressed: ConsentEvent = {
      type: 'ContactSuppressed',
      data: { customerId, reason: 'hard_bounce', channel: 'email', effectiveAt: day(4), recordedAt: day(4) },
    };
    spec.given([]).when(hardBounce).then([suppressed]);
    spec.given([suppressed]).when(hardBounce).thenNothingHappens();
    const global: ConsentCommand = {
      type: 'SuppressContact',
      data: { customerId, reason: 'complaint', at: day(5) },
    };
    spec
      .given([suppressed])
      .when(global)
      .then([
        {
          type: 'ContactSuppressed',
          data: { customerId, reason: 'complaint', effectiveAt: day(5), recordedAt: day(5) },
        },
      ]);
  });

  it('keeps the note of a suppression, and a global suppression covers a later one of a channel', () => {
    const manual: ConsentCommand = {
      type: 'SuppressContact',
      data: { customerId, reason: 'manual', note: 'asked by phone never to be called', at: day(4) },
    };
    const everywhere: ConsentEvent = {
      type: 'ContactSuppressed',
      data: {
        customerId,
        reason: 'manual',
        note: 'asked by phone never to be called',
        effectiveAt: day(4),
        recordedAt: day(4),
      },
    };
    spec.given([]).when(manual).then([everywhere]);
    spec
      .given([everywhere])
      .when({
        type: 'SuppressContact',
        data: { customerId, reason: 'complaint', channel: 'sms', at: day(5) },
      })
      .thenNothingHappens();
  });

  describe('a complaint (an abuse report of a campaign e-mail)', () => {
    const complaint: ConsentCommand = {
      type: 'RecordComplaint',
      data: { customerId, purpose: 'newsletter', source: 'complaint', note: 'abuse', at: day(6) },
    };
    const suppressed: ConsentEvent = {
      type: 'ContactSuppressed',
      data: {
        customerId,
        reason: 'complaint',
        channel: 'email',
        note: 'abuse',
        effectiveAt: day(6),
        recordedAt: day(6),
      },
    };
    const withdrawn: ConsentEvent = {
      type: 'ConsentWithdrawn',
      data: {
        customerId,
        purpose: 'newsletter',
        channel: 'email',
        source: 'complaint',
        effectiveAt: day(6),
        recordedAt: day(6),
      },
    };
    const granted: ConsentEvent = {
      type: 'ConsentGranted',
      data: {
        customerId,
        purpose: 'newsletter',
        channel: 'email',
        lawfulBasis: 'consent',
        source: 'web_form',
        evidence: {},
        effectiveAt: day(2),
        recordedAt: day(2),
      },
    };

    it('suppresses e-mail and withdraws the purpose’s e-mail consent, together', () => {
      spec.given([granted]).when(complaint).then([suppressed, withdrawn]);
    });

    it('records only what the ledger does not say yet, and nothing the second time', () => {
      spec.given([granted, suppressed]).when(complaint).then([withdrawn]);
      spec.given([granted, withdrawn]).when(complaint).then([suppressed]);
      spec.given([granted, suppressed, withdrawn]).when(complaint).thenNothingHappens();
    });
  });
});
