import {
  ForbiddenException,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { ErrorResponse } from '../http/error-response';
import { isPublic, ROUTE_ACCESS, type RouteAccess } from './access';
import type { AuthSettings } from './auth-settings';
import { setPrincipal, type Principal } from './principal';
import { IdentityProviderUnavailable, TokenRejected, type TokenVerifier } from './token-verifier';

/** Seconds a client waits before trying again while the identity provider is unreachable. */
const IDP_RETRY_AFTER_SECONDS = 5;
const REALM = 'crm';

/** The token of `Authorization: Bearer <token>` (RFC 6750), or undefined. */
export function bearerToken(request: Request): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(request.header('authorization') ?? '');
  return match?.[1];
}

/** A quoted-string of a WWW-Authenticate parameter: no quote or backslash inside. */
const quoted = (text: string) => `"${text.replace(/["\\]/g, '')}"`;

function refuse(response: Response, error: ErrorResponse, challenge: Record<string, string> = {}): never {
  const params = Object.entries({ realm: REALM, ...challenge }).map(([k, v]) => `${k}=${quoted(v)}`);
  response.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
  const Exception = error.statusCode === 401 ? UnauthorizedException : ForbiddenException;
  throw new Exception(error);
}

/**
 * Every HTTP route, before anything of the route runs: its declared access (`@Roles`, `@Public`,
 * `@PublicIf`), a valid bearer token from the identity provider (401 without one), and one of the
 * route's roles (403). The verified principal is then the request's (`principalOf`). A route
 * that declares nothing is refused: services do not start with one (see route-access.ts).
 */
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly settings: AuthSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (!access) {
      throw new ForbiddenException({
        statusCode: 403,
        code: 'ROUTE_NOT_DECLARED',
        message: 'this route declares no roles',
      });
    }
    const token = bearerToken(request);
    // A public route needs no token; one that is sent is checked all the same, and its caller is
    // known to the route (a knowledge article reader who is an agent sees more than the public).
    if (isPublic(access, this.settings.publicWhen)) {
      if (token) setPrincipal(request, await this.authenticate(token, response));
      return true;
    }
    if (!token) {
      refuse(response, {
        statusCode: 401,
        code: 'UNAUTHENTICATED',
        message: 'send an access token of the identity provider: Authorization: Bearer <token>',
      });
    }
    const principal = await this.authenticate(token, response);
    const roles = (access as { roles: readonly string[] }).roles;
    if (!principal.roles.some((role) => roles.includes(role))) {
      refuse(
        response,
        {
          statusCode: 403,
          code: 'ROLE_NOT_ALLOWED',
          message: `this route is for ${roles.join(', ')}`,
          details: { allowedRoles: roles, roles: principal.roles },
        },
        { error: 'insufficient_scope' },
      );
    }
    setPrincipal(request, principal);
    return true;
  }

  /** The token's principal; 401 for a token the identity provider did not issue, 503 when it cannot be reached. */
  private async authenticate(token: string, response: Response): Promise<Principal> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejected) {
        this.logger.debug({ msg: 'token refused', reason: error.message });
        refuse(
          response,
          { statusCode: 401, code: 'INVALID_TOKEN', message: error.message },
          { error: 'invalid_token', error_description: error.message },
        );
      }
      if (error instanceof IdentityProviderUnavailable) {
        this.logger.warn({
          msg: 'identity provider unavailable',
          error: String(error.cause ?? error.message),
        });
        response.setHeader('Retry-After', String(IDP_RETRY_AFTER_SECONDS));
        throw new ServiceUnavailableException({
          statusCode: 503,
          code: 'IDENTITY_PROVIDER_UNAVAILABLE',
          message: 'the identity provider could not be reached to check the token; retry after Retry-After',
          details: { retryAfterSeconds: IDP_RETRY_AFTER_SECONDS },
        } satisfies ErrorResponse);
      }
      throw error;
    }
  }
}
