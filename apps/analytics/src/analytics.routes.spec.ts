import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { AnalyticsConfig } from './analytics.config';
import { AnalyticsModule } from './analytics.module';

const READERS = 'analyst, sales_manager, support_manager, admin';

/**
 * Who may call what, for every route Nest registers in the analytics service (its own and the
 * platform's), walked through the application: a route without a declaration fails here.
 */
describe('roles of the analytics routes', () => {
  it('lets analysts and managers read, admins rebuild, and anyone load the dashboard page (its data needs a token)', async () => {
    const routes = await declaredRoutesOf(AnalyticsModule.forRoot(loadConfig(AnalyticsConfig, {})));
    expect(routes.filter((route) => !route.access)).toEqual([]);
    expect(accessTable(routes)).toEqual({
      ...PLATFORM_ROUTE_ACCESS,
      'GET /customers/:customerId/360': READERS,
      'GET /customers/:customerId/timeline': READERS,
      'GET /dashboards/funnel': READERS,
      'GET /dashboards/pipeline': READERS,
      'GET /dashboards/service': READERS,
      'GET /dashboards/marketing': READERS,
      'GET /dashboards/customer-value': READERS,
      'GET /dashboard': 'anyone',
      'GET /dashboard/assets/:name': 'anyone',
      'GET /dashboard/customer/:customerId': 'anyone',
      'POST /admin/rebuilds': 'admin',
      'GET /admin/rebuilds/current': 'admin, analyst',
    });
  });
});
