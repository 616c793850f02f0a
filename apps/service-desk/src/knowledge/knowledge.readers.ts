import { Injectable, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import {
  IdentityProviderUnavailable,
  TokenRejected,
  TokenVerifier,
  authSettings,
  bearerToken,
  type Role,
} from '@crm/service-kit';
import { ServiceDeskConfig } from '../service-desk.config';

export const AGENTS: [Role, ...Role[]] = ['support_agent', 'support_manager', 'admin'];

/**
 * Who reads the knowledge base on its public routes. The auth guard lets anyone through a
 * `@Public()` route without looking at a token, so the principal is unknown there; these routes
 * verify a bearer token themselves when one is sent, as the guard would (same identity provider,
 * issuer, audience and claims): a support agent then reads every article, anyone else the public
 * ones. A token that is sent but not valid is refused (401), not ignored: an agent whose token
 * expired must not silently see less.
 */
@Injectable()
export class KnowledgeReaders {
  private readonly verifier: TokenVerifier;

  constructor(config: ServiceDeskConfig) {
    this.verifier = new TokenVerifier(authSettings(config));
  }

  async isAgent(request: Request): Promise<boolean> {
    const token = bearerToken(request);
    if (!token) return false;
    try {
      const principal = await this.verifier.verify(token);
      return principal.roles.some((role) => AGENTS.includes(role));
    } catch (error) {
      if (error instanceof TokenRejected) {
        request.res?.setHeader('WWW-Authenticate', 'Bearer realm="crm", error="invalid_token"');
        throw new UnauthorizedException({ statusCode: 401, code: 'INVALID_TOKEN', message: error.message });
      }
      if (error instanceof IdentityProviderUnavailable) {
        request.res?.setHeader('Retry-After', '5');
        throw new ServiceUnavailableException({
          statusCode: 503,
          code: 'IDENTITY_PROVIDER_UNAVAILABLE',
          message: 'the identity provider could not be reached to check the token; retry after Retry-After',
          details: { retryAfterSeconds: 5 },
        });
      }
      throw error;
    }
  }
}
