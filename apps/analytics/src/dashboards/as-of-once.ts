import { AS_OF_SQL } from './as-of-session';

/**
 * `with`-clause item naming the as-of instant `asof.t`, computed once per statement. Inlined (as
 * AS_OF_CTE is, referenced once), the setting is read and parsed for every row it is compared
 * with: at 100,000 customers a third of the funnel visits' time and most of the attribution scan's.
 * Materialized, it is one value, usable as an index condition (funnel_visit's entered_at).
 */
export const AS_OF_ONCE = `asof as materialized (select ${AS_OF_SQL} as t)`;
