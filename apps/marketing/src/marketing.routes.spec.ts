import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { MarketingConfig } from './marketing.config';
import { MarketingModule } from './marketing.module';

const MARKETERS = 'marketer, admin';
const READERS = 'marketer, analyst, admin';

/**
 * Who may call what, for every route Nest registers in the marketing service (its own and the
 * platform's), walked through the application: a route without a declaration fails here.
 */
describe('roles of the marketing routes', () => {
  it('lets marketers keep the consent ledger and segments, analysts read segments, and the customer confirm through the signed link only', async () => {
    const routes = await declaredRoutesOf(MarketingModule.forRoot(loadConfig(MarketingConfig, {})));
    expect(routes.filter((route) => !route.access)).toEqual([]);
    expect(accessTable(routes)).toEqual({
      ...PLATFORM_ROUTE_ACCESS,
      'POST /customers/:customerId/consents': MARKETERS,
      'POST /customers/:customerId/consents/withdraw': MARKETERS,
      'GET /customers/:customerId/consents': MARKETERS,
      'POST /consents/confirm/:token': 'anyone',
      'POST /customers/:customerId/suppressions': MARKETERS,
      'GET /suppressions': READERS,
      'POST /feedback/bounces': 'integrator, admin',
      'POST /feedback/complaints': 'integrator, admin',
      'POST /segments': MARKETERS,
      'PUT /segments/:id': MARKETERS,
      'POST /segments/preview': MARKETERS,
      'GET /segments': READERS,
      'GET /segments/:id': READERS,
      'GET /segments/:id/members': READERS,
      'POST /campaigns': MARKETERS,
      'POST /campaigns/:id/costs': MARKETERS,
      'PUT /campaigns/:id': MARKETERS,
      'POST /campaigns/:id/schedule': MARKETERS,
      'GET /campaigns/:id': MARKETERS,
      'POST /unsubscribe/:token': 'anyone',
      'GET /t/o/:token': 'anyone',
      'GET /t/c/:token': 'anyone',
      'POST /campaigns/:id/responses': MARKETERS,
      'GET /campaigns/:id/roi': READERS,
      'POST /lists': MARKETERS,
      'GET /lists/:id': READERS,
      'GET /lists/:id/members': READERS,
      'POST /lists/:id/members': MARKETERS,
      'POST /lists/:id/members/remove': MARKETERS,
      'POST /lists/:id/imports': MARKETERS,
      'POST /lists/:id/imports/:importId/chunks': MARKETERS,
      'GET /lists/:id/imports/:importId': READERS,
    });
  });
});
