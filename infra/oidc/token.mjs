// Prints, as its last line, an access token for the CRM API from the local OpenID provider:
//   node infra/oidc/token.mjs <role or login> [--audience <aud>]
// A user (sales_rep, rep-2, sales_manager, ...) signs in as a browser would, with the
// authorization code grant and PKCE (RFC 7636): authorization request, the provider's sign-in
// form, its redirect with the code, the code exchanged at the token endpoint. `integrator` is a
// service: client credentials. OIDC_ISSUER_URL (default http://127.0.0.1:9400), OIDC_AUDIENCE.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { URLSearchParams, fileURLToPath } from 'node:url';
import { loadKeys } from './keys.mjs';
import { demoUser, serviceClient } from './demo-users.mjs';
import { CLI_REDIRECT_URI } from './provider.mjs';

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** A cookie jar of one sign-in: names and values, whatever the path (one host, one flow). */
class Browser {
  cookies = new Map();

  async go(url, init = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    await response.arrayBuffer();
    return response;
  }
}

async function discover(issuer) {
  const response = await fetch(new URL('.well-known/openid-configuration', `${issuer.replace(/\/$/, '')}/`));
  if (!response.ok) throw new Error(`${issuer} answered ${response.status} for its OpenID configuration`);
  return response.json();
}

async function tokenRequest(endpoint, form, headers = {}) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`token endpoint: ${body.error}: ${body.error_description}`);
  return body.access_token;
}

/** Signs the demo user in and exchanges the code: authorization code grant with PKCE. */
async function userToken(config, user, audience, password) {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const authorize = new URL(config.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: 'crm-cli',
    response_type: 'code',
    redirect_uri: CLI_REDIRECT_URI,
    scope: 'openid crm',
    resource: audience,
    state,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const browser = new Browser();
  let response = await browser.go(authorize);
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`sign-in stopped at ${response.status} ${response.url}`);
    // Relative to the URL asked (the issuer may name a host only its containers resolve).
    const next = new URL(location, response.url);
    if (next.href.startsWith(CLI_REDIRECT_URI)) {
      if (next.searchParams.get('state') !== state) throw new Error('state mismatch');
      const code = next.searchParams.get('code');
      if (!code) throw new Error(`no code: ${next.searchParams.get('error_description')}`);
      return tokenRequest(config.token_endpoint, {
        grant_type: 'authorization_code',
        client_id: 'crm-cli',
        code,
        redirect_uri: CLI_REDIRECT_URI,
        code_verifier: verifier,
        resource: audience,
      });
    }
    const login = /^\/interaction\/[\w-]+$/.test(next.pathname);
    response = login
      ? await browser.go(`${next.href}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ login: user.login, password }),
        })
      : await browser.go(next);
    if (login && response.status === 401) throw new Error(`sign-in of ${user.login} refused`);
  }
  throw new Error('too many redirects');
}

/** A service's token: client credentials with its secret (from the provider's keys folder). */
async function serviceToken(config, client, audience) {
  const { secrets } = await loadKeys();
  const basic = Buffer.from(`${client.clientId}:${secrets.integratorSecret}`).toString('base64');
  return tokenRequest(
    config.token_endpoint,
    { grant_type: 'client_credentials', scope: 'crm', resource: audience },
    { authorization: `Basic ${basic}` },
  );
}

export async function accessToken(who, options = {}) {
  const issuer = options.issuer ?? process.env.OIDC_ISSUER_URL ?? 'http://127.0.0.1:9400';
  const audience = options.audience ?? process.env.OIDC_AUDIENCE ?? 'api://crm';
  const config = await discover(issuer);
  const client = serviceClient(who);
  if (client) return serviceToken(config, client, audience);
  const user = demoUser(who);
  if (!user) throw new Error(`no demo user or service with the role or login "${who}"`);
  return userToken(config, user, audience, process.env.OIDC_DEMO_PASSWORD ?? 'demo');
}

// Run as a program (through any symlink), not imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [who, flag, value] = process.argv.slice(2);
  if (!who || (flag && flag !== '--audience')) {
    console.error('usage: node infra/oidc/token.mjs <role or login> [--audience <aud>]');
    process.exit(2);
  }
  try {
    console.log(await accessToken(who, flag ? { audience: value } : {}));
  } catch (error) {
    console.error(`token: ${error.message}`);
    process.exit(1);
  }
}
