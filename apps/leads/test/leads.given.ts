import { randomUUID } from 'node:crypto';
import type { LeadCapturedV1 } from '@crm/contracts';
import { InProcessService, type GivenEvent } from '@crm/test-support';
import { emailClaimStreamId } from '../src/duplicates/email-claim.decider';
import { LeadsConfig } from '../src/leads.config';
import { LeadsModule } from '../src/leads.module';

/** The owners of the round robin in these specs. */
export const OWNERS = ['rep-1', 'rep-2', 'rep-3'];

/** The leads service in process: its own database, no Kafka. */
export function startLeads(): Promise<InProcessService> {
  return InProcessService.start({
    name: 'leads',
    Config: LeadsConfig,
    module: (config) => LeadsModule.forRoot(config),
    env: { LEAD_OWNERS: OWNERS.join(',') },
    eventStoreSchema: 'leads_eventstore',
  });
}

const at = '2026-05-04T09:30:00.000Z';

/**
 * A lead's ids and builders of the events its stream may hold, as the decider writes them. The
 * lead came by referral (25 points), a prospect (10) of no given company size: 35 points, below
 * the default threshold (40) until an engagement (10 each) lifts it to 45.
 */
export function aLead(profile: Partial<LeadCapturedV1> = {}) {
  const leadId = randomUUID();
  const customerId = randomUUID();
  const captured: LeadCapturedV1 = {
    leadId,
    customerId,
    personName: 'Ana Pérez',
    email: `ana.${leadId.slice(0, 8)}@example.com`,
    channel: 'referral',
    source: {},
    customerType: 'prospect',
    interests: [],
    capturedAt: at,
    ...profile,
  };
  const event = (type: string, data: object): GivenEvent => ({ type, data: { leadId, ...data } });
  return {
    leadId,
    customerId,
    email: captured.email!,
    stream: `lead-${leadId}`,
    path: `/leads/${leadId}`,
    captured: (): GivenEvent => ({ type: 'LeadCaptured', data: captured }),
    interest: (): GivenEvent => ({
      type: 'CustomerLifecycleStageReached',
      data: {
        customerId,
        stage: 'interest',
        reason: { aggregateType: 'lead', aggregateId: leadId },
        reachedAt: at,
      },
    }),
    assigned: (ownerId = OWNERS[0]) => event('LeadAssigned', { ownerId, method: 'manual' }),
    engaged: () =>
      event('LeadEngagementRecorded', {
        engagementId: randomUUID(),
        kind: 'meeting',
        channel: 'event',
        occurredAt: at,
      }),
    workStarted: () => event('LeadWorkStarted', { startedAt: at }),
    qualified: (score = 45) =>
      event('LeadQualified', {
        score,
        scoreBreakdown: { channel: 25, customerType: 10, engagements: 10, companySize: 0 },
        qualifiedAt: at,
      }),
    disqualified: () => event('LeadDisqualified', { reason: 'no_budget', disqualifiedAt: at }),
    converted: (ownerId = OWNERS[0], score = 45) =>
      event('LeadConverted', {
        customerId,
        personName: captured.personName,
        email: captured.email,
        customerType: 'prospect',
        interests: [],
        ownerId,
        channel: captured.channel,
        source: {},
        score,
        convertedAt: at,
      }),
    /** The claim of its e-mail, as a capture leaves it. */
    emailClaim: (): [string, GivenEvent[]] => [
      emailClaimStreamId(captured.email!),
      [{ type: 'LeadEmailClaimed', data: { leadId, customerId } }],
    ],
  };
}

export type GivenLead = ReturnType<typeof aLead>;

/** A captured lead with its owner and an engagement: working, scoring 45 with the defaults. */
export const workingLead = (lead: GivenLead) => [
  lead.captured(),
  lead.interest(),
  lead.assigned(),
  lead.engaged(),
  lead.workStarted(),
];
