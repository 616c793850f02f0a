import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { PipelineConfig } from './pipeline.config';
import { PipelineModule } from './pipeline.module';

const EVERYONE =
  'sales_rep, sales_manager, support_agent, support_manager, marketer, analyst, integrator, admin';
const SALES = 'sales_rep, sales_manager, admin';
const SALES_READERS = `${SALES}, analyst, integrator`;

/**
 * Who may call what, for every route Nest registers in the pipeline service (its own and the
 * platform's), walked through the application rather than listed by hand: a route without a
 * declaration fails here (and the service refuses to start with one).
 */
describe('roles of the pipeline routes', () => {
  it('declares who may call every route: only sales managers approve discounts', async () => {
    const routes = await declaredRoutesOf(PipelineModule.forRoot(loadConfig(PipelineConfig, {})));
    expect(routes.filter((route) => !route.access)).toEqual([]);
    expect(accessTable(routes)).toEqual({
      ...PLATFORM_ROUTE_ACCESS,
      'POST /accounts': SALES,
      'GET /accounts/:id': EVERYONE,
      'PATCH /accounts/:id': 'sales_rep, sales_manager, support_agent, support_manager, admin',
      'POST /accounts/:id/contacts': 'sales_rep, sales_manager, support_agent, support_manager, admin',
      'PATCH /accounts/:id/contacts/:contactId':
        'sales_rep, sales_manager, support_agent, support_manager, admin',
      'POST /opportunities': SALES,
      'GET /opportunities': SALES_READERS,
      'GET /opportunities/:id': SALES_READERS,
      'POST /opportunities/:id/stage': SALES,
      'PATCH /opportunities/:id': SALES,
      'POST /opportunities/:id/win': SALES,
      'POST /opportunities/:id/lose': SALES,
      'POST /opportunities/:id/quotes': SALES,
      'GET /quotes/:id': SALES_READERS,
      'PUT /quotes/:id/lines': SALES,
      'POST /quotes/:id/approve-discount': 'sales_manager',
      'POST /quotes/:id/send': SALES,
      'POST /quotes/:id/accept': SALES,
      'POST /quotes/:id/reject': SALES,
      'GET /forecast': 'sales_rep, sales_manager, analyst, admin',
      'GET /reports/win-loss': 'sales_manager, analyst, admin',
      'GET /reports/sales-performance': 'sales_manager, analyst, admin',
    });
  });
});
