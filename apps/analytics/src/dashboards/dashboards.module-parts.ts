import { CustomerValueDashboardQuery } from './customer-value.dashboard';
import { FunnelDashboardQuery } from './funnel.dashboard';
import { MarketingDashboardQuery } from './marketing.dashboard';
import { PipelineDashboardQuery } from './pipeline.dashboard';
import { ServiceDashboardQuery } from './service.dashboard';

export { DashboardsController } from './dashboards.controller';
export { dashboardsProjector } from './dashboards.projector';

/** The dashboards' query classes (ANALYTICS_PROVIDERS). */
export const DASHBOARD_PROVIDERS = [
  FunnelDashboardQuery,
  PipelineDashboardQuery,
  ServiceDashboardQuery,
  MarketingDashboardQuery,
  CustomerValueDashboardQuery,
];
