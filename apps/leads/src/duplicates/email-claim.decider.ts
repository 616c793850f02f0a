import { createHash } from 'node:crypto';
import { conflict, type Decider, type DomainEvent } from '@crm/decider';

/**
 * One e-mail, one lead. A claim stream per normalised e-mail (named by its hash, so no personal
 * data sits in a stream name) is appended with "no stream expected": of two racing captures
 * exactly one wins, and the other learns the winner's lead id.
 *
 * A capture claims the e-mail first and appends the lead after; a crash in between leaves a claim
 * whose lead was never written. Such an orphaned claim can be taken over (`ReclaimOrphanedEmail`,
 * decided by the caller from the lead stream and the claim's age), naming the lead it replaces so
 * that of two racing takeovers only one wins.
 */
export type LeadEmailClaimed = DomainEvent<
  'LeadEmailClaimed',
  { leadId: string; customerId: string; replacesLeadId?: string }
>;

/** The customer was erased: their e-mail is free for whoever uses it next. */
export type LeadEmailReleased = DomainEvent<
  'LeadEmailReleased',
  { leadId: string; customerId: string; reason: 'customer_erased' }
>;

export type EmailClaimEvent = LeadEmailClaimed | LeadEmailReleased;

export type EmailClaimCommand =
  | { type: 'ClaimEmail'; data: { leadId: string; customerId: string } }
  | { type: 'ReclaimOrphanedEmail'; data: { leadId: string; customerId: string; orphanedLeadId: string } }
  | { type: 'ReleaseErasedEmail'; data: { leadId: string; customerId: string } };

export type ClaimState = { status: 'unclaimed' } | { status: 'claimed'; leadId: string; customerId: string };

const taken = (leadId: string) =>
  conflict('LEAD_EMAIL_TAKEN', 'a lead with this e-mail already exists', { existingLeadId: leadId });

export const emailClaimDecider: Decider<EmailClaimCommand, ClaimState, EmailClaimEvent> = {
  initialState: () => ({ status: 'unclaimed' }),
  decide: (command, state) => {
    const { leadId, customerId } = command.data;
    if (command.type === 'ReleaseErasedEmail') {
      // Only the erased customer's own claim goes; a later lead's claim on the e-mail stays.
      if (state.status !== 'claimed' || state.leadId !== leadId) return [];
      return [{ type: 'LeadEmailReleased', data: { leadId, customerId, reason: 'customer_erased' } }];
    }
    if (state.status === 'unclaimed') return [{ type: 'LeadEmailClaimed', data: { leadId, customerId } }];
    if (state.leadId === leadId) return [];
    if (command.type === 'ReclaimOrphanedEmail' && state.leadId === command.data.orphanedLeadId)
      return [{ type: 'LeadEmailClaimed', data: { leadId, customerId, replacesLeadId: state.leadId } }];
    throw taken(state.leadId);
  },
  evolve: (_state, event) =>
    event.type === 'LeadEmailReleased'
      ? { status: 'unclaimed' }
      : { status: 'claimed', leadId: event.data.leadId, customerId: event.data.customerId },
};

export const emailClaimStreamId = (normalisedEmail: string) =>
  `leadEmail-${createHash('sha256').update(normalisedEmail).digest('hex')}`;
