import type {
  ConsentChannel,
  ConsentPurpose,
  CustomerType,
  LifecycleStage,
  SegmentRule,
} from '@crm/contracts';
import type { CustomerProfile } from '../segment/segment.rules';

/** Anything that runs SQL and answers rows: the consumer's `EntityManager` or the `DataSource`. */
export interface Sql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of arbitrary queries
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** A row of `marketing.customer_profile` as PostgreSQL answers it. */
export interface ProfileRow {
  customer_id: string;
  lifecycle_stage: string | null;
  customer_type: string | null;
  country: string | null;
  interests: string[] | null;
  owner_id: string | null;
  won_revenue: string | null;
  last_purchase_at: Date | null;
  open_complaints: number | null;
  csat: string | null;
}

export const PROFILE_COLUMNS = `customer_id, lifecycle_stage, customer_type, country, interests, owner_id,
  won_revenue, last_purchase_at, open_complaints, csat`;

/** What a segment rule sees of a profile row (missing values left out: they match nothing but `neq`). */
export function profileOf(
  row: ProfileRow,
  consents?: ReadonlyArray<{ purpose: ConsentPurpose; channel: ConsentChannel }>,
): CustomerProfile {
  const p: CustomerProfile = { customerId: row.customer_id };
  if (row.lifecycle_stage !== null) p.lifecycleStage = row.lifecycle_stage as LifecycleStage;
  if (row.customer_type !== null) p.customerType = row.customer_type as CustomerType;
  if (row.country !== null) p.country = row.country;
  if (row.interests !== null) p.interests = row.interests;
  if (row.owner_id !== null) p.ownerId = row.owner_id;
  if (row.won_revenue !== null) p.wonRevenue = Number(row.won_revenue);
  if (row.last_purchase_at !== null) p.lastPurchaseAt = row.last_purchase_at.toISOString();
  if (row.open_complaints !== null) p.openComplaints = row.open_complaints;
  if (row.csat !== null) p.csat = Number(row.csat);
  if (consents) p.consents = consents;
  return p;
}

/** Whether a rule tests consent anywhere (then each customer's consent ledger must be read). */
export function testsConsent(rule: SegmentRule): boolean {
  if ('all' in rule) return rule.all.some(testsConsent);
  if ('any' in rule) return rule.any.some(testsConsent);
  if ('not' in rule) return testsConsent(rule.not);
  return 'hasConsent' in rule;
}

/** The profile rows of these customers (every customer: none given). */
export async function profileRows(db: Sql, customerIds?: string[]): Promise<ProfileRow[]> {
  return customerIds
    ? db.query(`select ${PROFILE_COLUMNS} from marketing.customer_profile where customer_id = any($1)`, [
        customerIds,
      ])
    : db.query(`select ${PROFILE_COLUMNS} from marketing.customer_profile order by customer_id`);
}

/**
 * The rows a statement with RETURNING answered: TypeORM's manager answers `[rows, count]` for an
 * UPDATE or DELETE and the rows for an INSERT.
 */
export function returned<T = unknown>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}
