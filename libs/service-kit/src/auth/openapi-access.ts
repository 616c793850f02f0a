import type { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, problemContent } from '../http/openapi';
import { isPublic } from './access';
import type { AuthSettings } from './auth-settings';
import type { DeclaredRoute } from './route-access';

type Operation = {
  description?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: unknown; headers?: unknown }>;
};

const UNAUTHENTICATED =
  'No access token, or one the API does not accept: expired, for another audience, not signed by the identity provider (UNAUTHENTICATED, INVALID_TOKEN; `WWW-Authenticate: Bearer`)';
const FORBIDDEN =
  "The caller has none of the route's roles (ROLE_NOT_ALLOWED), or the record belongs to an owner outside the caller's scope (NOT_RECORD_OWNER)";
const IDP_DOWN =
  'The identity provider could not be reached to check the token (IDENTITY_PROVIDER_UNAVAILABLE): send the request again after `Retry-After` seconds';

/**
 * The document as the guard enforces it: public operations say `security: []`; the others need
 * the bearer scheme, name their roles, and answer 401 and 403 (a route's own 403 keeps its text).
 */
export function documentAccess(
  document: OpenAPIObject,
  routes: DeclaredRoute[],
  settings: Pick<AuthSettings, 'publicWhen'>,
): OpenAPIObject {
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const operation = (document.paths[path] as Record<string, Operation> | undefined)?.[
      route.method.toLowerCase()
    ];
    if (!operation || !route.access) continue;
    if (isPublic(route.access, settings.publicWhen)) {
      operation.security = [];
      continue;
    }
    const roles = 'roles' in route.access ? route.access.roles : [];
    operation.security = [{ [BEARER_SCHEME]: [] }];
    operation.description = [operation.description, `Roles: ${roles.join(', ')}.`]
      .filter(Boolean)
      .join('\n\n');
    const { responses } = operation;
    responses['401'] ??= { description: UNAUTHENTICATED, content: problemContent };
    responses['403'] ??= { description: FORBIDDEN, content: problemContent };
    const unavailable = responses['503'];
    if (unavailable) unavailable.description = `${unavailable.description}; or: ${IDP_DOWN}`;
    else
      responses['503'] = {
        description: IDP_DOWN,
        content: problemContent,
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
      };
  }
  return document;
}
