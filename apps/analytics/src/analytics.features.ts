import type { Provider, Type } from '@nestjs/common';
import { CustomerController } from './customer/customer.controller';
import { CustomerQueries } from './customer/customer.queries';
import { DashboardPageController } from './dashboard-page/dashboard-page.controller';
import { DASHBOARD_PROVIDERS, DashboardsController } from './dashboards/dashboards.module-parts';

/**
 * The HTTP features of the service (customer 360, dashboards): their controllers and providers,
 * added here, are mounted by AnalyticsModule beside the platform's and the rebuild routes.
 */
export const ANALYTICS_CONTROLLERS: Type<unknown>[] = [
  CustomerController,
  DashboardsController,
  DashboardPageController,
];
export const ANALYTICS_PROVIDERS: Provider[] = [CustomerQueries, ...DASHBOARD_PROVIDERS];
