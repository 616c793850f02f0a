import type { Provider, Type } from '@nestjs/common';
import { CustomerController } from './customer/customer.controller';
import { CustomerQueries } from './customer/customer.queries';

/**
 * The HTTP features of the service (customer 360, dashboards): their controllers and providers,
 * added here, are mounted by AnalyticsModule beside the platform's and the rebuild routes.
 */
export const ANALYTICS_CONTROLLERS: Type<unknown>[] = [CustomerController];
export const ANALYTICS_PROVIDERS: Provider[] = [CustomerQueries];
