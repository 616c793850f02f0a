import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { decodeCaseCursor, encodeCaseCursor } from './case-cursor';
import type { CaseListItem, CasePage, ListCasesQuery } from './case-list.dto';

/** A row of `service.case` as PostgreSQL answers it. */
interface CaseRecord {
  case_id: string;
  customer_id: string;
  known_customer: boolean;
  status: string;
  case_type: string;
  priority: string;
  channel: string;
  queue: string;
  assignee_id: string | null;
  subject: string;
  requester_name: string | null;
  requester_email: string | null;
  requester_phone: string | null;
  product_ref: string | null;
  policy_id: string;
  policy_version: number;
  opened_at: Date;
  first_response_at: Date | null;
  solved_at: Date | null;
  closed_at: Date | null;
  breached: boolean;
  csat: number | null;
  nps: number | null;
  nps_category: string | null;
  revision: number;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

const item = (r: CaseRecord): CaseListItem => ({
  caseId: r.case_id,
  customerId: r.customer_id,
  knownCustomer: r.known_customer,
  status: r.status,
  caseType: r.case_type,
  priority: r.priority,
  channel: r.channel,
  queue: r.queue,
  assigneeId: r.assignee_id,
  subject: r.subject,
  requester: { name: r.requester_name, email: r.requester_email, phone: r.requester_phone },
  productRef: r.product_ref,
  policyId: r.policy_id,
  policyVersion: r.policy_version,
  openedAt: r.opened_at.toISOString(),
  firstResponseAt: iso(r.first_response_at),
  solvedAt: iso(r.solved_at),
  closedAt: iso(r.closed_at),
  breached: r.breached,
  csat: r.csat,
  nps: r.nps,
  npsCategory: r.nps_category,
  revision: r.revision,
});

/**
 * The case list, from the `service.case` read model only (never the event store): filtered,
 * newest first (opening instant, then case id), paged by offset or by cursor.
 */
@Injectable()
export class CaseQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  /**
   * The cases matching every filter of `query`. `onlyCustomerId`, when given, restricts the list
   * to that customer's cases whatever the filters say (a requester sees only their own).
   */
  async list(query: ListCasesQuery, onlyCustomerId?: string): Promise<CasePage> {
    const limit = query.limit ?? 50;
    const after = query.cursor === undefined ? undefined : decodeCaseCursor(query.cursor);
    const rows: CaseRecord[] = await this.db.query(
      `SELECT * FROM service.case
        WHERE ($1::text[] IS NULL OR status = ANY($1))
          AND ($2::text IS NULL OR case_type = $2)
          AND ($3::text IS NULL OR priority = $3)
          AND ($4::text IS NULL OR queue = $4)
          AND ($5::text IS NULL OR assignee_id = $5)
          AND ($6::uuid IS NULL OR customer_id = $6)
          AND ($7::uuid IS NULL OR customer_id = $7)
          AND ($8::boolean IS NULL OR breached = $8)
          AND ($9::timestamptz IS NULL OR (opened_at, case_id) < ($9, $10::uuid))
        ORDER BY opened_at DESC, case_id DESC
        LIMIT $11 OFFSET $12`,
      [
        query.status ?? null,
        query.caseType ?? null,
        query.priority ?? null,
        query.queue ?? null,
        query.assigneeId ?? null,
        query.customerId ?? null,
        onlyCustomerId ?? null,
        query.breached ?? null,
        after?.openedAt ?? null,
        after?.caseId ?? null,
        limit + 1,
        query.offset ?? 0,
      ],
    );
    const items = rows.slice(0, limit).map(item);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items,
      limit,
      ...(last ? { next: encodeCaseCursor({ openedAt: last.opened_at, caseId: last.case_id }) } : {}),
    };
  }
}
