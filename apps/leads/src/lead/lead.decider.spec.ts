import { deciderSpec } from '@crm/decider/testing';
import { leadDecider, type LeadCommand } from './lead.decider';
import type { LeadEvent } from './lead.events';
import { DEFAULT_SCORING_RULES } from './lead.scoring';

const at = '2026-11-23T10:00:00.000Z';
const leadId = '11111111-1111-4111-8111-111111111111';
const customerId = '22222222-2222-4222-8222-222222222222';
const profile = {
  leadId,
  customerId,
  personName: 'Ana Pérez',
  companyName: 'Acme SA',
  email: 'ana@acme.example',
  channel: 'referral' as const,
  source: { campaignId: 'spring' },
  customerType: 'prospect' as const,
  companySize: 300,
  interests: ['erp'],
};
const captured: LeadEvent = { type: 'LeadCaptured', data: { ...profile, capturedAt: at } };
const assigned: LeadEvent = {
  type: 'LeadAssigned',
  data: { leadId, ownerId: 'rep-1', method: 'round_robin' },
};
const engaged: LeadEvent = {
  type: 'LeadEngagementRecorded',
  data: { leadId, engagementId: 'e1', kind: 'call', channel: 'phone', occurredAt: at },
};
const workStarted: LeadEvent = { type: 'LeadWorkStarted', data: { leadId, startedAt: at } };
// referral 25 + prospect 10 + one engagement 10 + 250+ employees 20 = 65
const qualified: LeadEvent = {
  type: 'LeadQualified',
  data: {
    leadId,
    score: 65,
    scoreBreakdown: { channel: 25, customerType: 10, engagements: 10, companySize: 20 },
    qualifiedAt: at,
  },
};
const disqualified: LeadEvent = {
  type: 'LeadDisqualified',
  data: { leadId, reason: 'no_budget', disqualifiedAt: at },
};

const capture = (data: Partial<Extract<LeadCommand, { type: 'CaptureLead' }>['data']> = {}): LeadCommand => ({
  type: 'CaptureLead',
  data: { ...profile, at, ...data },
});
const qualify: LeadCommand = { type: 'QualifyLead', data: { rules: DEFAULT_SCORING_RULES, at } };
const convert: LeadCommand = { type: 'ConvertLead', data: { at } };

const spec = deciderSpec(leadDecider);

describe('lead decider', () => {
  describe('capturing', () => {
    it('captures a new lead, marks the customer as interested, and assigns the owner it was given', () =>
      spec
        .given([])
        .when(capture({ owner: { ownerId: 'rep-1', method: 'round_robin' } }))
        .then([
          captured,
          {
            type: 'CustomerLifecycleStageReached',
            data: {
              customerId,
              stage: 'interest',
              reason: { aggregateType: 'lead', aggregateId: leadId },
              reachedAt: at,
            },
          },
          assigned,
        ]));

    it('refuses a second capture of the same lead', () =>
      spec.given([captured]).when(capture()).thenThrows('LEAD_ALREADY_EXISTS'));

    it('needs a person or a company name', () =>
      spec
        .given([])
        .when(capture({ personName: undefined, companyName: undefined }))
        .thenThrows('LEAD_NAME_REQUIRED'));

    it('needs a way to reach the lead', () =>
      spec
        .given([])
        .when(capture({ email: undefined, phone: undefined }))
        .thenThrows('LEAD_CONTACT_REQUIRED'));
  });

  describe('engaging', () => {
    const engage: LeadCommand = {
      type: 'RecordEngagement',
      data: { engagementId: 'e1', kind: 'call', channel: 'phone', occurredAt: at, at },
    };
    it('moves a new lead into work on its first engagement', () =>
      spec.given([captured]).when(engage).then([engaged, workStarted]));
    it('records further engagements without another status change', () =>
      spec
        .given([captured, engaged, workStarted])
        .when({ ...engage, data: { ...engage.data, engagementId: 'e2' } })
        .then([{ ...engaged, data: { ...engaged.data, engagementId: 'e2' } } as LeadEvent]));
    it('refuses engagements on a disqualified lead', () =>
      spec.given([captured, disqualified]).when(engage).thenThrows('LEAD_CLOSED'));
    it('refuses engagements on an unknown lead', () =>
      spec.given([]).when(engage).thenThrows('LEAD_NOT_FOUND'));
  });

  describe('qualifying', () => {
    it('qualifies with the score the rules give', () =>
      spec.given([captured, engaged, workStarted]).when(qualify).then([qualified]));
    it('refuses a lead scoring below the threshold', () =>
      spec
        .given([{ ...captured, data: { ...captured.data, channel: 'import', companySize: 5 } } as LeadEvent])
        .when(qualify)
        .thenThrows('LEAD_SCORE_TOO_LOW'));
    it('uses the configured rules', () =>
      spec
        .given([captured])
        .when({
          type: 'QualifyLead',
          data: { rules: { ...DEFAULT_SCORING_RULES, qualificationThreshold: 500 }, at },
        })
        .thenThrows('LEAD_SCORE_TOO_LOW'));
    it('does nothing for a lead that is already qualified', () =>
      spec.given([captured, qualified]).when(qualify).thenNothingHappens());
  });

  describe('disqualifying', () => {
    const disqualify: LeadCommand = { type: 'DisqualifyLead', data: { reason: 'no_budget', at } };
    it('disqualifies with a reason', () => spec.given([captured]).when(disqualify).then([disqualified]));
    it('cannot disqualify a converted lead', () =>
      spec
        .given([captured, assigned, qualified, { type: 'LeadConverted', data: {} } as LeadEvent])
        .when(disqualify)
        .thenThrows('LEAD_ALREADY_CONVERTED'));
  });

  describe('converting', () => {
    it('hands a qualified, owned lead over to acquisition', () =>
      spec
        .given([captured, assigned, engaged, workStarted, qualified])
        .when(convert)
        .then([
          {
            type: 'LeadConverted',
            data: {
              leadId,
              customerId,
              personName: 'Ana Pérez',
              companyName: 'Acme SA',
              email: 'ana@acme.example',
              customerType: 'prospect',
              companySize: 300,
              interests: ['erp'],
              ownerId: 'rep-1',
              channel: 'referral',
              source: { campaignId: 'spring' },
              score: 65,
              convertedAt: at,
            },
          },
        ]));
    it('refuses to convert a disqualified lead', () =>
      spec.given([captured, assigned, disqualified]).when(convert).thenThrows('LEAD_DISQUALIFIED'));
    it('refuses to convert a lead that was never qualified', () =>
      spec.given([captured, assigned]).when(convert).thenThrows('LEAD_NOT_QUALIFIED'));
    it('refuses to convert a lead nobody owns', () =>
      spec.given([captured, qualified]).when(convert).thenThrows('LEAD_HAS_NO_OWNER'));
  });

  describe('assigning', () => {
    it('records the previous owner on reassignment', () =>
      spec
        .given([captured, assigned])
        .when({ type: 'AssignLead', data: { ownerId: 'rep-2', method: 'manual' } })
        .then([
          {
            type: 'LeadAssigned',
            data: { leadId, ownerId: 'rep-2', method: 'manual', previousOwnerId: 'rep-1' },
          },
        ]));
    it('does nothing when the owner does not change', () =>
      spec
        .given([captured, assigned])
        .when({ type: 'AssignLead', data: { ownerId: 'rep-1', method: 'manual' } })
        .thenNothingHappens());
  });
});
