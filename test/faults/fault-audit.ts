import { Client } from 'pg';
import { readWholeTopic } from '@crm/test-support';
import type { Ack } from './command-load';

/** Where a scenario's data is: its database, its topics, and what clients were told. */
export interface AuditTarget {
  databaseUrl: string;
  brokers: string[];
  leadsTopic: string;
  pipelineTopic: string;
  acks: Ack[];
}

export interface Figures {
  acknowledgedRequests: number;
  /** Events of the acknowledged leads up to the highest revision a client was answered. */
  acknowledgedEvents: number;
  acknowledgedConversions: number;
  /** Acknowledged but missing: from the store, from Kafka, or not applied to a read model or reaction. */
  lost: {
    store: number;
    kafka: number;
    leadsReadModel: number;
    pipelineReaction: number;
    pipelineReadModel: number;
  };
  /** Extra copies of a CloudEvent id on a topic (at-least-once publishing; reported, not an error). */
  publishedTwice: { leads: number; pipeline: number };
  /** Effects counted more than once: in a read model, or by the lead-conversion reaction. */
  appliedTwice: { leadsReadModel: number; pipelineReaction: number; pipelineReadModel: number };
}

interface StoredEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  cause: string | null;
  fromLead: string | null;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const excess = (count: number, allowed: number) => Math.max(0, count - allowed);
const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

async function rows<T>(client: Client, sql: string): Promise<T[]> {
  return (await client.query(sql)).rows as T[];
}

/** CloudEvent ids on a topic, with how often each was published. */
async function idsOnTopic(brokers: string[], topic: string): Promise<Map<string, number>> {
  const messages = await readWholeTopic(brokers, topic);
  return countBy(messages, (m) => m.headers?.ce_id?.toString() ?? '');
}

/**
 * Counts, for what clients were acknowledged, what the event store, Kafka and the read models
 * hold. With `kafka: false` the topics are not read (then `lost.kafka` and `publishedTwice` are 0).
 */
export async function audit(target: AuditTarget, { kafka = true } = {}): Promise<Figures> {
  const client = new Client({ connectionString: target.databaseUrl });
  await client.connect();
  const q = <T>(sql: string) => rows<T>(client, sql);
  const eventColumns = `event_id::text as id, stream_id as stream, revision::int, type,
    metadata->>'causationId' as cause, data->>'fromLeadId' as "fromLead"`;
  try {
    // One client: its queries run one after the other.
    const leadEvents = await q<StoredEvent>(
      `select ${eventColumns} from leads_eventstore.es_events where stream_id like 'lead-%'`,
    );
    const pipelineEvents = await q<StoredEvent>(`select ${eventColumns} from pipeline_eventstore.es_events`);
    const summaries = await q<{ lead: string; revision: number; engagements: number }>(
      `select lead_id::text as lead, revision::int, engagement_count::int as engagements from leads.lead_summary`,
    );
    const engagementRows = await q<{ lead: string }>(
      `select lead_id::text as lead from leads.lead_engagement`,
    );
    const leadsApplied = await q<{ consumer: string; id: string }>(
      `select consumer, event_id as id from leads.processed_events`,
    );
    const pipelineApplied = await q<{ consumer: string; id: string }>(
      `select consumer, event_id as id from pipeline.processed_events`,
    );
    const accounts = await q<{ id: string }>(`select account_id::text as id from pipeline.account`);
    const contacts = await q<{ account: string }>(`select account_id::text as account from pipeline.contact`);
    const opportunities = await q<{ id: string; lead: string }>(
      `select opportunity_id::text as id, from_lead_id::text as lead from pipeline.opportunity`,
    );
    const stages = await q<{ opportunity: string }>(
      `select opportunity_id::text as opportunity from pipeline.opportunity_stage_history`,
    );

    const appliedBy = (applied: { consumer: string; id: string }[], consumer: string) =>
      new Set(applied.filter((a) => a.consumer === consumer).map((a) => a.id));
    const leadSummary = appliedBy(leadsApplied, 'lead-summary');
    const conversionsApplied = appliedBy(pipelineApplied, 'lead-conversion');
    const pipelineProjected = appliedBy(pipelineApplied, 'pipeline-read-model');

    // What clients were told: each lead's stream up to the highest revision answered.
    const answered = new Map<string, number>();
    for (const ack of target.acks)
      answered.set(ack.leadId, Math.max(answered.get(ack.leadId) ?? -1, ack.revision));
    const byStream = new Map<string, Map<number, StoredEvent>>();
    for (const e of leadEvents)
      byStream.set(e.stream, (byStream.get(e.stream) ?? new Map()).set(e.revision, e));
    const acknowledged: StoredEvent[] = [];
    let lostInStore = 0;
    for (const [lead, revision] of answered) {
      for (let r = 0; r <= revision; r++) {
        const event = byStream.get(`lead-${lead}`)?.get(r);
        if (event) acknowledged.push(event);
        else lostInStore++;
      }
    }
    const summaryOf = new Map(summaries.map((s) => [s.lead, s]));
    const notInLeadsModel = acknowledged.filter((e) => {
      const summary = summaryOf.get(e.stream.slice('lead-'.length));
      return !leadSummary.has(e.id) || !summary || summary.revision < e.revision;
    }).length;

    // Conversions: the reaction's account, contact and opportunity, and their projection.
    const conversions = target.acks.filter((a) => a.step === 'convert');
    const converted = conversions.map((ack) => ({
      ack,
      event: acknowledged.find((e) => e.stream === `lead-${ack.leadId}` && e.type === 'LeadConverted'),
    }));
    const accountIds = new Set(accounts.map((a) => a.id));
    const contactsPerAccount = countBy(contacts, (c) => c.account);
    const opportunitiesPerLead = countBy(opportunities, (o) => o.lead);
    const reactionOutputs = pipelineEvents.filter((e) => converted.some((c) => c.event?.id === e.cause));
    const lostByReaction = converted.filter(
      ({ ack, event }) =>
        !event ||
        !conversionsApplied.has(event.id) ||
        !accountIds.has(ack.customerId) ||
        !contactsPerAccount.get(ack.customerId) ||
        !opportunitiesPerLead.get(ack.leadId),
    ).length;
    const notInPipelineModel = reactionOutputs.filter((e) => !pipelineProjected.has(e.id)).length;

    // Effects counted twice: engagements, and what each conversion opened.
    const storedEngagements = countBy(
      leadEvents.filter((e) => e.type === 'LeadEngagementRecorded'),
      (e) => e.stream.slice('lead-'.length),
    );
    const engagementRowsPerLead = countBy(engagementRows, (r) => r.lead);
    const leadsTwice = sum(
      summaries.map(
        (s) =>
          excess(s.engagements, storedEngagements.get(s.lead) ?? 0) +
          excess(engagementRowsPerLead.get(s.lead) ?? 0, storedEngagements.get(s.lead) ?? 0),
      ),
    );
    const pipelineOf = (type: string, match: (e: StoredEvent) => boolean) =>
      pipelineEvents.filter((e) => e.type === type && match(e)).length;
    const reactionTwice = sum(
      conversions.map(
        (a) =>
          excess(
            pipelineOf('AccountOpened', (e) => e.stream === `account-${a.customerId}`),
            1,
          ) +
          excess(
            pipelineOf('ContactAdded', (e) => e.stream === `account-${a.customerId}`),
            1,
          ) +
          excess(
            pipelineOf('OpportunityOpened', (e) => e.fromLead === a.leadId),
            1,
          ),
      ),
    );
    const contactEvents = countBy(
      pipelineEvents.filter((e) => e.type === 'ContactAdded'),
      (e) => e.stream.slice('account-'.length),
    );
    const stagesPerOpportunity = countBy(stages, (s) => s.opportunity);
    const pipelineTwice =
      sum([...contactsPerAccount].map(([account, n]) => excess(n, contactEvents.get(account) ?? 0))) +
      sum([...opportunitiesPerLead.values()].map((n) => excess(n, 1))) +
      sum([...stagesPerOpportunity.values()].map((n) => excess(n, 1)));

    let lostOnKafka = 0;
    const publishedTwice = { leads: 0, pipeline: 0 };
    let processedBeyondTopic = { leads: 0, pipeline: 0 };
    if (kafka) {
      const [leadIds, pipelineIds] = await Promise.all([
        idsOnTopic(target.brokers, target.leadsTopic),
        idsOnTopic(target.brokers, target.pipelineTopic),
      ]);
      lostOnKafka =
        acknowledged.filter((e) => !leadIds.has(e.id)).length +
        reactionOutputs.filter((e) => !pipelineIds.has(e.id)).length;
      publishedTwice.leads = sum([...leadIds.values()].map((n) => n - 1));
      publishedTwice.pipeline = sum([...pipelineIds.values()].map((n) => n - 1));
      // Each consumer applies a CloudEvent id at most once: never more rows than distinct ids.
      processedBeyondTopic = {
        leads: excess(leadSummary.size, leadIds.size),
        pipeline:
          excess(conversionsApplied.size, leadIds.size) + excess(pipelineProjected.size, pipelineIds.size),
      };
    }

    return {
      acknowledgedRequests: target.acks.length,
      acknowledgedEvents: acknowledged.length + lostInStore,
      acknowledgedConversions: conversions.length,
      lost: {
        store: lostInStore,
        kafka: lostOnKafka,
        leadsReadModel: notInLeadsModel,
        pipelineReaction: lostByReaction,
        pipelineReadModel: notInPipelineModel,
      },
      publishedTwice,
      appliedTwice: {
        leadsReadModel: leadsTwice + processedBeyondTopic.leads,
        pipelineReaction: reactionTwice,
        pipelineReadModel: pipelineTwice + processedBeyondTopic.pipeline,
      },
    };
  } finally {
    await client.end();
  }
}

export const totalLost = (f: Figures) => sum(Object.values(f.lost));
export const totalAppliedTwice = (f: Figures) => sum(Object.values(f.appliedTwice));

/**
 * Audits until nothing acknowledged is missing from the read models (they are eventually
 * consistent), or `timeoutMs` passed; then once more with the topics read. Answers the figures
 * either way: the caller asserts on them.
 */
export async function settle(
  target: AuditTarget,
  timeoutMs = 60_000,
): Promise<Figures & { settleMs: number }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const figures = await audit(target, { kafka: false }).catch(() => undefined);
    if (figures && totalLost(figures) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const settleMs = Date.now() - started;
  return { ...(await audit(target)), settleMs };
}
