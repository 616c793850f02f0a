import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { notFound } from '@crm/decider';
import { READ_MODEL_DB, assertInScope, recordScope, type Principal } from '@crm/service-kit';
import type { ListLeadsQuery } from './lead.dto';
import { LeadEngagement, LeadSummary } from './lead.read-model';

export interface LeadPage {
  items: LeadSummary[];
  page: number;
  pageSize: number;
  total: number;
}

/**
 * Reads from the lead projection only; never from the event store. A caller sees the leads of
 * their read scope only (a rep their own, a manager their team's): 403 for another's lead, lists
 * filtered to theirs.
 */
@Injectable()
export class LeadQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async byId(leadId: string, caller?: Principal): Promise<LeadSummary & { engagements: LeadEngagement[] }> {
    const lead = await this.db.getRepository(LeadSummary).findOneBy({ leadId });
    if (!lead) throw notFound('LEAD_NOT_FOUND', 'no lead with this id', { leadId });
    assertInScope(recordScope(caller, 'read'), lead.ownerId, 'lead');
    const engagements = await this.db
      .getRepository(LeadEngagement)
      .find({ where: { leadId }, order: { occurredAt: 'ASC' } });
    return { ...lead, engagements };
  }

  async list(query: ListLeadsQuery, caller?: Principal): Promise<LeadPage> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const qb = this.db.getRepository(LeadSummary).createQueryBuilder('l');
    const scope = recordScope(caller, 'read');
    if (!scope.all) qb.andWhere('l.owner_id = ANY(:owners)', { owners: scope.owners });
    if (query.status) qb.andWhere('l.status = :status', { status: query.status });
    if (query.ownerId) qb.andWhere('l.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.channel) qb.andWhere('l.channel = :channel', { channel: query.channel });
    if (query.minScore !== undefined) qb.andWhere('l.score >= :minScore', { minScore: query.minScore });
    if (query.maxScore !== undefined) qb.andWhere('l.score <= :maxScore', { maxScore: query.maxScore });
    const [items, total] = await qb
      .orderBy('l.captured_at', 'DESC')
      .addOrderBy('l.lead_id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, page, pageSize, total };
  }
}
