import { randomUUID } from 'node:crypto';
import {
  assertValidEvent,
  cloudEventToKafka,
  npsCategory,
  parseCloudEventType,
  toCloudEvent,
  type CloudEvent,
  type KafkaRecord,
} from '@crm/contracts';
import type { KeyVault, PersonalDataCipher } from '@crm/privacy';
import { STANDARD_SLA } from '@crm/test-support';

/** The contexts whose topics analytics consumes. */
export const ANALYTICS_CONTEXTS = ['leads', 'pipeline', 'service', 'marketing'] as const;
export type AnalyticsContext = (typeof ANALYTICS_CONTEXTS)[number];

/** One event as a producing service writes it to its store, before the relay publishes it. */
interface Produced {
  context: AnalyticsContext;
  /** The aggregate (the record's key). */
  subject: string;
  type: string;
  data: Record<string, unknown>;
  customerId: string;
  /** When it happened (the CloudEvent time). */
  at: Date;
}

/** Events grouped by context, ready to publish: sealed as the producing services seal them. */
export type Records = Record<AnalyticsContext, KafkaRecord[]>;

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Every customer's history lies between these days (2024-01-01 + 1,000 days). */
export const HISTORY_START = Date.parse('2024-01-01T00:00:00Z');
export const HISTORY_DAYS = 1_000;
export const CAMPAIGNS = 20;
export const OWNERS = ['rep-1', 'rep-2', 'rep-3', 'rep-4', 'rep-5'];
const CHANNELS = ['web_form', 'email', 'phone', 'social', 'event', 'referral'] as const;
const CUSTOMER_TYPES = ['prospect', 'prospect', 'prospect', 'supplier', 'beneficiary'] as const;
const ORG = '00000000-0000-0000-0000-000000000000';

/** A small deterministic generator (mulberry32): the same population for the same seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The campaigns every marketing event refers to (drafted by the organisation, day 0). */
export function campaignIds(): string[] {
  return Array.from({ length: CAMPAIGNS }, () => randomUUID());
}

export function campaignDrafts(campaigns: string[]): Produced[] {
  return campaigns.map((campaignId, i) => ({
    context: 'marketing',
    subject: campaignId,
    type: 'CampaignDrafted',
    customerId: ORG,
    at: new Date(HISTORY_START + i * 40 * DAY),
    data: {
      campaignId,
      name: `Campaign ${i}`,
      purpose: i % 2 ? 'offers' : 'newsletter',
      channel: 'email',
      audience: { kind: 'segment', segmentId: randomUUID() },
      steps: [{ subject: 'Hello', body: 'Offers', waitDays: 0, onlyNonResponders: false }],
      budget: 10_000,
      cost: 500 + i * 50,
      currency: 'EUR',
      objective: 'acquisition',
      draftedAt: new Date(HISTORY_START + i * 40 * DAY).toISOString(),
    },
  }));
}

/**
 * One customer's history across the four contexts (12 to 24 events), as their services record it:
 * a lead captured (personal values), reaching interest, assigned, an engagement, converted; an
 * opportunity opened, moved, won (and acquisition) or lost; most get a case (opened, replied,
 * perhaps breached, solved, rated, NPS) and campaign messages and clicks; some reach retention or
 * at risk; one in 2,000 is erased at the end (their key destroyed as well, by `erase`).
 */
export function customerHistory(i: number, next: () => number, campaigns: string[]): Produced[] {
  const customerId = randomUUID();
  const leadId = randomUUID();
  const events: Produced[] = [];
  let t = HISTORY_START + Math.floor(next() * (HISTORY_DAYS - 200)) * DAY + Math.floor(next() * DAY);
  const later = (maxDays: number) => (t += Math.floor(next() * maxDays * DAY) + MINUTE);
  const push = (context: AnalyticsContext, subject: string, type: string, data: Record<string, unknown>) =>
    events.push({ context, subject, type, data, customerId, at: new Date(t) });
  const iso = () => new Date(t).toISOString();
  const owner = OWNERS[i % OWNERS.length];
  const channel = CHANNELS[i % CHANNELS.length];
  const customerType = CUSTOMER_TYPES[i % CUSTOMER_TYPES.length];
  const person = { personName: `Customer ${i}`, email: `customer${i}@example.com`, phone: `+33 1 ${i}` };
  const reason = (aggregateType: string, aggregateId: string) => ({ aggregateType, aggregateId });
  const stage = (context: AnalyticsContext, s: string, previous: string | undefined, by: string) =>
    push(context, customerId, 'CustomerLifecycleStageReached', {
      customerId,
      stage: s,
      ...(previous ? { previousStage: previous } : {}),
      reason: reason(by, randomUUID()),
      reachedAt: iso(),
    });

  /** Campaign message `m` of the customer's two, a click on some (30 %). */
  const campaignMessage = (m: number) => {
    const campaignId = campaigns[(i + m * 7) % campaigns.length];
    later(30);
    push('marketing', campaignId, 'CampaignMessageSent', {
      campaignId,
      step: 0,
      customerId,
      messageId: `<${campaignId}.0.${customerId}@crm>`,
      sentAt: iso(),
    });
    if (next() < 0.3) {
      later(2);
      push('marketing', campaignId, 'CampaignResponseRecorded', {
        campaignId,
        step: 0,
        customerId,
        kind: 'click',
        respondedAt: iso(),
      });
    }
  };

  // Leads.
  const source = { utmSource: 'bench', utmCampaign: `c${i % 7}` };
  const lead = { ...person, channel, source, customerType, interests: ['crm'] };
  push('leads', leadId, 'LeadCaptured', { leadId, customerId, ...lead, capturedAt: iso() });
  stage('leads', 'interest', undefined, 'lead');
  push('leads', leadId, 'LeadAssigned', { leadId, ownerId: owner, method: 'round_robin' });
  later(10);
  push('leads', leadId, 'LeadEngagementRecorded', {
    leadId,
    engagementId: randomUUID(),
    kind: 'call',
    channel: 'phone',
    occurredAt: iso(),
    summary: `Called ${person.personName} about their needs`,
  });
  // Marketing: a first campaign message before the conversion, so that later wins are attributed to it.
  campaignMessage(0);
  later(20);
  push('leads', leadId, 'LeadConverted', {
    leadId,
    customerId,
    ...lead,
    ownerId: owner,
    score: Math.floor(next() * 100),
    convertedAt: iso(),
  });

  // Pipeline: one or two opportunities.
  let stageNow = 'interest';
  for (let o = 0; o < (next() < 0.3 ? 2 : 1); o++) {
    const opportunityId = randomUUID();
    const amount = 500 + Math.floor(next() * 20) * 250;
    later(5);
    const opened = { opportunityId, accountId: customerId, customerId, ownerId: owner };
    push('pipeline', opportunityId, 'OpportunityOpened', {
      ...opened,
      name: `${person.personName}: CRM`,
      stage: 'qualification',
      probability: 20,
      forecastCategory: 'pipeline',
      amount,
      currency: 'EUR',
      openedAt: iso(),
    });
    const openedAt = iso();
    later(15);
    push('pipeline', opportunityId, 'OpportunityStageChanged', {
      opportunityId,
      from: 'qualification',
      to: 'proposal',
      probability: 60,
      forecastCategory: 'best_case',
      changedAt: iso(),
    });
    later(20);
    const closed = { ...opened, previousStage: 'proposal', openedAt };
    if (next() < 0.65) {
      push('pipeline', opportunityId, 'OpportunityWon', { ...closed, amount, currency: 'EUR', wonAt: iso() });
      if (stageNow === 'interest') stage('pipeline', (stageNow = 'acquisition'), 'interest', 'opportunity');
      else if (stageNow === 'acquisition')
        stage('pipeline', (stageNow = 'expansion'), 'acquisition', 'opportunity');
    } else
      push('pipeline', opportunityId, 'OpportunityLost', {
        ...closed,
        reason: 'price',
        notes: `${person.personName} found it too dear`,
        lostAt: iso(),
      });
  }

  // Service: most customers open a case.
  if (next() < 0.8) {
    const caseId = randomUUID();
    const priority = next() < 0.3 ? 'high' : 'normal';
    const caseType = next() < 0.2 ? 'complaint' : 'service_request';
    later(30);
    push('service', caseId, 'CaseOpened', {
      caseId,
      customerId,
      knownCustomer: true,
      requester: { name: person.personName, email: person.email },
      channel: next() < 0.5 ? 'email' : 'phone',
      caseType,
      priority,
      subject: `A problem of ${person.personName}`,
      queue: 'support',
      sla: STANDARD_SLA,
      openedAt: iso(),
    });
    const openedAt = t;
    t += Math.floor(next() * 120) * MINUTE + MINUTE;
    if (t - openedAt > 60 * MINUTE)
      events.push({
        context: 'service',
        subject: caseId,
        type: 'SlaBreached',
        customerId,
        at: new Date(openedAt + 60 * MINUTE),
        data: {
          caseId,
          clock: 'first_response',
          targetMinutes: 60,
          dueAt: new Date(openedAt + 60 * MINUTE).toISOString(),
          priority,
          breachedAt: new Date(openedAt + 60 * MINUTE).toISOString(),
        },
      });
    push('service', caseId, 'CaseReplied', {
      caseId,
      replyId: randomUUID(),
      author: { kind: 'agent', id: 'agent-1' },
      channel: 'email',
      visibility: 'public',
      body: `Hello ${person.personName}, here is the answer`,
      repliedAt: iso(),
    });
    t += Math.floor(next() * 900) * MINUTE + MINUTE;
    push('service', caseId, 'CaseStatusChanged', { caseId, from: 'open', to: 'solved', changedAt: iso() });
    later(2);
    const csat = 1 + Math.floor(next() * 5);
    push('service', caseId, 'CaseRated', { caseId, customerId, score: csat, ratedAt: iso() });
    const nps = Math.min(10, csat * 2 + Math.floor(next() * 2));
    push('service', caseId, 'NetPromoterScoreGiven', {
      caseId,
      customerId,
      score: nps,
      category: npsCategory(nps),
      givenAt: iso(),
    });
    if (stageNow !== 'interest' && nps <= 4) stage('service', 'at_risk', stageNow, 'case');
    else if (stageNow === 'acquisition' && nps >= 8) stage('service', 'retention', stageNow, 'case');
  }

  // Marketing: a second campaign message, after the sales (a touch no win is attributed to).
  campaignMessage(1);
  if (i % 2_000 === 1999) {
    later(10);
    push('leads', customerId, 'CustomerErased', { customerId, reason: 'GDPR art. 17', erasedAt: iso() });
  }
  return events;
}

/** Checks one of each type against its contract (as the consumer reads them). */
export function assertContracts(events: CloudEvent[]): void {
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.type)) continue;
    seen.add(event.type);
    const type = parseCloudEventType(event.type)!;
    assertValidEvent(type.eventType, type.schemaVersion, event.data);
  }
}

/**
 * The events as the producing services publish them: personal values sealed with each
 * customer's key of the shared vault (made on their first event), then as CloudEvents on Kafka records (key = subject), grouped by context.
 */
export async function toRecords(
  events: Produced[],
  privacy: { cipher: PersonalDataCipher; vault: KeyVault },
  check = false,
) {
  // Each customer's key made (or read) once, as their first event's service does; then cached.
  const customers = [...new Set(events.map((e) => e.customerId))];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let c = customers.pop(); c; c = customers.pop()) await privacy.vault.sealingKey(c);
    }),
  );
  const cipher = privacy.cipher;
  const cloudEvents = await Promise.all(
    events.map(async (e) => {
      const data =
        e.type === 'CustomerErased'
          ? e.data
          : await cipher.protect({ type: e.type, schemaVersion: 1, customerId: e.customerId }, e.data);
      return {
        context: e.context,
        event: toCloudEvent(
          e.context,
          {
            id: randomUUID(),
            type: e.type,
            streamId: e.subject,
            revision: 0,
            data,
            metadata: {
              customerId: e.customerId,
              correlationId: randomUUID(),
              causationId: randomUUID(),
              schemaVersion: 1,
              occurredAt: e.at.toISOString(),
            },
          },
          e.subject,
        ),
      };
    }),
  );
  if (check) assertContracts(cloudEvents.map((c) => c.event));
  const records: Records = { leads: [], pipeline: [], service: [], marketing: [] };
  for (const { context, event } of cloudEvents) records[context].push(cloudEventToKafka(event));
  return records;
}
