import { loadConfig } from '@crm/service-kit';
import { PLATFORM_ROUTE_ACCESS, accessTable, declaredRoutesOf } from '@crm/test-support';
import { ServiceDeskConfig } from './service-desk.config';
import { ServiceDeskModule } from './service-desk.module';

const AGENTS = 'support_agent, support_manager, admin';
const MANAGERS = 'support_manager, admin';
const ANALYSTS = 'support_manager, analyst, admin';
const REQUESTERS = `${AGENTS}, customer`;

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
      'POST /cases': REQUESTERS,
      'GET /cases/:id': REQUESTERS,
      'POST /cases/:id/replies': REQUESTERS,
      'POST /cases/:id/status': AGENTS,
      'POST /cases/:id/solve': AGENTS,
      'POST /cases/:id/close': AGENTS,
      'POST /cases/:id/escalate': AGENTS,
      'POST /satisfaction/:token': 'anyone',
      'POST /cases/:id/assignment': AGENTS,
      'GET /cases': REQUESTERS,
      'GET /reports/service/backlog': ANALYSTS,
      'GET /reports/service/workload': ANALYSTS,
      'GET /reports/service/sla-compliance': ANALYSTS,
      'GET /reports/service/response-times': ANALYSTS,
      'GET /reports/service/satisfaction': ANALYSTS,
      'GET /sla': 'support_agent, support_manager, analyst, admin',
      'PUT /sla/calendar': MANAGERS,
      'PUT /sla/policies/:priority': MANAGERS,
      'GET /support/team': 'support_agent, support_manager, analyst, admin',
      'PUT /support/queues/:queue': MANAGERS,
      'PUT /support/agents/:agentId': MANAGERS,
      'POST /knowledge/articles': AGENTS,
      'PUT /knowledge/articles/:id': AGENTS,
      'POST /knowledge/articles/:id/archive': AGENTS,
      'GET /knowledge/articles/:id': 'anyone',
      'GET /knowledge/search': 'anyone',
      'POST /cases/:id/articles': AGENTS,
    });
  });
});
