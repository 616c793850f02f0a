import { createHash } from 'node:crypto';
import { conflict, type Decider, type DomainEvent } from '@crm/decider';

/**
 * One e-mail, one lead. A claim stream per normalised e-mail (named by its hash, so no personal
 * data sits in a stream name) is appended with "no stream expected": of two racing captures
 * exactly one wins, and the other learns the winner's lead id.
 */
export type LeadEmailClaimed = DomainEvent<'LeadEmailClaimed', { leadId: string; customerId: string }>;

export interface ClaimEmail {
  type: 'ClaimEmail';
  data: { leadId: string; customerId: string };
}

export type ClaimState = { leadId: string; customerId: string } | undefined;

export const emailClaimDecider: Decider<ClaimEmail, ClaimState, LeadEmailClaimed> = {
  initialState: () => undefined,
  decide: ({ data }, state) => {
    if (!state) return [{ type: 'LeadEmailClaimed', data }];
    if (state.leadId === data.leadId) return [];
    throw conflict('LEAD_EMAIL_TAKEN', 'a lead with this e-mail already exists', {
      existingLeadId: state.leadId,
    });
  },
  evolve: (_state, event) => event.data,
};

export const emailClaimStreamId = (normalisedEmail: string) =>
  `leadEmail-${createHash('sha256').update(normalisedEmail).digest('hex')}`;
