import { randomUUID } from 'node:crypto';
import type { QuoteLine } from '@crm/contracts';
import { InProcessService, bearer, type GivenEvent } from '@crm/test-support';
import { PipelineConfig } from '../src/pipeline.config';
import { PipelineModule } from '../src/pipeline.module';
import { computeTotals } from '../src/quote/quote-totals';

/** The pipeline service in process: its own database, no Kafka, the default stages and threshold (15 %). */
export function startPipeline(): Promise<InProcessService> {
  return InProcessService.start({
    name: 'pipeline',
    Config: PipelineConfig,
    module: (config) => PipelineModule.forRoot(config),
    eventStoreSchema: 'pipeline_eventstore',
  });
}

/** Who calls: the bearer token of a demo user of the local OpenID provider (infra/oidc). */
export const as = async (who: string) => ({ authorization: await bearer(who) });

export const at = '2026-06-01T10:00:00.000Z';
export const later = '2026-06-20T10:00:00.000Z';

/** A customer's account (its id is the customer id) and builders of the events its stream may hold. */
export function anAccount(name = 'Acme SA') {
  const accountId = randomUUID();
  const ids = { accountId, customerId: accountId };
  return {
    ...ids,
    stream: `account-${accountId}`,
    path: `/accounts/${accountId}`,
    opened: (): GivenEvent => ({
      type: 'AccountOpened',
      data: { ...ids, profile: { name, kind: 'company', customerType: 'prospect' }, openedAt: at },
    }),
    contactAdded: (
      contact: { name: string; email?: string; role?: string },
      contactId = randomUUID(),
    ): GivenEvent => ({
      type: 'ContactAdded',
      data: { accountId, contactId, role: 'decision_maker', ...contact, addedAt: at },
    }),
    winRecorded: (opportunityId: string, amount: number): GivenEvent => ({
      type: 'AccountWinRecorded',
      data: { accountId, opportunityId, amount, currency: 'EUR', wonAt: later },
    }),
    stageReached: (stage: string, previousStage: string, opportunityId: string): GivenEvent => ({
      type: 'CustomerLifecycleStageReached',
      data: {
        customerId: accountId,
        stage,
        previousStage,
        reason: { aggregateType: 'opportunity', aggregateId: opportunityId },
        reachedAt: later,
      },
    }),
  };
}

export type GivenAccount = ReturnType<typeof anAccount>;

const STAGES: Record<string, { probability: number; forecastCategory: string }> = {
  prospecting: { probability: 10, forecastCategory: 'pipeline' },
  qualification: { probability: 20, forecastCategory: 'pipeline' },
  proposal: { probability: 50, forecastCategory: 'best_case' },
  negotiation: { probability: 75, forecastCategory: 'commit' },
};

/** An opportunity of `account` owned by `ownerId`, and builders of its events. */
export function anOpportunity(
  account: GivenAccount,
  {
    ownerId = 'rep-1',
    amount,
    expectedCloseDate,
    fromCampaignId,
  }: { ownerId?: string; amount?: number; expectedCloseDate?: string; fromCampaignId?: string } = {},
) {
  const opportunityId = randomUUID();
  const ids = { opportunityId, accountId: account.accountId, customerId: account.customerId };
  const closed = (previousStage: string) => ({ ...ids, ownerId, previousStage, openedAt: at });
  return {
    ...ids,
    stream: `opportunity-${opportunityId}`,
    path: `/opportunities/${opportunityId}`,
    opened: (): GivenEvent => ({
      type: 'OpportunityOpened',
      data: {
        ...ids,
        name: 'ERP rollout',
        ownerId,
        stage: 'prospecting',
        ...STAGES.prospecting,
        ...(amount === undefined ? {} : { amount }),
        ...(expectedCloseDate === undefined ? {} : { expectedCloseDate }),
        ...(fromCampaignId === undefined ? {} : { fromCampaignId }),
        currency: 'EUR',
        openedAt: at,
      },
    }),
    movedTo: (to: string, from = 'prospecting', changedAt = at): GivenEvent => ({
      type: 'OpportunityStageChanged',
      data: { opportunityId, from, to, ...STAGES[to], changedAt },
    }),
    won: (wonAmount: number, previousStage = 'prospecting'): GivenEvent => ({
      type: 'OpportunityWon',
      data: { ...closed(previousStage), amount: wonAmount, currency: 'EUR', wonAt: later },
    }),
    lost: (reason = 'competitor', previousStage = 'prospecting'): GivenEvent => ({
      type: 'OpportunityLost',
      data: { ...closed(previousStage), reason, lostAt: later },
    }),
  };
}

export type GivenOpportunity = ReturnType<typeof anOpportunity>;

/** Three licences at 15 % off and two trainings at 25 % off: 650.97 EUR, a discount above the threshold. */
export const DISCOUNTED_LINES: QuoteLine[] = [
  { product: 'Licence', quantity: 3, unitPrice: 19.99, discountPercent: 15 },
  { product: 'Training', quantity: 2, unitPrice: 400, discountPercent: 25 },
];

/** A quote of `opportunity` and builders of its events. */
export function aQuote(opportunity: GivenOpportunity, lines: QuoteLine[] = DISCOUNTED_LINES) {
  const quoteId = randomUUID();
  const totals = computeTotals(lines);
  const of = { quoteId, opportunityId: opportunity.opportunityId };
  return {
    quoteId,
    totals,
    stream: `quote-${quoteId}`,
    path: `/quotes/${quoteId}`,
    drafted: (): GivenEvent => ({
      type: 'QuoteDrafted',
      data: {
        ...of,
        customerId: opportunity.customerId,
        currency: 'EUR',
        lines,
        totals,
        approvalRequired: totals.maxDiscountPercent > 15,
        draftedAt: at,
      },
    }),
    approved: (approvedBy = 'mia'): GivenEvent => ({
      type: 'QuoteDiscountApproved',
      data: { quoteId, approvedBy, maxDiscountPercent: totals.maxDiscountPercent, approvedAt: at },
    }),
    sent: (): GivenEvent => ({
      type: 'QuoteSent',
      data: { ...of, total: totals.total, currency: 'EUR', sentAt: at },
    }),
    accepted: (): GivenEvent => ({
      type: 'QuoteAccepted',
      data: { ...of, total: totals.total, currency: 'EUR', acceptedAt: later },
    }),
  };
}
