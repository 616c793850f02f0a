import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import type { ServiceConfig } from '../config/service-config';
import { PROBLEM_JSON, problemDetails } from '../http/error-response';
import { AuthGuard, bearerToken } from './auth.guard';
import { authSettings, type AuthSettings } from './auth-settings';
import { documentAccess } from './openapi-access';
import { assertEveryRouteDeclared, declaredRoutes } from './route-access';
import { TokenVerifier } from './token-verifier';

/**
 * Swagger UI and the OpenAPI document are served outside Nest's router: with DOCS_PUBLIC=false,
 * they need a valid token with any role, as the guard would ask.
 */
function docsNeedToken(verifier: TokenVerifier) {
  return (request: Request, response: Response, next: NextFunction) => {
    const refuse = (statusCode: number, code: string, message: string) => {
      response.setHeader('WWW-Authenticate', 'Bearer realm="crm"');
      const problem = problemDetails({ statusCode, code, message }, request.originalUrl.split('?')[0]);
      response.status(statusCode).type(PROBLEM_JSON).json(problem);
    };
    const token = bearerToken(request);
    if (!token) return refuse(401, 'UNAUTHENTICATED', 'the API documentation needs an access token');
    verifier.verify(token).then(
      (principal) =>
        principal.roles.length > 0 ? next() : refuse(403, 'ROLE_NOT_ALLOWED', 'the token carries no role'),
      () => refuse(401, 'INVALID_TOKEN', 'the access token is not valid'),
    );
  };
}

/**
 * Authentication and authorization of a service's HTTP edge: refuses to start if a route does
 * not declare its access, validates every request's bearer token (AuthGuard), guards /docs when
 * DOCS_PUBLIC=false, and fetches the identity provider's keys ahead of the first request.
 * Answers what the OpenAPI document needs to say about it.
 */
export function installAuth(
  app: NestExpressApplication,
  config: ServiceConfig,
): { settings: AuthSettings; describe: (document: OpenAPIObject) => OpenAPIObject } {
  const settings = authSettings(config);
  const routes = declaredRoutes(app);
  assertEveryRouteDeclared(routes);
  const verifier = new TokenVerifier(settings);
  app.useGlobalGuards(new AuthGuard(app.get(Reflector), verifier, settings));
  if (!settings.publicWhen.DOCS_PUBLIC) app.use(['/docs', '/docs-json'], docsNeedToken(verifier));
  verifier.warmUp().catch((error: unknown) =>
    new Logger('auth').warn({
      msg: 'identity provider not reachable yet',
      issuer: settings.issuer,
      error: String(error),
    }),
  );
  return { settings, describe: (document) => documentAccess(document, routes, settings) };
}
