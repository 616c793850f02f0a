import type { EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import {
  parseCloudEventType,
  type CloudEvent,
  type CustomerLifecycleStageReachedV1,
  type PipelineEventMap,
} from '@crm/contracts';
import { AccountRow, ContactRow } from './account.read-model';
import { OpportunityRow, QuoteRow } from './opportunity.read-model';

type EventMap = PipelineEventMap & { CustomerLifecycleStageReached: CustomerLifecycleStageReachedV1 };
type Handler<K extends keyof EventMap> = (
  d: EventMap[K],
  m: EntityManager,
  at: { revision: number; time: Date },
) => Promise<void>;

/** Which read model row carries the revision of each event's aggregate. */
const ROW_OF: Record<keyof EventMap, { target: EntityTarget<ObjectLiteral>; key: string }> = {
  AccountOpened: { target: AccountRow, key: 'account_id' },
  AccountProfileUpdated: { target: AccountRow, key: 'account_id' },
  ContactAdded: { target: AccountRow, key: 'account_id' },
  ContactUpdated: { target: AccountRow, key: 'account_id' },
  AccountWinRecorded: { target: AccountRow, key: 'account_id' },
  CustomerLifecycleStageReached: { target: AccountRow, key: 'account_id' },
  OpportunityOpened: { target: OpportunityRow, key: 'opportunity_id' },
  OpportunityStageChanged: { target: OpportunityRow, key: 'opportunity_id' },
  OpportunityDetailsChanged: { target: OpportunityRow, key: 'opportunity_id' },
  OpportunityWon: { target: OpportunityRow, key: 'opportunity_id' },
  OpportunityLost: { target: OpportunityRow, key: 'opportunity_id' },
  QuoteDrafted: { target: QuoteRow, key: 'quote_id' },
  QuoteRevised: { target: QuoteRow, key: 'quote_id' },
  QuoteDiscountApproved: { target: QuoteRow, key: 'quote_id' },
  QuoteSent: { target: QuoteRow, key: 'quote_id' },
  QuoteAccepted: { target: QuoteRow, key: 'quote_id' },
  QuoteRejected: { target: QuoteRow, key: 'quote_id' },
};

/**
 * Projects crm.pipeline.events into the pipeline read models, inside the consumer's transaction
 * (exactly once). Every event also moves its aggregate row's revision, the ETag readers get.
 */
export async function projectPipelineEvent(event: CloudEvent, manager: EntityManager): Promise<void> {
  const type = parseCloudEventType(event.type);
  if (!type || type.context !== 'pipeline' || type.schemaVersion !== 1) return;
  const name = type.eventType as keyof EventMap;
  const row = ROW_OF[name];
  if (!row) return;
  const at = { revision: Number(event.sequence), time: new Date(event.time) };
  await (handlers[name] as Handler<typeof name>)(event.data as never, manager, at);
  await touch(manager, row.target, row.key, event.subject, at.revision, {});
}

async function touch(
  m: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  key: string,
  id: string,
  revision: number,
  changes: ObjectLiteral,
  parameters: ObjectLiteral = {},
) {
  await m
    .createQueryBuilder()
    .update(target)
    .set({ ...changes, revision, updatedAt: new Date() })
    .where(`${key} = :id AND revision < :revision`, { ...parameters, id, revision })
    .execute();
}

/** Inserts the row unless it exists (a replay); true when it was inserted. */
async function insertOnce(
  m: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  values: ObjectLiteral,
): Promise<boolean> {
  const result = await m
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(values)
    .orIgnore()
    .returning('1')
    .execute();
  return (result.raw as unknown[]).length > 0;
}

async function enterStage(m: EntityManager, opportunityId: string, stage: string, at: Date) {
  await m.query(
    `UPDATE pipeline.opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL`,
    [opportunityId, at],
  );
  await m.query(
    `INSERT INTO pipeline.opportunity_stage_history (opportunity_id, seq, stage, entered_at)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM pipeline.opportunity_stage_history WHERE opportunity_id = $1`,
    [opportunityId, stage, at],
  );
}

async function closeOpportunity(
  m: EntityManager,
  id: string,
  at: Date,
  revision: number,
  changes: Partial<OpportunityRow>,
) {
  await m.query(
    `UPDATE pipeline.opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL`,
    [id, at],
  );
  await touch(m, OpportunityRow, 'opportunity_id', id, revision, { ...changes, closedAt: at });
}

const handlers: { [K in keyof EventMap]: Handler<K> } = {
  AccountOpened: async (d, m, { revision }) => {
    await insertOnce(m, AccountRow, {
      accountId: d.accountId,
      customerId: d.customerId,
      name: d.profile.name,
      kind: d.profile.kind,
      customerType: d.profile.customerType,
      email: d.profile.email ?? null,
      phone: d.profile.phone ?? null,
      profile: d.profile,
      ownerId: d.ownerId ?? null,
      fromLeadId: d.fromLeadId ?? null,
      lifecycleStage: 'interest',
      revision,
      openedAt: new Date(d.openedAt),
      updatedAt: new Date(),
    });
  },
  AccountProfileUpdated: async (d, m, { revision }) => {
    const c = d.changes;
    await touch(
      m,
      AccountRow,
      'account_id',
      d.accountId,
      revision,
      {
        profile: () => `profile || CAST(:changes AS jsonb)`,
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.kind !== undefined ? { kind: c.kind } : {}),
        ...(c.customerType !== undefined ? { customerType: c.customerType } : {}),
        ...(c.email !== undefined ? { email: c.email } : {}),
        ...(c.phone !== undefined ? { phone: c.phone } : {}),
      },
      { changes: JSON.stringify(c) },
    );
  },
  ContactAdded: async (d, m) => {
    await insertOnce(m, ContactRow, {
      contactId: d.contactId,
      accountId: d.accountId,
      name: d.name,
      email: d.email ?? null,
      phone: d.phone ?? null,
      role: d.role,
      title: d.title ?? null,
    });
  },
  ContactUpdated: async (d, m) => {
    await m.getRepository(ContactRow).update({ contactId: d.contactId }, d.changes);
  },
  AccountWinRecorded: (d, m, { revision }) =>
    touch(
      m,
      AccountRow,
      'account_id',
      d.accountId,
      revision,
      { wonRevenue: () => 'won_revenue + CAST(:amount AS numeric)' },
      { amount: String(d.amount) },
    ),
  CustomerLifecycleStageReached: (d, m, { revision }) =>
    touch(m, AccountRow, 'account_id', d.customerId, revision, { lifecycleStage: d.stage }),
  OpportunityOpened: async (d, m, { revision }) => {
    const inserted = await insertOnce(m, OpportunityRow, {
      opportunityId: d.opportunityId,
      accountId: d.accountId,
      customerId: d.customerId,
      name: d.name,
      ownerId: d.ownerId,
      stage: d.stage,
      probability: d.probability,
      forecastCategory: d.forecastCategory,
      status: 'open',
      amount: d.amount ?? null,
      currency: d.currency,
      expectedCloseDate: d.expectedCloseDate ?? null,
      fromLeadId: d.fromLeadId ?? null,
      revision,
      openedAt: new Date(d.openedAt),
      updatedAt: new Date(),
    });
    if (inserted) await enterStage(m, d.opportunityId, d.stage, new Date(d.openedAt));
  },
  OpportunityStageChanged: async (d, m, { revision }) => {
    await enterStage(m, d.opportunityId, d.to, new Date(d.changedAt));
    await touch(m, OpportunityRow, 'opportunity_id', d.opportunityId, revision, {
      stage: d.to,
      probability: d.probability,
      forecastCategory: d.forecastCategory,
    });
  },
  OpportunityDetailsChanged: (d, m, { revision }) =>
    touch(m, OpportunityRow, 'opportunity_id', d.opportunityId, revision, { ...d.changes }),
  OpportunityWon: (d, m, { revision }) =>
    closeOpportunity(m, d.opportunityId, new Date(d.wonAt), revision, {
      status: 'won',
      probability: 100,
      forecastCategory: 'closed',
      amount: String(d.amount),
      currency: d.currency,
      quoteId: d.quoteId ?? null,
    }),
  OpportunityLost: (d, m, { revision }) =>
    closeOpportunity(m, d.opportunityId, new Date(d.lostAt), revision, {
      status: 'lost',
      probability: 0,
      forecastCategory: 'omitted',
      lostReason: d.reason,
      lostNotes: d.notes ?? null,
    }),
  QuoteDrafted: async (d, m, { revision }) => {
    await insertOnce(m, QuoteRow, {
      quoteId: d.quoteId,
      opportunityId: d.opportunityId,
      status: 'draft',
      currency: d.currency,
      lines: d.lines,
      subtotal: String(d.totals.subtotal),
      discount: String(d.totals.discount),
      total: String(d.totals.total),
      maxDiscountPercent: String(d.totals.maxDiscountPercent),
      approvalRequired: d.approvalRequired,
      revision,
      updatedAt: new Date(),
    });
  },
  QuoteRevised: (d, m, { revision }) =>
    touch(m, QuoteRow, 'quote_id', d.quoteId, revision, {
      lines: d.lines,
      subtotal: String(d.totals.subtotal),
      discount: String(d.totals.discount),
      total: String(d.totals.total),
      maxDiscountPercent: String(d.totals.maxDiscountPercent),
      approvalRequired: d.approvalRequired,
      approvedBy: null,
    }),
  QuoteDiscountApproved: (d, m, { revision }) =>
    touch(m, QuoteRow, 'quote_id', d.quoteId, revision, { approvedBy: d.approvedBy }),
  QuoteSent: (d, m, { revision }) => touch(m, QuoteRow, 'quote_id', d.quoteId, revision, { status: 'sent' }),
  QuoteAccepted: (d, m, { revision }) =>
    touch(m, QuoteRow, 'quote_id', d.quoteId, revision, { status: 'accepted' }),
  QuoteRejected: (d, m, { revision }) =>
    touch(m, QuoteRow, 'quote_id', d.quoteId, revision, { status: 'rejected' }),
};
