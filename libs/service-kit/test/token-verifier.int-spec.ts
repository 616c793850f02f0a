import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import {
  LocalIdentityProvider,
  accessToken,
  freePort,
  identityProvider,
  resignedToken,
} from '@crm/test-support';
import {
  IdentityProviderUnavailable,
  ServiceConfig,
  TokenRejected,
  TokenVerifier,
  authSettings,
  loadConfig,
} from '@crm/service-kit';

/**
 * The services' token verifier against the real local identity provider (infra/oidc): its tokens
 * are accepted and their claims become the caller; tokens it did not sign, for another API, out of
 * date or unsigned are refused; a key rotation is followed without a restart.
 */
jest.setTimeout(90_000);

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

function verifierFor(
  issuer: string,
  audience: string,
  env: Record<string, string> = {},
  cooldownMs?: number,
) {
  const config = loadConfig(ServiceConfig, {
    PORT: '1',
    OIDC_ISSUER_URL: issuer,
    OIDC_AUDIENCE: audience,
    ...env,
  });
  return new TokenVerifier(authSettings(config), cooldownMs);
}

let verifier: TokenVerifier;
let manager: string;

beforeAll(async () => {
  const { issuer, audience } = await identityProvider();
  verifier = verifierFor(issuer, audience);
  manager = await accessToken('sales_manager');
});

const refusal = (token: string) =>
  verifier.verify(token).then(
    () => 'accepted',
    (error: Error) => (error instanceof TokenRejected ? error.message : `${error.name}: ${error.message}`),
  );

describe('tokens of the identity provider', () => {
  it("are accepted, the caller's roles, owner id and team taken from them", async () => {
    await expect(verifier.verify(manager)).resolves.toEqual({
      subject: 'u-mia',
      roles: ['sales_manager'],
      ownerId: 'mia',
      team: ['rep-1', 'rep-2', 'rep-3'],
      clientId: 'crm-cli',
    });
    await expect(verifier.verify(await accessToken('integrator'))).resolves.toMatchObject({
      subject: 'crm-integrator',
      roles: ['integrator'],
    });
  });

  it('are refused once expired, past the clock skew allowed, signed by the same key', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await resignedToken(manager, { iat: now - 3700, exp: now - 100 }))).toBe(
      'the token has expired',
    );
    // Within OIDC_CLOCK_TOLERANCE_SECONDS (30 s by default) of its expiry, still accepted.
    expect(await refusal(await resignedToken(manager, { exp: now - 10 }))).toBe('accepted');
  });

  it('are refused when issued for another API, or by another issuer', async () => {
    const intranet = await accessToken('sales_manager', { audience: 'api://intranet' });
    expect(decodeJwt(intranet).aud).toBe('api://intranet');
    expect(await refusal(intranet)).toBe('the token is for another audience');
    expect(await refusal(await resignedToken(manager, { iss: 'https://idp.example' }))).toBe(
      'the token is not valid for this API',
    );
  });
});

describe('tokens the identity provider did not sign', () => {
  it('are refused: another key, a changed payload, no signature at all', async () => {
    const claims = decodeJwt(manager);
    const { privateKey } = await generateKeyPair('RS256');
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker' })
      .sign(privateKey);
    expect(await refusal(otherKey)).toBe('the token is not signed by a key of the identity provider');
    const sameKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(manager).kid! })
      .sign(privateKey);
    expect(await refusal(sameKid)).toBe('the token signature is not valid');
    const [header, , signature] = manager.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    expect(await refusal(`${header}.${promoted}.${signature}`)).toBe('the token signature is not valid');
    expect(await refusal(new UnsecuredJWT(claims).encode())).toBe(
      'the token signature algorithm is not accepted',
    );
  });
});

describe('the identity provider', () => {
  it('unreachable: a token cannot be checked, which is not the caller’s fault', async () => {
    const nowhere = verifierFor(`http://127.0.0.1:${await freePort()}`, 'api://crm');
    await expect(nowhere.verify(manager)).rejects.toBeInstanceOf(IdentityProviderUnavailable);
  });

  it('rotating its keys: tokens of the new key are accepted without a restart, older ones still', async () => {
    const keysDir = await mkdtemp(join(tmpdir(), 'crm-oidc-keys-'));
    const provider = await LocalIdentityProvider.start(await freePort(), keysDir);
    try {
      const own = { issuer: provider.issuer, keysDir };
      const rotating = verifierFor(provider.issuer, 'api://crm', {}, 500);
      const before = await accessToken('rep-1', own);
      await expect(rotating.verify(before)).resolves.toMatchObject({ ownerId: 'rep-1' });
      await run(process.execPath, [join(ROOT, 'infra/oidc/keys.mjs'), 'rotate'], {
        env: { ...process.env, OIDC_KEYS_DIR: keysDir },
      });
      await provider.restart();
      const after = await accessToken('rep-2', own);
      expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
      await new Promise((resolve) => setTimeout(resolve, 600)); // the key set's cool-down
      await expect(rotating.verify(after)).resolves.toMatchObject({ ownerId: 'rep-2' });
      await expect(rotating.verify(before)).resolves.toMatchObject({ ownerId: 'rep-1' });
    } finally {
      await provider.stop();
      await rm(keysDir, { recursive: true, force: true });
    }
  });
});
