import type { EntityManager } from 'typeorm';
import type { CloudEvent, LeadEventMap } from '@crm/contracts';
import { parseCloudEventType } from '@crm/contracts';
import { LeadEngagement, LeadSummary } from './lead.read-model';

type Handlers = {
  [K in keyof LeadEventMap]: (data: LeadEventMap[K], m: EntityManager, revision: number) => Promise<void>;
};

/**
 * Projects crm.leads.events into the lead read model. Runs inside the consumer's transaction,
 * which also records the event id, so each event is applied exactly once.
 */
export async function projectLeadEvent(event: CloudEvent, manager: EntityManager): Promise<void> {
  const type = parseCloudEventType(event.type);
  if (!type || type.context !== 'leads') return;
  const revision = Number(event.sequence);
  const handler = handlers[type.eventType as keyof LeadEventMap] as
    ((data: unknown, m: EntityManager, revision: number) => Promise<void>) | undefined;
  if (handler && type.schemaVersion === 1) await handler(event.data, manager, revision);
  // Events this model does not show (e.g. lifecycle stages) still move the lead's revision, so
  // that the ETag a reader gets is the stream revision a command will be checked against.
  await update(manager, event.subject, revision, {});
}

async function update(m: EntityManager, leadId: string, revision: number, changes: Partial<LeadSummary>) {
  await m
    .createQueryBuilder()
    .update(LeadSummary)
    .set({ ...changes, revision, updatedAt: new Date() })
    .where('lead_id = :leadId AND revision < :revision', { leadId, revision })
    .execute();
}

const handlers: Handlers = {
  LeadCaptured: async (d, m, revision) => {
    await m
      .createQueryBuilder()
      .insert()
      .into(LeadSummary)
      .values({
        leadId: d.leadId,
        customerId: d.customerId,
        status: 'new',
        ownerId: null,
        channel: d.channel,
        customerType: d.customerType,
        personName: d.personName ?? null,
        companyName: d.companyName ?? null,
        email: d.email ?? null,
        phone: d.phone ?? null,
        companySize: d.companySize ?? null,
        interests: d.interests,
        source: d.source as Record<string, string>,
        notes: d.notes ?? null,
        engagementCount: 0,
        revision,
        capturedAt: new Date(d.capturedAt),
        updatedAt: new Date(),
      })
      .orIgnore()
      .execute();
  },
  LeadAssigned: (d, m, revision) => update(m, d.leadId, revision, { ownerId: d.ownerId }),
  LeadEngagementRecorded: async (d, m, revision) => {
    await m
      .createQueryBuilder()
      .insert()
      .into(LeadEngagement)
      .values({
        engagementId: d.engagementId,
        leadId: d.leadId,
        kind: d.kind,
        channel: d.channel,
        occurredAt: new Date(d.occurredAt),
        summary: d.summary ?? null,
      })
      .orIgnore()
      .execute();
    await update(m, d.leadId, revision, {
      engagementCount: () => 'engagement_count + 1',
      lastEngagedAt: () =>
        `GREATEST(last_engaged_at, '${new Date(d.occurredAt).toISOString()}'::timestamptz)`,
    } as unknown as Partial<LeadSummary>);
  },
  LeadWorkStarted: (d, m, revision) => update(m, d.leadId, revision, { status: 'working' }),
  LeadQualified: (d, m, revision) =>
    update(m, d.leadId, revision, {
      status: 'qualified',
      score: d.score,
      scoreBreakdown: d.scoreBreakdown,
      qualifiedAt: new Date(d.qualifiedAt),
    }),
  LeadDisqualified: (d, m, revision) =>
    update(m, d.leadId, revision, {
      status: 'disqualified',
      disqualificationReason: d.reason,
      disqualifiedAt: new Date(d.disqualifiedAt),
    }),
  LeadConverted: (d, m, revision) =>
    update(m, d.leadId, revision, { status: 'converted', convertedAt: new Date(d.convertedAt) }),
};
