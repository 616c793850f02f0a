import { dashboardsProjector } from '../dashboards/dashboards.projector';
import { attributionProjector } from './attribution.projector';
import { campaignProjector } from './campaign.projector';
import { customerProjector } from './customer.projector';
import { funnelVisitProjector } from './funnel-visit.projector';
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
  // Per customer after each batch: the dashboards' sale attribution and funnel visits.
  attributionProjector,
  funnelVisitProjector,
  // No tables of its own: the dashboards' views over the tables above.
  dashboardsProjector,
];
