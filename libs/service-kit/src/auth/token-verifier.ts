import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthSettings } from './auth-settings';
import { principalFromClaims, type Principal } from './principal';

/** The token is not one this API accepts: 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export class TokenRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejected';
  }
}

/** The identity provider's configuration or keys could not be fetched: 503, retry later. */
export class IdentityProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityProviderUnavailable';
  }
}

const FETCH_TIMEOUT_MS = 5_000;

/** Why a token is refused, for the client (never a key, a claim value or a stack). */
const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'the token is not valid for this API',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is not valid',
  ERR_JWKS_NO_MATCHING_KEY: 'the token is not signed by a key of the identity provider',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'the token does not say which key signed it',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token signature algorithm is not accepted',
  ERR_JOSE_NOT_SUPPORTED: 'the token signature algorithm is not accepted',
  ERR_JWS_INVALID: 'the token is malformed',
  ERR_JWT_INVALID: 'the token is malformed',
};

/** Failures of the identity provider itself (its key set could not be fetched or read), not of the token. */
const PROVIDER_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

function classify(error: unknown): Error {
  if (!(error instanceof errors.JOSEError) || PROVIDER_FAILURES.has(error.code)) {
    return new IdentityProviderUnavailable('the identity provider did not answer with its keys', {
      cause: error,
    });
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return new TokenRejected('the token is for another audience');
  }
  return new TokenRejected(REASONS[error.code] ?? 'the token is not valid');
}

/**
 * Validates bearer tokens the way any OpenID Connect resource server does, with jose: the issuer's
 * discovery document names its key set (`jwks_uri`), fetched once and again for a key id it does
 * not know yet (key rotation), at most every 30 s; then signature (RS256, ES256, PS256 as
 * configured; never `none`), issuer, audience, expiry with the configured clock skew, `sub`.
 */
export class TokenVerifier {
  private keys: Promise<{ issuer: string; keySet: JWTVerifyGetKey }> | undefined;

  /**
   * @param keysCooldownMs how long after fetching the key set an unknown key id may not fetch it
   * again: a token of a key published since is refused (401) until then.
   */
  constructor(
    private readonly settings: AuthSettings,
    private readonly keysCooldownMs = 30_000,
  ) {}

  async verify(token: string): Promise<Principal> {
    const { issuer, keySet } = await this.discover();
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      });
      return principalFromClaims(payload, this.settings.mapping);
    } catch (error) {
      throw classify(error);
    }
  }

  /** Fetches the discovery document and the keys ahead of the first request. */
  async warmUp(): Promise<void> {
    const { keySet } = await this.discover();
    await (keySet as JWTVerifyGetKey & { reload(): Promise<void> }).reload().catch((error: unknown) => {
      throw classify(error);
    });
  }

  /** The issuer's `iss` value and key set; a failed discovery is tried again on the next request. */
  private discover() {
    this.keys ??= this.fetchDiscovery().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async fetchDiscovery() {
    const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (cause) {
      throw new IdentityProviderUnavailable(
        `the identity provider's configuration (${url}) could not be read`,
        {
          cause,
        },
      );
    }
    const { issuer, jwks_uri: jwksUri } = document;
    // The document must be the configured issuer's own (OpenID Connect Discovery 1.0, §4.3); its
    // spelling (a trailing slash or not) is the one its tokens carry.
    if (typeof issuer !== 'string' || issuer.replace(/\/+$/, '') !== this.settings.issuer.replace(/\/+$/, ''))
      throw new IdentityProviderUnavailable(`${url} names another issuer (${String(issuer)})`);
    if (typeof jwksUri !== 'string') throw new IdentityProviderUnavailable(`${url} names no jwks_uri`);
    const keySet = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cooldownDuration: this.keysCooldownMs,
      cacheMaxAge: 10 * 60_000,
    });
    return { issuer, keySet };
  }
}
