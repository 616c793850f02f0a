// The local OpenID provider: `node infra/oidc/server.mjs`, on 127.0.0.1:OIDC_PORT (default 9400),
// issuer http://127.0.0.1:<port>. Sessions, grants and tokens live in memory; keys in keys/.
// In a container: OIDC_HOST (bind address, e.g. 0.0.0.0) and OIDC_ISSUER (the public URL clients
// and services reach it at, e.g. http://oidc:9400; tokens carry it as `iss`).
// Users sign in at /interaction/<uid> with their login and OIDC_DEMO_PASSWORD (default `demo`);
// first-party clients get no consent screen. A demo for one machine: never expose it.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { URLSearchParams } from 'node:url';
import { loadKeys } from './keys.mjs';
import { createProvider, subjectOf } from './provider.mjs';
import { USERS } from './demo-users.mjs';

const port = Number(process.env.OIDC_PORT ?? 9400);
const host = process.env.OIDC_HOST || '127.0.0.1';
const issuer = (process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`).replace(/\/$/, '');
const audience = process.env.OIDC_AUDIENCE ?? 'api://crm';
const password = process.env.OIDC_DEMO_PASSWORD ?? 'demo';
/** The analytics dashboard's page URLs (comma-separated), where the browser client's codes go. */
const dashboardRedirectUris = process.env.OIDC_DASHBOARD_REDIRECT_URIS?.split(',')
  .map((uri) => uri.trim())
  .filter(Boolean);
const { jwks, secrets } = await loadKeys();
const provider = createProvider({
  issuer,
  audience,
  jwks,
  secrets,
  accessTokenTtl: Number(process.env.OIDC_ACCESS_TOKEN_TTL ?? 3600),
  signingAlg: process.env.OIDC_SIGNING_ALG ?? 'RS256',
  ...(dashboardRedirectUris?.length ? { dashboardRedirectUris } : {}),
});
const log = (msg, fields = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }));
provider.on('server_error', (_ctx, error) => log('server error', { error: String(error) }));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(res, uid, status = 200, message = '') {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html><head><title>CRM demo sign-in</title><link rel="icon" href="data:,"></head><body>
<h1>CRM demo sign-in</h1>${message ? `<p>${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Login <input name="login" list="users" autofocus></label>
<datalist id="users">${USERS.map((u) => `<option value="${u.login}">${escape(u.roles.join(', '))}</option>`).join('')}</datalist>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>`);
}

async function formOf(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/** The consent of a first-party client: everything it asked for, granted without a screen. */
async function grantAll({ grantId, params, prompt, session }) {
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {}))
    grant.addResourceScope(resource, scopes.join(' '));
  return { consent: { grantId: await grant.save() } };
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'consent') {
    return provider.interactionFinished(req, res, await grantAll(details), { mergeWithLastSubmission: true });
  }
  if (action !== 'login' || req.method !== 'POST') return loginPage(res, uid);
  const form = await formOf(req);
  const user = USERS.find((u) => u.login === form.get('login'));
  if (!user || form.get('password') !== password) {
    log('sign-in refused', { login: form.get('login') });
    return loginPage(res, uid, 401, 'Unknown login or wrong password.');
  }
  log('signed in', { login: user.login });
  return provider.interactionFinished(
    req,
    res,
    { login: { accountId: subjectOf(user.login) } },
    { mergeWithLastSubmission: false },
  );
}

const handle = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return handle(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => {
    log('interaction failed', { error: String(error) });
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${error.message}`);
  });
});
server.listen(port, host, () => {
  // Written once listening: of two providers started at once, the one that serves owns the file.
  if (process.env.OIDC_PID_FILE) writeFileSync(process.env.OIDC_PID_FILE, String(process.pid));
  log('OpenID provider listening', { issuer, audience, host, port });
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
