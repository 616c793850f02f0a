import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { ServiceDeskConfig } from './service-desk.config';
import { ServiceDeskModule } from './service-desk.module';

const AGENTS = 'support_agent, support_manager, admin';

/**
 * Who may call what, for every route Nest registers in the service desk (its own and the
 * platform's), walked through the application: a route without a declaration fails here.
 */
describe('roles of the service desk routes', () => {
  it('lets support agents and managers work cases, and the customer rate through the signed link only', async () => {
    const routes = await declaredRoutesOf(ServiceDeskModule.forRoot(loadConfig(ServiceDeskConfig, {})));
    expect(routes.filter((route) => !route.access)).toEqual([]);
    expect(accessTable(routes)).toEqual({
      ...PLATFORM_ROUTE_ACCESS,
      'POST /cases': AGENTS,
      'GET /cases/:id': AGENTS,
      'POST /cases/:id/replies': AGENTS,
      'POST /cases/:id/status': AGENTS,
      'POST /cases/:id/solve': AGENTS,
      'POST /cases/:id/close': AGENTS,
      'POST /cases/:id/escalate': AGENTS,
      'POST /satisfaction/:token': 'anyone',
    });
  });
});
