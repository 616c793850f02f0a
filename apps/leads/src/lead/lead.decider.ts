import { DomainError, notFound, ruleBroken, type Decider } from '@crm/decider';
import type {
  CustomerType,
  DisqualificationReason,
  EngagementKind,
  LeadCapturedV1,
  LeadChannel,
  SourceAttribution,
} from '@crm/contracts';
import type { LeadEvent } from './lead.events';
import { scoreLead, type ScoringRules } from './lead.scoring';

export interface LeadAssignment {
  ownerId: string;
  method: 'round_robin' | 'manual';
}

export type LeadStatus = 'new' | 'working' | 'qualified' | 'disqualified' | 'converted';

export type LeadCommand =
  | { type: 'CaptureLead'; data: Omit<LeadCapturedV1, 'capturedAt'> & { owner?: LeadAssignment; at: string } }
  | { type: 'AssignLead'; data: LeadAssignment }
  | {
      type: 'RecordEngagement';
      data: {
        engagementId: string;
        kind: EngagementKind;
        channel: LeadChannel;
        occurredAt: string;
        summary?: string;
        at: string;
      };
    }
  | { type: 'QualifyLead'; data: { rules: ScoringRules; at: string } }
  | { type: 'DisqualifyLead'; data: { reason: DisqualificationReason; notes?: string; at: string } }
  | { type: 'ConvertLead'; data: { at: string } };

export interface Lead {
  profile: LeadCapturedV1;
  status: LeadStatus;
  ownerId?: string;
  engagementCount: number;
  score?: number;
}

/** `undefined` until the lead is captured. */
export type LeadState = Lead | undefined;

const CLOSED: LeadStatus[] = ['converted', 'disqualified'];

function existing(state: LeadState): Lead {
  if (!state) throw notFound('LEAD_NOT_FOUND', 'no lead with this id');
  return state;
}

function open(state: LeadState): Lead {
  const lead = existing(state);
  if (CLOSED.includes(lead.status)) {
    throw ruleBroken('LEAD_CLOSED', `the lead is ${lead.status} and can no longer change`, {
      status: lead.status,
    });
  }
  return lead;
}

function decide(command: LeadCommand, state: LeadState): LeadEvent[] {
  switch (command.type) {
    case 'CaptureLead': {
      if (state)
        throw new DomainError('conflict', 'LEAD_ALREADY_EXISTS', 'a lead with this id already exists');
      const { owner, at, ...profile } = command.data;
      if (!profile.personName && !profile.companyName) {
        throw new DomainError(
          'validation',
          'LEAD_NAME_REQUIRED',
          'a lead needs a person name or a company name',
          {
            fields: ['personName', 'companyName'],
          },
        );
      }
      if (!profile.email && !profile.phone) {
        throw new DomainError(
          'validation',
          'LEAD_CONTACT_REQUIRED',
          'a lead needs an e-mail or a phone number',
          {
            fields: ['email', 'phone'],
          },
        );
      }
      const events: LeadEvent[] = [
        { type: 'LeadCaptured', data: { ...profile, capturedAt: at } },
        {
          type: 'CustomerLifecycleStageReached',
          data: {
            customerId: profile.customerId,
            stage: 'interest',
            reason: { aggregateType: 'lead', aggregateId: profile.leadId },
            reachedAt: at,
          },
        },
      ];
      if (owner) events.push({ type: 'LeadAssigned', data: { leadId: profile.leadId, ...owner } });
      return events;
    }
    case 'AssignLead': {
      const lead = open(state);
      if (lead.ownerId === command.data.ownerId) return [];
      return [
        {
          type: 'LeadAssigned',
          data: {
            leadId: lead.profile.leadId,
            ownerId: command.data.ownerId,
            method: command.data.method,
            ...(lead.ownerId ? { previousOwnerId: lead.ownerId } : {}),
          },
        },
      ];
    }
    case 'RecordEngagement': {
      const lead = open(state);
      const { at, ...engagement } = command.data;
      const events: LeadEvent[] = [
        { type: 'LeadEngagementRecorded', data: { leadId: lead.profile.leadId, ...engagement } },
      ];
      if (lead.status === 'new')
        events.push({ type: 'LeadWorkStarted', data: { leadId: lead.profile.leadId, startedAt: at } });
      return events;
    }
    case 'QualifyLead': {
      const lead = open(state);
      if (lead.status === 'qualified') return [];
      const { rules, at } = command.data;
      const score = scoreLead(
        {
          channel: lead.profile.channel,
          customerType: lead.profile.customerType as CustomerType,
          engagementCount: lead.engagementCount,
          companySize: lead.profile.companySize,
        },
        rules,
      );
      if (score.total < rules.qualificationThreshold) {
        throw ruleBroken(
          'LEAD_SCORE_TOO_LOW',
          `score ${score.total} is below the qualification threshold ${rules.qualificationThreshold}`,
          {
            score: score.total,
            threshold: rules.qualificationThreshold,
            breakdown: score.breakdown,
          },
        );
      }
      return [
        {
          type: 'LeadQualified',
          data: {
            leadId: lead.profile.leadId,
            score: score.total,
            scoreBreakdown: score.breakdown,
            qualifiedAt: at,
          },
        },
      ];
    }
    case 'DisqualifyLead': {
      const lead = existing(state);
      if (lead.status === 'disqualified') return [];
      if (lead.status === 'converted')
        throw ruleBroken('LEAD_ALREADY_CONVERTED', 'a converted lead cannot be disqualified');
      const { reason, notes, at } = command.data;
      return [
        {
          type: 'LeadDisqualified',
          data: { leadId: lead.profile.leadId, reason, ...(notes ? { notes } : {}), disqualifiedAt: at },
        },
      ];
    }
    case 'ConvertLead': {
      const lead = existing(state);
      if (lead.status === 'converted') return [];
      if (lead.status === 'disqualified')
        throw ruleBroken('LEAD_DISQUALIFIED', 'a disqualified lead cannot be converted');
      if (lead.status !== 'qualified' || lead.score === undefined) {
        throw ruleBroken('LEAD_NOT_QUALIFIED', 'only a qualified lead can be converted', {
          status: lead.status,
        });
      }
      if (!lead.ownerId) throw ruleBroken('LEAD_HAS_NO_OWNER', 'assign an owner before converting the lead');
      const p = lead.profile;
      return [
        {
          type: 'LeadConverted',
          data: {
            leadId: p.leadId,
            customerId: p.customerId,
            ...(p.personName ? { personName: p.personName } : {}),
            ...(p.companyName ? { companyName: p.companyName } : {}),
            ...(p.email ? { email: p.email } : {}),
            ...(p.phone ? { phone: p.phone } : {}),
            customerType: p.customerType,
            ...(p.companySize !== undefined ? { companySize: p.companySize } : {}),
            interests: p.interests,
            ownerId: lead.ownerId,
            channel: p.channel,
            source: p.source as SourceAttribution,
            score: lead.score,
            convertedAt: command.data.at,
          },
        },
      ];
    }
  }
}

function evolve(state: LeadState, event: LeadEvent): LeadState {
  if (event.type === 'LeadCaptured') return { profile: event.data, status: 'new', engagementCount: 0 };
  if (!state) return state;
  switch (event.type) {
    case 'LeadAssigned':
      return { ...state, ownerId: event.data.ownerId };
    case 'LeadEngagementRecorded':
      return { ...state, engagementCount: state.engagementCount + 1 };
    case 'LeadWorkStarted':
      return { ...state, status: 'working' };
    case 'LeadQualified':
      return { ...state, status: 'qualified', score: event.data.score };
    case 'LeadDisqualified':
      return { ...state, status: 'disqualified' };
    case 'LeadConverted':
      return { ...state, status: 'converted' };
    case 'CustomerLifecycleStageReached':
      return state;
  }
}

export const leadDecider: Decider<LeadCommand, LeadState, LeadEvent> = {
  initialState: () => undefined,
  decide,
  evolve,
};
