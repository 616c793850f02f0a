import type { InProcessService } from '@crm/test-support';
import { SEGMENT_EVALUATION_TIMER } from '../src/segment/segment-evaluation.timers';
import { SEGMENT_TIMERS_SCHEMA } from '../src/segment/segment-time.timers';
import { waitUntil } from './campaign.given';
import type { MarketingReadModel } from './marketing.given';

/** The evaluations of segments not done yet: their timers' rows. */
export const evaluationsUnderWay = async (marketing: InProcessService): Promise<number> => {
  const { rows } = await marketing.runtime.pool.query<{ n: number }>(
    `select count(*)::int as n from ${SEGMENT_TIMERS_SCHEMA}.durable_timers where kind = $1`,
    [SEGMENT_EVALUATION_TIMER],
  );
  return rows[0].n;
};

/**
 * What the service appended relayed to `marketing-segments` (a definition: its evaluation
 * scheduled), every evaluation done by the service's own poller (in chunks, outside the
 * consumer's transaction), and the memberships it recorded relayed.
 */
export async function evaluated(marketing: InProcessService, readModel: MarketingReadModel): Promise<void> {
  await readModel.relay();
  await waitUntil(async () => (await evaluationsUnderWay(marketing)) === 0);
  await readModel.relay();
}
