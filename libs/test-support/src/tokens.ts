import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload } from 'jose';
import { identityProvider } from './identity-provider';

const ROOT = join(__dirname, '..', '..', '..');

/** Who `callService`, the fuzz and the load of the fault tests call as, unless told otherwise. */
export const DEFAULT_CALLER = 'admin';

/** Renewed this long before it expires. */
const MARGIN_SECONDS = 60;

const cache = new Map<string, Promise<string>>();

/** `node infra/oidc/token.mjs`: the sign-in a user makes (code + PKCE), or a service's client credentials. */
function fetchToken(
  who: string,
  issuer: string,
  audience: string,
  env: Record<string, string>,
): Promise<string> {
  const script = join(ROOT, 'infra/oidc/token.mjs');
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [script, who, '--audience', audience],
      { env: { ...process.env, OIDC_ISSUER_URL: issuer, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`no token for ${who}: ${stderr || String(error)}`));
        resolve(stdout.trim().split('\n').pop()!);
      },
    ),
  );
}

export interface TokenOptions {
  /** Another audience than the services' (`OIDC_AUDIENCE`), e.g. to be refused. */
  audience?: string;
  /** Another provider than the shared one (e.g. a LocalIdentityProvider). */
  issuer?: string;
  /** Its keys folder, for a service client's secret. */
  keysDir?: string;
}

/**
 * A real access token from the identity provider for a demo user, by role or login
 * (`sales_rep` is rep-1, `rep-2`, `sales_manager`, `admin`, ...), or for the `integrator`
 * service; kept until a minute before it expires.
 */
export async function accessToken(who: string, options: TokenOptions = {}): Promise<string> {
  const shared = await identityProvider();
  const issuer = options.issuer ?? shared.issuer;
  const audience = options.audience ?? shared.audience;
  const key = `${issuer} ${audience} ${who}`;
  const cached = cache.get(key);
  if (cached) {
    const token = await cached.catch(() => undefined);
    if (token && (decodeJwt(token).exp ?? 0) - MARGIN_SECONDS > Date.now() / 1000) return token;
  }
  const env: Record<string, string> = options.keysDir ? { OIDC_KEYS_DIR: options.keysDir } : {};
  const fresh = fetchToken(who, issuer, audience, env);
  cache.set(key, fresh);
  return fresh;
}

/** `Bearer <token>` of {@link accessToken}, for an Authorization header. */
export const bearer = async (who: string = DEFAULT_CALLER, options?: TokenOptions): Promise<string> =>
  `Bearer ${await accessToken(who, options)}`;

/**
 * The token with some claims changed (e.g. `exp` in the past), signed again with the very key of
 * the local identity provider that signed it (from its keys folder): only the change differs.
 */
export async function resignedToken(
  token: string,
  changes: JWTPayload,
  keysDir = process.env.OIDC_KEYS_DIR ?? join(homedir(), '.local', 'state', 'crm-oidc', 'keys'),
): Promise<string> {
  const header = decodeProtectedHeader(token);
  const { keys } = JSON.parse(readFileSync(join(keysDir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`key ${header.kid} is not in ${keysDir}: not the local identity provider's`);
  const key = await importJWK(jwk, header.alg);
  return new SignJWT({ ...decodeJwt(token), ...changes })
    .setProtectedHeader({ alg: header.alg!, kid: header.kid!, typ: header.typ! })
    .sign(key);
}
