import type {
  ConsentChannel,
  ConsentEvidence,
  ConsentPurpose,
  LawfulBasis,
  SuppressionReason,
} from '@crm/contracts';
import type { ConsentEvent } from './consent.events';

/**
 * The consent ledger read bitemporally: "could we contact this customer on this channel for this
 * purpose at time T, as we knew it at time K?", answered from the customer's ledger events alone.
 *
 * An entry counts when it was recorded by K (`recordedAt <= K`) and is in effect by T
 * (`effectiveAt <= T`). Among the grants and withdrawals of the purpose and channel that count, the
 * one effective last decides (equal effective times: the one recorded last, a correction). So a
 * withdrawal recorded late, effective earlier, changes the answer for every T after its effect,
 * but only as known from its recording on: asked as of before it, the answer stays what we
 * believed then. A suppression that counts (of this channel, or of every channel) overrides
 * everything. E-mail consent takes effect only through a confirmed double opt-in: while a request
 * is unconfirmed and unexpired at T, the answer is "pending".
 */
export interface ConsentQuery {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  /** T: the time the contact would happen. */
  at: string;
  /** K: what the ledger held at this time (recorded by then). */
  asKnownAt: string;
}

export const CONSENT_DENIALS = ['no_consent', 'withdrawn', 'suppressed', 'double_opt_in_pending'] as const;
export type ConsentDenial = (typeof CONSENT_DENIALS)[number];

/** The ledger entry an answer rests on: what a regulator would be shown. */
export interface LedgerEntry {
  type: ConsentEvent['type'];
  effectiveAt: string;
  recordedAt: string;
}

export type ConsentAnswer =
  | {
      allowed: true;
      lawfulBasis: LawfulBasis;
      source: string;
      evidence: ConsentEvidence;
      basedOn: LedgerEntry;
    }
  | {
      allowed: false;
      reason: ConsentDenial;
      /** The entry that denies (a withdrawal, a suppression, the pending request); none: no entry at all. */
      basedOn?: LedgerEntry;
      suppression?: SuppressionReason;
      /** For a pending double opt-in: when its link expires. */
      expiresAt?: string;
    };

/** E-mail consent (on the basis of consent) needs the customer's confirmation through a signed link. */
export const needsDoubleOptIn = (channel: ConsentChannel, lawfulBasis: LawfulBasis): boolean =>
  channel === 'email' && lawfulBasis === 'consent';

const ms = (iso: string) => Date.parse(iso);
const entryOf = (event: ConsentEvent): LedgerEntry => ({
  type: event.type,
  effectiveAt: event.data.effectiveAt,
  recordedAt: event.data.recordedAt,
});

type Decisive = Extract<ConsentEvent, { type: 'ConsentGranted' | 'ConsentWithdrawn' }>;
type Request = Extract<ConsentEvent, { type: 'DoubleOptInRequested' }>;

const isOf =
  (purpose: ConsentPurpose, channel: ConsentChannel) =>
  (event: ConsentEvent): boolean =>
    event.type !== 'ContactSuppressed' && event.data.purpose === purpose && event.data.channel === channel;

/** Later in effect, or equally effective and recorded later (a correction), or written later. */
const laterThan = (a: { event: ConsentEvent; index: number }, b: { event: ConsentEvent; index: number }) =>
  ms(a.event.data.effectiveAt) - ms(b.event.data.effectiveAt) ||
  ms(a.event.data.recordedAt) - ms(b.event.data.recordedAt) ||
  a.index - b.index;

/**
 * The grant or withdrawal of a purpose and channel that decides, among the events given (the
 * latest in effect); undefined when there is none.
 */
export function decisiveEntry(
  events: readonly ConsentEvent[],
  purpose: ConsentPurpose,
  channel: ConsentChannel,
): Decisive | undefined {
  const of = isOf(purpose, channel);
  let best: { event: ConsentEvent; index: number } | undefined;
  events.forEach((event, index) => {
    if ((event.type !== 'ConsentGranted' && event.type !== 'ConsentWithdrawn') || !of(event)) return;
    if (!best || laterThan({ event, index }, best) > 0) best = { event, index };
  });
  return best?.event as Decisive | undefined;
}

/** Requests of this purpose and channel not confirmed among `events` and not expired at `at`. */
export function openRequests(
  events: readonly ConsentEvent[],
  purpose: ConsentPurpose,
  channel: ConsentChannel,
  at: string,
): Request[] {
  const confirmed = new Set(
    events.flatMap((e) => (e.type === 'DoubleOptInConfirmed' ? [e.data.requestId] : [])),
  );
  const of = isOf(purpose, channel);
  return events.filter(
    (e): e is Request =>
      e.type === 'DoubleOptInRequested' &&
      of(e) &&
      !confirmed.has(e.data.requestId) &&
      ms(e.data.expiresAt) > ms(at),
  );
}

/** The suppression in force for a channel among `events` (the first to take effect), if any. */
export function suppressionOf(
  events: readonly ConsentEvent[],
  channel: ConsentChannel,
): Extract<ConsentEvent, { type: 'ContactSuppressed' }> | undefined {
  return events
    .filter(
      (e): e is Extract<ConsentEvent, { type: 'ContactSuppressed' }> =>
        e.type === 'ContactSuppressed' && (e.data.channel === undefined || e.data.channel === channel),
    )
    .sort(
      (a, b) =>
        ms(a.data.effectiveAt) - ms(b.data.effectiveAt) || ms(a.data.recordedAt) - ms(b.data.recordedAt),
    )[0];
}

/** Whether the customer could be contacted on `channel` for `purpose` at T, as known at K. */
export function consentAt(events: readonly ConsentEvent[], query: ConsentQuery): ConsentAnswer {
  const T = ms(query.at);
  const K = ms(query.asKnownAt);
  if (Number.isNaN(T) || Number.isNaN(K)) throw new RangeError('at and asKnownAt must be ISO 8601 instants');
  const counted = events.filter((e) => ms(e.data.recordedAt) <= K && ms(e.data.effectiveAt) <= T);

  const suppression = suppressionOf(counted, query.channel);
  if (suppression)
    return {
      allowed: false,
      reason: 'suppressed',
      basedOn: entryOf(suppression),
      suppression: suppression.data.reason,
    };

  const decisive = decisiveEntry(counted, query.purpose, query.channel);
  if (decisive?.type === 'ConsentGranted') {
    const { lawfulBasis, source, evidence } = decisive.data;
    return { allowed: true, lawfulBasis, source, evidence, basedOn: entryOf(decisive) };
  }
  // A request after the last withdrawal is what the customer is being asked now.
  const pending = openRequests(counted, query.purpose, query.channel, query.at)
    .filter((r) => !decisive || ms(r.data.effectiveAt) > ms(decisive.data.effectiveAt))
    .sort(
      (a, b) =>
        ms(a.data.effectiveAt) - ms(b.data.effectiveAt) || ms(a.data.recordedAt) - ms(b.data.recordedAt),
    )
    .at(-1);
  if (pending)
    return {
      allowed: false,
      reason: 'double_opt_in_pending',
      basedOn: entryOf(pending),
      expiresAt: pending.data.expiresAt,
    };
  if (decisive) return { allowed: false, reason: 'withdrawn', basedOn: entryOf(decisive) };
  return { allowed: false, reason: 'no_consent' };
}
