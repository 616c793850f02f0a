import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ROUTE_ACCESS, type RouteAccess } from './access';

/** An HTTP route of the application as Nest registered it, with the access it declares. */
export interface DeclaredRoute {
  method: string;
  /** Express style, e.g. `/leads/:id/qualify`. */
  path: string;
  handler: string;
  access: RouteAccess | undefined;
}

const paths = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '/']).map(String);
const join = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every HTTP route of the application: the request handlers of the controllers in its modules
 * (found through Nest's DiscoveryService, as the router finds them), with their `@Roles`,
 * `@Public` or `@PublicIf` access, the method's own or its controller's.
 */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const seen = new Set<string>();
  const routes: DeclaredRoute[] = [];
  for (const { metatype } of discovery.getControllers()) {
    if (!metatype) continue;
    const prototype = metatype.prototype as Record<string, (...args: unknown[]) => unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue; // not a request handler (e.g. an @EventPattern handler)
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const access = reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [handler, metatype]);
      for (const base of paths(Reflect.getMetadata(PATH_METADATA, metatype))) {
        for (const own of paths(path)) {
          const route = { method, path: join(base, own), handler: `${metatype.name}.${name}`, access };
          const key = `${route.method} ${route.path}`;
          if (!seen.has(key)) routes.push(route);
          seen.add(key);
        }
      }
    }
  }
  return routes;
}

/** Throws, naming each one, when a route declares no access: such a service must not start. */
export function assertEveryRouteDeclared(routes: DeclaredRoute[]): void {
  const undeclared = routes.filter((route) => !route.access);
  if (undeclared.length > 0) {
    const list = undeclared.map((r) => `${r.method} ${r.path} (${r.handler})`).join(', ');
    throw new Error(`routes without @Roles, @Public or @PublicIf: ${list}`);
  }
}
