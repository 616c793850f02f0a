import type { ConsentChannel, ConsentPurpose, LawfulBasis } from '@crm/contracts';
import type { ConsentEvent } from './consent.events';
import { consentAt } from './consent.rules';

/** What `marketing.consent` says of a purpose and channel; `none`: no entry in force. */
export const CONSENT_STATUSES = ['granted', 'pending_double_opt_in', 'withdrawn', 'none'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** A row of `marketing.consent`: the status as of `asOf` and the ledger entry it rests on. */
export interface ConsentRow {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  status: ConsentStatus;
  /** Of the grant, or of the pending request; null for a withdrawal or none. */
  lawfulBasis: LawfulBasis | null;
  source: string | null;
  effectiveAt: string | null;
  recordedAt: string | null;
  /** A pending double opt-in: when its link expires (after that the request grants nothing). */
  expiresAt: string | null;
  /** The recording time of the customer's latest ledger entry: what the status is as of. */
  asOf: string;
}

/**
 * The ledger as the read model keeps it: the entries without their evidence (the IP address is
 * personal data and the proof stays in the events) nor a suppression's note.
 */
export function withoutEvidence(event: ConsentEvent): ConsentEvent {
  switch (event.type) {
    case 'ConsentGranted':
    case 'DoubleOptInRequested':
      return { ...event, data: { ...event.data, evidence: {} } } as ConsentEvent;
    case 'ContactSuppressed': {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the note stays out
      const { note, ...data } = event.data;
      return { ...event, data };
    }
    default:
      return event;
  }
}

const sameEntry =
  (
    type: ConsentEvent['type'],
    purpose: ConsentPurpose,
    channel: ConsentChannel,
    basedOn?: { effectiveAt: string; recordedAt: string },
  ) =>
  (e: ConsentEvent) =>
    e.type === type &&
    e.type !== 'ContactSuppressed' &&
    e.data.purpose === purpose &&
    e.data.channel === channel &&
    e.data.effectiveAt === basedOn?.effectiveAt &&
    e.data.recordedAt === basedOn?.recordedAt;

/**
 * The consent of a purpose and channel as the ledger answers it at `asOf` as known at `asOf`
 * (`consentAt`, the same rules the campaigns' send-time check uses), suppressions left out:
 * they are rows of `marketing.suppression`.
 */
export function consentRowOf(
  ledger: readonly ConsentEvent[],
  purpose: ConsentPurpose,
  channel: ConsentChannel,
  asOf: string,
): ConsentRow {
  const entries = ledger.filter((e) => e.type !== 'ContactSuppressed');
  const answer = consentAt(entries, { purpose, channel, at: asOf, asKnownAt: asOf });
  const row = { purpose, channel, asOf, expiresAt: null };
  if (answer.allowed)
    return {
      ...row,
      status: 'granted',
      lawfulBasis: answer.lawfulBasis,
      source: answer.source,
      effectiveAt: answer.basedOn.effectiveAt,
      recordedAt: answer.basedOn.recordedAt,
    };
  const entry = answer.basedOn
    ? entries.find(sameEntry(answer.basedOn.type, purpose, channel, answer.basedOn))
    : undefined;
  const times = {
    effectiveAt: answer.basedOn?.effectiveAt ?? null,
    recordedAt: answer.basedOn?.recordedAt ?? null,
  };
  if (entry?.type === 'DoubleOptInRequested')
    return {
      ...row,
      ...times,
      status: 'pending_double_opt_in',
      lawfulBasis: entry.data.lawfulBasis,
      source: entry.data.source,
      expiresAt: entry.data.expiresAt,
    };
  if (entry?.type === 'ConsentWithdrawn')
    return { ...row, ...times, status: 'withdrawn', lawfulBasis: null, source: entry.data.source };
  return { ...row, status: 'none', lawfulBasis: null, source: null, effectiveAt: null, recordedAt: null };
}
