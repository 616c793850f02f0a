import { dashboardsProjector } from '../dashboards/dashboards.projector';
import { campaignProjector } from './campaign.projector';
import { customerProjector } from './customer.projector';
import { lifecycleProjector } from './lifecycle.projector';
import { opportunityProjector } from './opportunity.projector';
import type { Projector } from './projector';
import { serviceProjector } from './service.projector';
import { timelineProjector } from './timeline.projector';

/**
 * The read models of every generation, in the order their handlers run for an event: adding one
 * = its projector here. (Owned by the projections; the generation runner and the switch-over read it.)
 */
export const PROJECTORS: Projector[] = [
  customerProjector,
  lifecycleProjector,
  opportunityProjector,
  serviceProjector,
  campaignProjector,
  timelineProjector,
  // No tables of its own: the dashboards' views over the tables above.
  dashboardsProjector,
];
