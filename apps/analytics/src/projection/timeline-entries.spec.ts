import {
  EVENT_CONTRACTS,
  assertValidEvent,
  mapPersonalData,
  personalDataSchema,
  type ContractEventType,
  type EventData,
} from '@crm/contracts';
import { TIMELINE_CHANNELS, TIMELINE_EVENT_TYPES, timelineEntry } from './timeline-entries';
import { STANDARD_SLA } from '@crm/test-support';

const at = '2026-03-01T10:00:00.000Z';
const id = '4f1c3a52-7d8e-4b8a-9c1e-2a3b4c5d6e7f';

/** A payload of every timeline type that holds personal data, each personal field filled in. */
const WITH_PERSONAL_DATA: { [K in ContractEventType]?: EventData<K> } = {
  LeadCaptured: {
    leadId: id,
    customerId: id,
    personName: 'x',
    companyName: 'Acme',
    email: 'x',
    phone: 'x',
    channel: 'web_form',
    source: {},
    customerType: 'prospect',
    interests: [],
    notes: 'x',
    capturedAt: at,
  },
  LeadEngagementRecorded: {
    leadId: id,
    engagementId: id,
    kind: 'call',
    channel: 'phone',
    occurredAt: at,
    summary: 'x',
  },
  LeadDisqualified: { leadId: id, reason: 'no_budget', notes: 'x', disqualifiedAt: at },
  LeadConverted: {
    leadId: id,
    customerId: id,
    personName: 'x',
    email: 'x',
    phone: 'x',
    customerType: 'prospect',
    interests: [],
    ownerId: 'rep-1',
    channel: 'email',
    source: {},
    score: 10,
    convertedAt: at,
  },
  AccountOpened: {
    accountId: id,
    customerId: id,
    profile: {
      name: 'x',
      kind: 'person',
      customerType: 'prospect',
      email: 'x',
      phone: 'x',
      address: { street: 'x', city: 'x', postalCode: 'x', country: 'FR' },
      demographics: { ageRange: 'x', gender: 'x' },
    },
    openedAt: at,
  },
  OpportunityOpened: {
    opportunityId: id,
    accountId: id,
    customerId: id,
    name: 'x',
    ownerId: 'rep-1',
    stage: 'qualification',
    probability: 10,
    forecastCategory: 'pipeline',
    currency: 'EUR',
    openedAt: at,
  },
  OpportunityLost: {
    opportunityId: id,
    accountId: id,
    customerId: id,
    ownerId: 'rep-1',
    previousStage: 'proposal',
    openedAt: at,
    reason: 'price',
    notes: 'x',
    lostAt: at,
  },
  CaseOpened: {
    caseId: id,
    customerId: id,
    knownCustomer: true,
    requester: { name: 'x', email: 'x', phone: 'x' },
    channel: 'email',
    caseType: 'complaint',
    priority: 'high',
    subject: 'x',
    description: 'x',
    queue: 'support',
    sla: STANDARD_SLA,
    openedAt: at,
  },
  CaseReplied: {
    caseId: id,
    replyId: id,
    author: { kind: 'customer', id: 'c' },
    channel: 'email',
    visibility: 'public',
    body: 'x',
    repliedAt: at,
  },
  CaseRated: { caseId: id, customerId: id, score: 3, comment: 'x', ratedAt: at },
  ConsentGranted: {
    customerId: id,
    purpose: 'offers',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { ip: 'x' },
    effectiveAt: at,
    recordedAt: at,
  },
  ContactSuppressed: { customerId: id, reason: 'manual', note: 'x', effectiveAt: at, recordedAt: at },
};

const latest = (type: ContractEventType) => Math.max(...Object.keys(EVENT_CONTRACTS[type]).map(Number));

describe('timeline entries', () => {
  it('has a sample with personal data for every timeline type whose contract holds some', () => {
    const personal = TIMELINE_EVENT_TYPES.filter(
      (type) => personalDataSchema(type, latest(type)) !== undefined,
    );
    expect(Object.keys(WITH_PERSONAL_DATA).sort()).toEqual([...personal].sort());
  });

  it.each(Object.entries(WITH_PERSONAL_DATA))(
    '%s: no personal value enters the title or the detail',
    (type, data) => {
      const t = type as ContractEventType;
      let n = 0;
      const marked = mapPersonalData(personalDataSchema(t, latest(t))!, data, () => `PERSONAL-${++n}-VALUE`);
      assertValidEvent(t, latest(t), marked);
      expect(n).toBeGreaterThan(0);
      const entry = timelineEntry(t, marked as EventData<typeof t>, at);
      expect(entry).toBeDefined();
      expect(JSON.stringify(entry)).not.toContain('PERSONAL-');
    },
  );

  it('names the channel of the interaction', () => {
    const engagement = WITH_PERSONAL_DATA.LeadEngagementRecorded!;
    expect(timelineEntry('LeadEngagementRecorded', { ...engagement, kind: 'meeting' }, at)).toMatchObject({
      channel: 'in_person',
      kind: 'engagement',
      title: 'Engagement: meeting',
    });
    expect(
      timelineEntry('CaseOpened', { ...WITH_PERSONAL_DATA.CaseOpened!, channel: 'web_form' }, at)?.channel,
    ).toBe('web');
    for (const type of Object.keys(WITH_PERSONAL_DATA) as ContractEventType[])
      expect(TIMELINE_CHANNELS).toContain(
        timelineEntry(type, WITH_PERSONAL_DATA[type] as never, at)?.channel,
      );
  });

  it('shows public replies and the ends and reopenings of cases, not internal notes nor other status changes', () => {
    const reply = WITH_PERSONAL_DATA.CaseReplied!;
    expect(timelineEntry('CaseReplied', { ...reply, visibility: 'internal' }, at)).toBeUndefined();
    const status = (from: 'open' | 'solved' | 'pending', to: 'open' | 'solved' | 'pending') =>
      timelineEntry('CaseStatusChanged', { caseId: id, from, to, changedAt: at }, at)?.kind;
    expect([status('open', 'pending'), status('open', 'solved'), status('solved', 'open')]).toEqual([
      undefined,
      'case_solved',
      'case_reopened',
    ]);
  });

  it('takes the time of the data, or the CloudEvent’s for an event without one (LeadAssigned)', () => {
    expect(
      timelineEntry(
        'LeadAssigned',
        { leadId: id, ownerId: 'rep-2', method: 'manual' },
        '2026-04-01T00:00:00.000Z',
      ),
    ).toMatchObject({ occurredAt: '2026-04-01T00:00:00.000Z', title: 'Lead assigned to rep-2' });
    expect(timelineEntry('SegmentDefined', {} as never, at)).toBeUndefined();
  });
});
