import { NestFactory } from '@nestjs/core';
import { declaredRoutes, type DeclaredRoute } from '@crm/service-kit';

/**
 * The HTTP routes of a service's root module, each with the access it declares, from a Nest
 * application built in process (nothing connects: it is never initialized or listening).
 */
export async function declaredRoutesOf(module: unknown): Promise<DeclaredRoute[]> {
  const app = await NestFactory.create(module as never, { logger: false, abortOnError: false });
  try {
    return declaredRoutes(app);
  } finally {
    await app.close();
  }
}

/** `{ 'POST /leads': 'sales_rep, sales_manager, admin', 'GET /health/live': 'anyone', ... }`. */
export function accessTable(routes: DeclaredRoute[]): Record<string, string> {
  const describe = ({ access }: DeclaredRoute) => {
    if (!access) return 'UNDECLARED';
    if ('public' in access) return 'anyone';
    const roles = access.roles.join(', ');
    return access.publicWhen ? `anyone while ${access.publicWhen}, else ${roles}` : roles;
  };
  return Object.fromEntries(routes.map((route) => [`${route.method} ${route.path}`, describe(route)]));
}

/**
 * Who may call the routes every service gets from the platform (health, metrics, dead letters,
 * audit, privacy export, AsyncAPI), as {@link accessTable} writes them: a service's route table is
 * these and its own.
 */
export const PLATFORM_ROUTE_ACCESS: Readonly<Record<string, string>> = {
  'GET /health/live': 'anyone',
  'GET /health/ready': 'anyone',
  'GET /metrics': 'anyone while METRICS_PUBLIC, else admin',
  'GET /dead-letters': 'admin',
  'POST /dead-letters/replay': 'admin',
  'POST /dead-letters/:id/replay': 'admin',
  'GET /audit/events': 'admin',
  'GET /privacy/customers/:customerId/export': 'admin',
  'GET /asyncapi.json': 'integrator, admin',
};
