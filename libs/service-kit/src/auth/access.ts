import { SetMetadata } from '@nestjs/common';
import type { PublicSetting } from './auth-settings';
import type { Role } from './roles';

/** Who may call a route: anyone, anyone while a setting says so, or callers with one of these roles. */
export type RouteAccess = { public: true } | { roles: readonly Role[]; publicWhen?: PublicSetting };

export const ROUTE_ACCESS = 'crm:route-access';

/**
 * The roles that may call the route (on a method, or on a controller for all of its routes):
 * `@Roles('sales_rep', 'sales_manager', 'admin')`. A caller needs a valid bearer token with one
 * of them: 401 without one, 403 with none of the roles. Every route declares its access: a
 * service with an undeclared route does not start.
 */
export const Roles = (...roles: [Role, ...Role[]]) =>
  SetMetadata(ROUTE_ACCESS, { roles } satisfies RouteAccess);

/** No token needed (health probes). */
export const Public = () => SetMetadata(ROUTE_ACCESS, { public: true } satisfies RouteAccess);

/** Public while `setting` is true (METRICS_PUBLIC, DOCS_PUBLIC); otherwise for these roles. */
export const PublicIf = (setting: PublicSetting, ...roles: [Role, ...Role[]]) =>
  SetMetadata(ROUTE_ACCESS, { roles, publicWhen: setting } satisfies RouteAccess);

/** Whether a route with this access needs no token under these settings. */
export const isPublic = (access: RouteAccess, publicWhen: Record<PublicSetting, boolean>): boolean =>
  'public' in access || (access.publicWhen !== undefined && publicWhen[access.publicWhen]);
