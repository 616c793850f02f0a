import { decodeJwt } from 'jose';
import { ServiceConfig, TokenVerifier, authSettings, loadConfig } from '@crm/service-kit';
import { accessToken, identityProvider } from '@crm/test-support';
import { round } from './stats';

export interface TokenVerificationFigures {
  verifications: number;
  /** The services' verifier (signature with the cached key set, issuer, audience, expiry, roles). */
  verifyMicroseconds: number;
  verificationsPerSecond: number;
  /** Baseline, same run and token: reading the claims without checking anything. */
  decodeOnlyMicroseconds: number;
  /** What checking costs above reading the token. */
  costMicroseconds: number;
}

function timePerCall(iterations: number, op: () => unknown | Promise<unknown>): Promise<number> {
  return (async () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await op();
    return Number(process.hrtime.bigint() - started) / 1_000 / iterations;
  })();
}

/**
 * The cost of token validation per request, measured in process: the services' TokenVerifier on a
 * real token of the identity provider (keys fetched once, as in a running service), against
 * decoding the same token without any check.
 */
export async function benchTokenVerification(iterations: number): Promise<TokenVerificationFigures> {
  const { issuer, audience } = await identityProvider();
  const config = loadConfig(ServiceConfig, { PORT: '1', OIDC_ISSUER_URL: issuer, OIDC_AUDIENCE: audience });
  const verifier = new TokenVerifier(authSettings(config));
  const token = await accessToken('sales_rep');
  await verifier.warmUp();
  await timePerCall(Math.min(iterations, 500), () => verifier.verify(token)); // JIT warm-up
  const verifyMicroseconds = await timePerCall(iterations, () => verifier.verify(token));
  const decodeOnlyMicroseconds = await timePerCall(iterations, () => decodeJwt(token));
  return {
    verifications: iterations,
    verifyMicroseconds: round(verifyMicroseconds),
    verificationsPerSecond: round(1_000_000 / verifyMicroseconds, 0),
    decodeOnlyMicroseconds: round(decodeOnlyMicroseconds),
    costMicroseconds: round(verifyMicroseconds - decodeOnlyMicroseconds),
  };
}
