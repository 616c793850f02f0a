import { randomUUID } from 'node:crypto';
import type { CasePriority, CaseType, LifecycleStage } from '@crm/contracts';
import { fact, type Fact } from './projection.given';
import { STANDARD_SLA } from '@crm/test-support';

/**
 * The population the dashboards' specs compute their figures by hand from. Times are 10:00 UTC of
 * 2026 unless said. The specs ask as of END (2026-06-30) and as of MID (2026-03-31).
 *
 * Customers and stages (channel from LeadCaptured; D has no lead: channel `unknown`):
 *   A (email): interest 01-05, acquisition 01-20, retention 03-01, expansion 05-01
 *   B (web_form): interest 01-10, acquisition 02-10, at_risk 04-10
 *   C (email): interest 02-03
 *   D: interest 2024-12-01, acquisition 2025-01-01, won 2025-01-01 (300), nothing since: churned
 *      (derived) at 2026-01-01
 * Opportunities (EUR): O1 (A) opened 01-10 1000 at 20 % pipeline, 01-15 60 % best_case, won 01-20;
 *   O2 (B) opened 02-01 800 at 50 %, won 02-10; O3 (A) opened 03-15 2000 at 30 %, won 05-01;
 *   O4 (C) opened 03-20 400 at 10 %, lost 04-20; plus A won 500 on 04-15 (no open version).
 * Cases (policy standard): K1 (A, high) opened 02-01, replied +30 min, solved +240 min, CSAT 5 and
 *   NPS 10 on 02-02; K2 (B, normal, complaint) opened 02-10, first-response breach 11:00, replied
 *   12:00, solved 02-12 10:00, CSAT 2 and NPS 3 on 02-13; K3 (A, high) opened 04-05, replied
 *   +10 min, resolution breach 04-06, NPS 9 on 04-07; K4 (C, normal) opened 04-10, nothing more.
 * Campaigns: M1 (email, offers) drafted 01-01 cost 100, cost recorded 01-05 (150 so far), sent to A
 *   and B 01-08, A clicked 01-09, B became its lead 01-09; M2 (email, newsletter) drafted 03-01
 *   cost 200, sent to A and C 04-01, C became its lead 04-02.
 */
export const END = '2026-06-30T00:00:00.000Z';
export const MID = '2026-03-31T00:00:00.000Z';

export const A = randomUUID();
export const B = randomUUID();
export const C = randomUUID();
export const D = randomUUID();
export const M1 = randomUUID();
export const M2 = randomUUID();

export const at = (day: string, time = '10:00:00', year = 2026) => `${year}-${day}T${time}.000Z`;

const stage = (customerId: string, s: LifecycleStage, reachedAt: string): Fact =>
  fact(
    'CustomerLifecycleStageReached',
    { customerId, stage: s, reason: { aggregateType: 'Test', aggregateId: randomUUID() }, reachedAt },
    {
      context: s === 'interest' ? 'leads' : s === 'acquisition' || s === 'expansion' ? 'pipeline' : 'service',
    },
  );

const lead = (customerId: string, channel: 'email' | 'web_form', capturedAt: string): Fact =>
  fact('LeadCaptured', {
    leadId: randomUUID(),
    customerId,
    personName: 'Someone',
    email: 'someone@example.com',
    channel,
    source: {},
    customerType: 'prospect',
    interests: [],
    capturedAt,
  });

const closed = (opportunityId: string, customerId: string) => ({
  opportunityId,
  accountId: randomUUID(),
  customerId,
  ownerId: 'rep-1',
  previousStage: 'negotiation',
  openedAt: at('01-01'),
});

const won = (customerId: string, amount: number, wonAt: string, opportunityId = randomUUID()): Fact =>
  fact('OpportunityWon', { ...closed(opportunityId, customerId), amount, currency: 'EUR', wonAt });

const opened = (
  opportunityId: string,
  customerId: string,
  amount: number,
  probability: number,
  openedAt: string,
) =>
  fact('OpportunityOpened', {
    opportunityId,
    accountId: randomUUID(),
    customerId,
    name: 'Deal',
    ownerId: 'rep-1',
    stage: 'qualification',
    probability,
    forecastCategory: 'pipeline',
    amount,
    currency: 'EUR',
    openedAt,
  });

const caseOpened = (
  caseId: string,
  customerId: string,
  priority: CasePriority,
  caseType: CaseType,
  openedAt: string,
) =>
  fact('CaseOpened', {
    caseId,
    customerId,
    knownCustomer: true,
    requester: { name: 'Someone' },
    channel: 'email',
    caseType,
    priority,
    subject: 'A problem',
    queue: 'support',
    sla: STANDARD_SLA,
    openedAt,
  });

const replied = (caseId: string, customerId: string, repliedAt: string) =>
  fact(
    'CaseReplied',
    {
      caseId,
      replyId: randomUUID(),
      author: { kind: 'agent', id: 'agent-1' },
      channel: 'email',
      visibility: 'public',
      body: 'Hello',
      repliedAt,
    },
    { customerId },
  );

const solved = (caseId: string, customerId: string, changedAt: string) =>
  fact('CaseStatusChanged', { caseId, from: 'open', to: 'solved', changedAt }, { customerId });

const breach = (
  caseId: string,
  customerId: string,
  clock: 'first_response' | 'resolution',
  breachedAt: string,
) =>
  fact(
    'SlaBreached',
    { caseId, clock, targetMinutes: 60, dueAt: breachedAt, priority: 'normal', breachedAt },
    { customerId },
  );

const csat = (caseId: string, customerId: string, score: number, ratedAt: string) =>
  fact('CaseRated', { caseId, customerId, score, ratedAt });

const nps = (caseId: string, customerId: string, score: number, givenAt: string) =>
  fact('NetPromoterScoreGiven', {
    caseId,
    customerId,
    score,
    category: score >= 9 ? 'promoter' : score <= 6 ? 'detractor' : 'passive',
    givenAt,
  });

const ORG = { customerId: '00000000-0000-0000-0000-000000000000' };

const campaign = (
  campaignId: string,
  name: string,
  purpose: 'offers' | 'newsletter',
  cost: number,
  draftedAt: string,
) =>
  fact(
    'CampaignDrafted',
    {
      campaignId,
      name,
      purpose,
      channel: 'email',
      audience: { kind: 'customers', customerIds: [A] },
      steps: [{ subject: 'Hello', body: 'Offers', waitDays: 0, onlyNonResponders: false }],
      budget: 1000,
      cost,
      currency: 'EUR',
      objective: 'acquisition',
      draftedAt,
    },
    ORG,
  );

const sent = (campaignId: string, customerId: string, sentAt: string) =>
  fact('CampaignMessageSent', {
    campaignId,
    step: 0,
    customerId,
    messageId: `<${randomUUID()}@crm>`,
    sentAt,
  });

const prospect = (campaignId: string, customerId: string, respondedAt: string) =>
  fact('CampaignProspectResponded', {
    campaignId,
    step: 0,
    customerId,
    kind: 'click',
    personName: 'Someone',
    email: 'someone@example.com',
    interests: [],
    respondedAt,
  });

export function dashboardEvents(): Fact[] {
  const [O1, O2, O3, O4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [K1, K2, K3, K4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  return [
    // Lifecycle and attributes.
    lead(A, 'email', at('01-05')),
    stage(A, 'interest', at('01-05')),
    stage(A, 'acquisition', at('01-20')),
    stage(A, 'retention', at('03-01')),
    stage(A, 'expansion', at('05-01')),
    lead(B, 'web_form', at('01-10')),
    stage(B, 'interest', at('01-10')),
    stage(B, 'acquisition', at('02-10')),
    stage(B, 'at_risk', at('04-10')),
    lead(C, 'email', at('02-03')),
    stage(C, 'interest', at('02-03')),
    stage(D, 'interest', at('12-01', '10:00:00', 2024)),
    stage(D, 'acquisition', at('01-01', '10:00:00', 2025)),
    won(D, 300, at('01-01', '10:00:00', 2025)),
    // Pipeline.
    opened(O1, A, 1000, 20, at('01-10')),
    fact(
      'OpportunityStageChanged',
      {
        opportunityId: O1,
        from: 'qualification',
        to: 'proposal',
        probability: 60,
        forecastCategory: 'best_case',
        changedAt: at('01-15'),
      },
      { customerId: A },
    ),
    won(A, 1000, at('01-20'), O1),
    opened(O2, B, 800, 50, at('02-01')),
    won(B, 800, at('02-10'), O2),
    opened(O3, A, 2000, 30, at('03-15')),
    opened(O4, C, 400, 10, at('03-20')),
    won(A, 500, at('04-15')),
    fact('OpportunityLost', { ...closed(O4, C), reason: 'price', lostAt: at('04-20') }),
    won(A, 2000, at('05-01'), O3),
    // Service.
    caseOpened(K1, A, 'high', 'service_request', at('02-01')),
    replied(K1, A, at('02-01', '10:30:00')),
    solved(K1, A, at('02-01', '14:00:00')),
    csat(K1, A, 5, at('02-02')),
    nps(K1, A, 10, at('02-02')),
    caseOpened(K2, B, 'normal', 'complaint', at('02-10')),
    breach(K2, B, 'first_response', at('02-10', '11:00:00')),
    replied(K2, B, at('02-10', '12:00:00')),
    solved(K2, B, at('02-12')),
    csat(K2, B, 2, at('02-13')),
    nps(K2, B, 3, at('02-13')),
    caseOpened(K3, A, 'high', 'service_request', at('04-05')),
    replied(K3, A, at('04-05', '10:10:00')),
    breach(K3, A, 'resolution', at('04-06')),
    nps(K3, A, 9, at('04-07')),
    caseOpened(K4, C, 'normal', 'service_request', at('04-10')),
    // Marketing.
    campaign(M1, 'Winter', 'offers', 100, at('01-01')),
    fact(
      'CampaignCostRecorded',
      { campaignId: M1, amount: 50, currency: 'EUR', item: 'design', cost: 150, recordedAt: at('01-05') },
      ORG,
    ),
    sent(M1, A, at('01-08')),
    sent(M1, B, at('01-08')),
    fact('CampaignResponseRecorded', {
      campaignId: M1,
      step: 0,
      customerId: A,
      kind: 'click',
      respondedAt: at('01-09'),
    }),
    prospect(M1, B, at('01-09')),
    campaign(M2, 'Spring', 'newsletter', 200, at('03-01')),
    sent(M2, A, at('04-01')),
    sent(M2, C, at('04-01')),
    prospect(M2, C, at('04-02')),
  ];
}
