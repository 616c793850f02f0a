import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { LeadsConfig } from './leads.config';
import { LeadsModule } from './leads.module';

/**
 * Who may call what, for every route Nest registers in the leads service (its own and the
 * platform's), walked through the application rather than listed by hand: a route without a
 * declaration fails here (and the service refuses to start with one).
 */
describe('roles of the leads routes', () => {
  it('declares who may call every route: reps and managers work leads, analysts only read', async () => {
    const routes = await declaredRoutesOf(LeadsModule.forRoot(loadConfig(LeadsConfig, {})));
    expect(routes.filter((route) => !route.access)).toEqual([]);
    expect(accessTable(routes)).toEqual({
      ...PLATFORM_ROUTE_ACCESS,
      'POST /customers/:customerId/erasure': 'admin',
      'POST /leads': 'sales_rep, sales_manager, admin, marketer',
      'GET /leads': 'sales_rep, sales_manager, admin, marketer, analyst, integrator',
      'GET /leads/:id': 'sales_rep, sales_manager, admin, marketer, analyst, integrator',
      'POST /leads/:id/engagements': 'sales_rep, sales_manager, admin',
      'POST /leads/:id/assign': 'sales_manager, admin',
      'POST /leads/:id/qualify': 'sales_rep, sales_manager, admin',
      'POST /leads/:id/disqualify': 'sales_rep, sales_manager, admin',
      'POST /leads/:id/convert': 'sales_rep, sales_manager, admin',
    });
  });
});
