import { randomUUID } from 'node:crypto';
import { deterministicUuid } from '../ids';
import {
  ContractViolationError,
  EVENT_CONTRACTS,
  assertValidEvent,
  isContractViolation,
  parseEvent,
} from './event-contracts';

const at = '2026-03-01T10:00:00.000Z';
const lead = randomUUID();
const customer = randomUUID();
const opportunity = deterministicUuid('opportunity-from-lead', lead); // v8 ids, as reactions make them
const quote = randomUUID();
const lines = [{ product: 'Licence', quantity: 3, unitPrice: 19.99, discountPercent: 15 }];
const totals = { subtotal: 59.97, discount: 9, total: 50.97, maxDiscountPercent: 15 };
const source = { utmSource: 'newsletter', campaignId: 'spring' };
const closed = {
  opportunityId: opportunity,
  accountId: customer,
  customerId: customer,
  ownerId: 'rep-1',
  previousStage: 'proposal',
  openedAt: at,
};

/** One payload per event type, shaped as the services' deciders write them today. */
const campaign = {
  campaignId: quote,
  name: 'Spring offers',
  purpose: 'offers',
  channel: 'email',
  audience: { kind: 'list', customerIds: [customer] },
  steps: [
    { subject: 'Spring offers', body: 'Hello {{name}}', waitDays: 0, onlyNonResponders: false },
    { subject: 'Last days', body: 'Still time, {{name}}', waitDays: 3, onlyNonResponders: true },
  ],
  budget: 1000,
  cost: 50,
  currency: 'EUR',
};

const PRODUCED: Record<keyof typeof EVENT_CONTRACTS, unknown> = {
  LeadCaptured: {
    leadId: lead,
    customerId: customer,
    personName: 'Olga Ruiz',
    email: 'olga@acme.example',
    channel: 'referral',
    source,
    customerType: 'prospect',
    companySize: 400,
    interests: [],
    capturedAt: at,
  },
  LeadAssigned: { leadId: lead, ownerId: 'rep-2', previousOwnerId: 'rep-1', method: 'manual' },
  LeadEngagementRecorded: {
    leadId: lead,
    engagementId: randomUUID(),
    kind: 'meeting',
    channel: 'event',
    occurredAt: at,
  },
  LeadWorkStarted: { leadId: lead, startedAt: at },
  LeadQualified: {
    leadId: lead,
    score: 55,
    scoreBreakdown: { channel: 25, customerType: 10, engagements: 10, companySize: 10 },
    qualifiedAt: at,
  },
  LeadDisqualified: { leadId: lead, reason: 'no_budget', disqualifiedAt: at },
  LeadConverted: {
    leadId: lead,
    customerId: customer,
    companyName: 'Acme',
    phone: '+34600000000',
    customerType: 'prospect',
    interests: ['erp'],
    ownerId: 'rep-1',
    channel: 'referral',
    source: {},
    score: 55,
    convertedAt: at,
  },
  CustomerLifecycleStageReached: {
    customerId: customer,
    stage: 'acquisition',
    previousStage: 'interest',
    reason: { aggregateType: 'opportunity', aggregateId: opportunity },
    reachedAt: at,
  },
  CustomerErased: { customerId: customer, reason: 'GDPR art. 17 request', erasedAt: at },
  CaseOpened: {
    caseId: lead,
    customerId: customer,
    knownCustomer: true,
    requester: { name: 'Ana Pérez', email: 'ana@example.com' },
    channel: 'email',
    caseType: 'complaint',
    priority: 'high',
    subject: 'Late delivery',
    queue: 'complaints',
    sla: {
      policyId: 'default',
      version: 1,
      firstResponseMinutes: 60,
      nextResponseMinutes: 120,
      resolutionMinutes: 960,
      warningShare: 0.75,
      escalateToQueue: 'tier-2',
    },
    openedAt: at,
  },
  CaseReplied: {
    caseId: lead,
    replyId: opportunity,
    author: { kind: 'agent', id: 'agent-1' },
    channel: 'email',
    visibility: 'public',
    body: 'We are on it.',
    repliedAt: at,
  },
  CaseStatusChanged: { caseId: lead, from: 'open', to: 'pending', changedAt: at },
  CaseAssigned: { caseId: lead, agentId: 'agent-1', method: 'least_loaded', assignedAt: at },
  CaseEscalated: {
    caseId: lead,
    fromQueue: 'complaints',
    toQueue: 'tier-2',
    priority: 'urgent',
    reason: 'sla_breached',
    escalatedAt: at,
  },
  SlaWarningReached: { caseId: lead, clock: 'first_response', targetMinutes: 60, dueAt: at, reachedAt: at },
  SlaBreached: {
    caseId: lead,
    clock: 'resolution',
    targetMinutes: 960,
    dueAt: at,
    priority: 'high',
    breachedAt: at,
  },
  CaseRated: { caseId: lead, customerId: customer, score: 5, ratedAt: at },
  NetPromoterScoreGiven: { caseId: lead, customerId: customer, score: 9, category: 'promoter', givenAt: at },
  CaseArticleLinked: { caseId: lead, articleId: quote, articleVersion: 2, linkedAt: at },
  BusinessCalendarPublished: {
    calendarId: 'default',
    version: 2,
    timeZone: 'Europe/Madrid',
    weekly: { '1': [{ start: '09:00', end: '18:00' }], '6': [{ start: '10:00', end: '24:00' }] },
    holidays: ['2026-12-25'],
    effectiveAt: at,
  },
  SlaPolicyPublished: {
    policyId: 'urgent.complaint',
    version: 1,
    priority: 'urgent',
    caseType: 'complaint',
    firstResponseMinutes: 15,
    nextResponseMinutes: 60,
    resolutionMinutes: 240,
    warningShare: 0.8,
    escalateToQueue: 'tier-2',
    effectiveAt: at,
  },
  SupportQueueConfigured: { queue: 'returns', assignment: 'round_robin', skill: 'returns', configuredAt: at },
  SupportAgentUpdated: { agentId: 'ana', skills: ['returns'], available: true, updatedAt: at },
  KnowledgeArticlePublished: {
    articleId: quote,
    version: 1,
    title: 'Reset your password',
    body: 'Open the sign-in page and choose "Forgot password".',
    tags: ['account', 'password'],
    audience: 'public',
    authorId: 'sam',
    publishedAt: at,
  },
  KnowledgeArticleRevised: {
    articleId: quote,
    version: 2,
    title: 'Reset your password',
    body: 'Choose "Forgot password" on the sign-in page; the link is valid for an hour.',
    tags: ['account', 'password'],
    audience: 'public',
    authorId: 'sue',
    revisedAt: at,
  },
  KnowledgeArticleArchived: { articleId: quote, version: 2, archivedBy: 'sue', archivedAt: at },
  AccountOpened: {
    accountId: customer,
    customerId: customer,
    profile: {
      name: 'Acme',
      kind: 'company',
      customerType: 'prospect',
      psychographics: { interests: ['erp'] },
    },
    ownerId: 'rep-1',
    fromLeadId: lead,
    openedAt: at,
  },
  AccountProfileUpdated: {
    accountId: customer,
    changes: { industry: 'retail', address: { city: 'Madrid' } },
    updatedAt: at,
  },
  ContactAdded: {
    accountId: customer,
    contactId: randomUUID(),
    name: 'Olga Ruiz',
    role: 'decision_maker',
    addedAt: at,
  },
  ContactUpdated: { accountId: customer, contactId: randomUUID(), changes: { title: 'CFO' }, updatedAt: at },
  AccountWinRecorded: {
    accountId: customer,
    opportunityId: opportunity,
    amount: 12000,
    currency: 'EUR',
    wonAt: at,
  },
  OpportunityOpened: {
    opportunityId: opportunity,
    accountId: customer,
    customerId: customer,
    name: 'Acme: erp',
    ownerId: 'rep-1',
    stage: 'prospecting',
    probability: 10,
    forecastCategory: 'pipeline',
    currency: 'EUR',
    fromLeadId: lead,
    openedAt: at,
  },
  OpportunityStageChanged: {
    opportunityId: opportunity,
    from: 'prospecting',
    to: 'negotiation',
    probability: 75,
    forecastCategory: 'commit',
    changedAt: at,
  },
  OpportunityDetailsChanged: {
    opportunityId: opportunity,
    changes: { amount: 12000, expectedCloseDate: '2026-12-15' },
    changedAt: at,
  },
  OpportunityWon: { ...closed, amount: 650.97, currency: 'EUR', quoteId: quote, wonAt: at },
  OpportunityLost: { ...closed, reason: 'competitor', lostAt: at },
  QuoteDrafted: {
    quoteId: quote,
    opportunityId: opportunity,
    customerId: customer,
    currency: 'EUR',
    lines,
    totals,
    approvalRequired: false,
    draftedAt: at,
  },
  QuoteRevised: { quoteId: quote, lines, totals, approvalRequired: true, revisedAt: at },
  QuoteDiscountApproved: { quoteId: quote, approvedBy: 'mia', maxDiscountPercent: 25, approvedAt: at },
  QuoteSent: { quoteId: quote, opportunityId: opportunity, total: 50.97, currency: 'EUR', sentAt: at },
  QuoteAccepted: {
    quoteId: quote,
    opportunityId: opportunity,
    total: 50.97,
    currency: 'EUR',
    acceptedAt: at,
  },
  QuoteRejected: { quoteId: quote, opportunityId: opportunity, rejectedAt: at },
  ConsentGranted: {
    customerId: customer,
    purpose: 'newsletter',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'double_opt_in',
    evidence: { formVersion: 'footer-v3', ip: '203.0.113.7', doubleOptInConfirmedAt: at },
    requestId: quote,
    effectiveAt: at,
    recordedAt: at,
  },
  ConsentWithdrawn: {
    customerId: customer,
    purpose: 'offers',
    channel: 'sms',
    source: 'call',
    effectiveAt: '2026-02-27T09:00:00.000Z',
    recordedAt: at,
  },
  DoubleOptInRequested: {
    customerId: customer,
    requestId: quote,
    purpose: 'newsletter',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { formVersion: 'footer-v3' },
    expiresAt: '2026-03-03T10:00:00.000Z',
    effectiveAt: at,
    recordedAt: at,
  },
  DoubleOptInConfirmed: {
    customerId: customer,
    requestId: quote,
    purpose: 'newsletter',
    channel: 'email',
    effectiveAt: at,
    recordedAt: at,
  },
  ContactSuppressed: {
    customerId: customer,
    reason: 'hard_bounce',
    channel: 'email',
    effectiveAt: at,
    recordedAt: at,
  },
  SegmentDefined: {
    segmentId: quote,
    name: 'Spanish prospects',
    rule: {
      all: [
        { field: 'country', op: 'eq', value: 'ES' },
        { hasConsent: { purpose: 'offers', channel: 'email' } },
      ],
    },
    version: 1,
    definedAt: at,
  },
  SegmentRedefined: {
    segmentId: quote,
    name: 'Spanish prospects',
    rule: { field: 'country', op: 'in', value: ['ES', 'PT'] },
    version: 2,
    redefinedAt: at,
  },
  SegmentMemberJoined: { segmentId: quote, segmentVersion: 2, customerId: customer, joinedAt: at },
  SegmentMemberLeft: { segmentId: quote, segmentVersion: 2, customerId: customer, leftAt: at },
  CampaignDrafted: { ...campaign, draftedAt: at },
  CampaignRevised: { ...campaign, revisedAt: at },
  CampaignScheduled: { campaignId: quote, startAt: at, scheduledAt: at },
  CampaignMessageSent: {
    campaignId: quote,
    step: 0,
    customerId: customer,
    messageId: `<${quote}.0.${customer}@crm.example>`,
    sentAt: at,
  },
  CampaignMessageSuppressed: {
    campaignId: quote,
    step: 1,
    customerId: customer,
    reason: 'withdrawn',
    suppressedAt: at,
  },
  CampaignStepSent: { campaignId: quote, step: 0, sent: 2, suppressed: 1, sentAt: at },
  CampaignCostRecorded: {
    campaignId: quote,
    amount: 120,
    currency: 'EUR',
    item: 'design',
    cost: 170,
    recordedAt: at,
  },
};

function violationOf(run: () => unknown): ContractViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a contract violation');
}

describe('event contracts', () => {
  it.each(Object.entries(PRODUCED))('accepts a %s as the services write it', (type, data) => {
    expect(() => assertValidEvent(type, 1, data)).not.toThrow();
    // and after the trip through Kafka
    expect(() => assertValidEvent(type, 1, JSON.parse(JSON.stringify(data)))).not.toThrow();
  });

  it('rejects the poison LeadConverted {"leadId":"not-a-uuid"}, naming every path', () => {
    const error = violationOf(() => assertValidEvent('LeadConverted', 1, { leadId: 'not-a-uuid' }));
    expect(isContractViolation(error)).toBe(true);
    expect(error.errors).toContainEqual({ path: '/leadId', message: 'must match format "uuid"' });
    expect(error.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/customerId', '/interests', '/ownerId', '/convertedAt']),
    );
    expect(error.message).toMatch(/^LeadConverted v1 violates its contract: /);
  });

  it('rejects an account opened without a name (the HTTP hole that froze the read model)', () => {
    const data = {
      accountId: customer,
      customerId: customer,
      profile: {},
      openedAt: at,
    };
    const error = violationOf(() => assertValidEvent('AccountOpened', 1, data));
    expect(error.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/profile/name', '/profile/kind', '/profile/customerType']),
    );
  });

  it('rejects wrong types, bad enums, impossible timestamps and empty names', () => {
    const bad = { ...(PRODUCED.OpportunityOpened as object), probability: 'ten', stage: '' };
    expect(violationOf(() => assertValidEvent('OpportunityOpened', 1, bad)).errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/probability' }),
        expect.objectContaining({ path: '/stage' }),
      ]),
    );
    const late = { leadId: lead, startedAt: '2026-02-30T10:00:00Z' };
    expect(violationOf(() => assertValidEvent('LeadWorkStarted', 1, late)).errors[0].path).toBe('/startedAt');
    expect(() => assertValidEvent('LeadWorkStarted', 1, null)).toThrow(ContractViolationError);
  });

  it('keeps optional fields optional, also when an object holds them as undefined', () => {
    const { email: _email, ...withoutEmail } = PRODUCED.LeadCaptured as Record<string, unknown>;
    expect(() => assertValidEvent('LeadCaptured', 1, withoutEmail)).not.toThrow();
    const dtoLike = { ...withoutEmail, phone: undefined, source: { campaignId: undefined } };
    expect(() => assertValidEvent('LeadCaptured', 1, dtoLike)).not.toThrow();
  });

  it('tolerates fields it does not know (a compatible addition within a version)', () => {
    const data = { ...(PRODUCED.LeadWorkStarted as object), startedBy: 'rep-1' };
    expect(() => assertValidEvent('LeadWorkStarted', 1, data)).not.toThrow();
  });

  it('refuses an unknown type or schema version', () => {
    expect(violationOf(() => assertValidEvent('LeadMerged', 1, {})).message).toBe(
      'LeadMerged is not an event type of any contract',
    );
    expect(violationOf(() => assertValidEvent('LeadConverted', 2, PRODUCED.LeadConverted)).message).toBe(
      'LeadConverted has no schema version 2',
    );
  });

  it('never changes the data it checks', () => {
    const data = { leadId: lead, startedAt: at, extra: { n: 1 } };
    const copy = structuredClone(data);
    assertValidEvent('LeadWorkStarted', 1, data);
    expect(data).toEqual(copy);
  });
});

describe('parseEvent', () => {
  it('reads a lifecycle stage event from every context that owns a stage', () => {
    const data = PRODUCED.CustomerLifecycleStageReached;
    for (const context of ['leads', 'pipeline', 'service', 'analytics'])
      expect(parseEvent({ type: `crm.${context}.CustomerLifecycleStageReached.v1`, data })?.context).toBe(
        context,
      );
  });

  it('answers the typed event once its data passed the contract', () => {
    const parsed = parseEvent({ type: 'crm.leads.LeadConverted.v1', data: PRODUCED.LeadConverted });
    expect(parsed).toMatchObject({ context: 'leads', type: 'LeadConverted', schemaVersion: 1 });
    if (parsed?.type !== 'LeadConverted') throw new Error('not narrowed');
    expect(parsed.data.customerId).toBe(customer); // typed access, no cast
  });

  it('throws for data that fails its contract and for a version it cannot read', () => {
    expect(() => parseEvent({ type: 'crm.leads.LeadConverted.v1', data: { leadId: 'not-a-uuid' } })).toThrow(
      ContractViolationError,
    );
    expect(() => parseEvent({ type: 'crm.leads.LeadConverted.v2', data: PRODUCED.LeadConverted })).toThrow(
      'LeadConverted has no schema version 2',
    );
  });

  it('answers undefined for types outside the contracts', () => {
    expect(parseEvent({ type: 'crm.leads.LeadMerged.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'crm.pipeline.LeadConverted.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'crm.sandbox.LeadConverted.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'com.example.Thing', data: {} })).toBeUndefined();
  });
});
