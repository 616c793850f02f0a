import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { notFound } from '@crm/decider';
import { READ_MODEL_DB, assertInScope, recordScope, type Principal } from '@crm/service-kit';
import type { ListOpportunitiesQuery } from '../opportunity/opportunity.dto';
import { OpportunityRow, QuoteRow, StageHistoryRow } from './opportunity.read-model';

const money = (value: string | null) => (value === null ? null : Number(value));

function presentOpportunity(o: OpportunityRow) {
  return { ...o, amount: money(o.amount) };
}

/**
 * Opportunities and quotes as the sales team reads them, from the projection only: those of the
 * caller's read scope (a rep's own, a manager's team's; 403 NOT_RECORD_OWNER for another's).
 */
@Injectable()
export class OpportunityQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async list(query: ListOpportunitiesQuery, caller?: Principal) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const qb = this.db.getRepository(OpportunityRow).createQueryBuilder('o');
    const scope = recordScope(caller, 'read');
    if (!scope.all) qb.andWhere('o.owner_id = ANY(:owners)', { owners: scope.owners });
    if (query.stage) qb.andWhere('o.stage = :stage', { stage: query.stage });
    if (query.status) qb.andWhere('o.status = :status', { status: query.status });
    if (query.ownerId) qb.andWhere('o.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.accountId) qb.andWhere('o.account_id = :accountId', { accountId: query.accountId });
    if (query.closeMonth) {
      qb.andWhere(`date_trunc('month', o.expected_close_date) = to_date(:month, 'YYYY-MM')`, {
        month: query.closeMonth,
      });
    }
    const [items, total] = await qb
      .orderBy('o.expected_close_date', 'ASC', 'NULLS LAST')
      .addOrderBy('o.opportunity_id')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items: items.map(presentOpportunity), page, pageSize, total };
  }

  /** One opportunity with its stage history and the time spent in each stage. */
  async byId(opportunityId: string, caller?: Principal) {
    const o = await this.db.getRepository(OpportunityRow).findOneBy({ opportunityId });
    if (!o) throw notFound('OPPORTUNITY_NOT_FOUND', 'no opportunity with this id', { opportunityId });
    assertInScope(recordScope(caller, 'read'), o.ownerId, 'opportunity');
    const history = await this.db
      .getRepository(StageHistoryRow)
      .find({ where: { opportunityId }, order: { seq: 'ASC' } });
    const end = o.closedAt ?? new Date();
    const stageHistory = history.map((h) => ({
      stage: h.stage,
      enteredAt: h.enteredAt,
      leftAt: h.leftAt,
      durationMs: (h.leftAt ?? end).getTime() - h.enteredAt.getTime(),
    }));
    const quotes = await this.db
      .getRepository(QuoteRow)
      .find({ where: { opportunityId }, order: { updatedAt: 'ASC' } });
    return {
      ...presentOpportunity(o),
      stageHistory,
      quotes: quotes.map((q) => ({ quoteId: q.quoteId, status: q.status, total: money(q.total) })),
    };
  }

  /** A quote, for a caller whose scope has the owner of its opportunity. */
  async quote(quoteId: string, caller?: Principal) {
    const q = await this.db.getRepository(QuoteRow).findOneBy({ quoteId });
    if (!q) throw notFound('QUOTE_NOT_FOUND', 'no quote with this id', { quoteId });
    const scope = recordScope(caller, 'read');
    if (!scope.all) {
      const opportunity = await this.db
        .getRepository(OpportunityRow)
        .findOneBy({ opportunityId: q.opportunityId });
      assertInScope(scope, opportunity?.ownerId, 'quote');
    }
    return {
      ...q,
      subtotal: money(q.subtotal),
      discount: money(q.discount),
      total: money(q.total),
      maxDiscountPercent: money(q.maxDiscountPercent),
    };
  }
}
