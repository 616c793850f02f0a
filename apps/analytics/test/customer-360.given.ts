import { randomUUID } from 'node:crypto';
import type { CaseType, LifecycleStage } from '@crm/contracts';
import { fact, type Fact } from './projection.given';
import { STANDARD_SLA } from '@crm/test-support';

/**
 * A small population for the customer 360: customer C (the subject) and four other customers
 * A, B, D, E whose won orders the RFM quintiles rank C among. Times are 10:00 UTC unless said.
 *
 * Won orders (amount):
 *   A: 06-29 (100)                          B: 05-01 (200), 06-20 (200)
 *   C: 01-10 (300), 03-10 (300), 05-10 (400) D: 04-01, 04-06, 04-13, 04-20 (50 each)
 *   E: 02-01, 02-08, 02-15, 02-22, 03-01 (400 each)
 * C's stages: interest 01-05, acquisition 01-10, retention 03-10, at_risk 06-02 12:00, expansion 07-15.
 * C's cases: a service request (chat) opened 05-20, solved 05-21, rated 4 on 06-05; a complaint
 * (phone) opened 06-01, still open, first response clock breached 06-01 11:00, NPS 5 on 06-02.
 * C's marketing: campaign message sent 06-10 (e-mail), link clicked 06-10 11:00.
 */
export const C = randomUUID();
export const OTHERS = { A: randomUUID(), B: randomUUID(), D: randomUUID(), E: randomUUID() };

const at = (day: string, time = '10:00:00') => `2026-${day}T${time}.000Z`;

const won = (customerId: string, amount: number, day: string): Fact =>
  fact('OpportunityWon', {
    opportunityId: randomUUID(),
    accountId: randomUUID(),
    customerId,
    ownerId: 'rep-7',
    previousStage: 'negotiation',
    openedAt: at('01-01'),
    amount,
    currency: 'EUR',
    wonAt: at(day),
  });

const stage = (s: LifecycleStage, context: string, reachedAt: string): Fact =>
  fact(
    'CustomerLifecycleStageReached',
    { customerId: C, stage: s, reason: { aggregateType: 'Test', aggregateId: randomUUID() }, reachedAt },
    { context },
  );

const caseOpened = (caseId: string, caseType: CaseType, channel: 'chat' | 'phone', openedAt: string) =>
  fact('CaseOpened', {
    caseId,
    customerId: C,
    knownCustomer: true,
    requester: { name: 'Charles Babbage' },
    channel,
    caseType,
    priority: 'normal',
    subject: 'Charles has a problem',
    queue: 'support',
    sla: STANDARD_SLA,
    openedAt,
  });

const serviceRequest = randomUUID();
const complaint = randomUUID();
const campaignId = randomUUID();

export function customer360Events(): Fact[] {
  return [
    fact('LeadCaptured', {
      leadId: randomUUID(),
      customerId: C,
      personName: 'Charles Babbage',
      email: 'charles@example.com',
      channel: 'email',
      source: {},
      customerType: 'prospect',
      interests: [],
      capturedAt: at('01-05'),
    }),
    stage('interest', 'leads', at('01-05')),
    fact('AccountOpened', {
      accountId: randomUUID(),
      customerId: C,
      profile: {
        name: 'Charles Babbage',
        kind: 'person',
        customerType: 'prospect',
        address: { country: 'fr' },
      },
      ownerId: 'rep-7',
      openedAt: at('01-10'),
    }),
    stage('acquisition', 'pipeline', at('01-10')),
    won(C, 300, '01-10'),
    won(C, 300, '03-10'),
    stage('retention', 'service', at('03-10')),
    won(C, 400, '05-10'),
    caseOpened(serviceRequest, 'service_request', 'chat', at('05-20')),
    fact(
      'CaseStatusChanged',
      { caseId: serviceRequest, from: 'new', to: 'solved', changedAt: at('05-21') },
      { customerId: C },
    ),
    caseOpened(complaint, 'complaint', 'phone', at('06-01')),
    fact(
      'SlaBreached',
      {
        caseId: complaint,
        clock: 'first_response',
        targetMinutes: 60,
        dueAt: at('06-01', '11:00:00'),
        priority: 'normal',
        breachedAt: at('06-01', '11:00:00'),
      },
      { customerId: C },
    ),
    fact('NetPromoterScoreGiven', {
      caseId: serviceRequest,
      customerId: C,
      score: 5,
      category: 'detractor',
      givenAt: at('06-02'),
    }),
    stage('at_risk', 'service', at('06-02', '12:00:00')),
    fact('CaseRated', { caseId: serviceRequest, customerId: C, score: 4, ratedAt: at('06-05') }),
    fact('CampaignMessageSent', {
      campaignId,
      step: 0,
      customerId: C,
      messageId: '<c@crm>',
      sentAt: at('06-10'),
    }),
    fact('CampaignResponseRecorded', {
      campaignId,
      step: 0,
      customerId: C,
      kind: 'click',
      respondedAt: at('06-10', '11:00:00'),
    }),
    stage('expansion', 'pipeline', at('07-15')),
    won(OTHERS.A, 100, '06-29'),
    won(OTHERS.B, 200, '05-01'),
    won(OTHERS.B, 200, '06-20'),
    ...['04-01', '04-06', '04-13', '04-20'].map((day) => won(OTHERS.D, 50, day)),
    ...['02-01', '02-08', '02-15', '02-22', '03-01'].map((day) => won(OTHERS.E, 400, day)),
  ];
}
