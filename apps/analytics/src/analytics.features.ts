import type { Provider, Type } from '@nestjs/common';
import { customerDataExporters } from '@crm/service-kit';
import { Customer360Exporter } from './customer/customer-360.exporter';
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
export const ANALYTICS_PROVIDERS: Provider[] = [
  CustomerQueries,
  ...DASHBOARD_PROVIDERS,
  // The customer 360 in the data subject export (GET /privacy/customers/:customerId/export).
  ...customerDataExporters(Customer360Exporter),
];
