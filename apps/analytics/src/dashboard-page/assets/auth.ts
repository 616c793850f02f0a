/**
 * The page's sign-in, in the browser: OpenID Connect authorization code with PKCE (RFC 7636) as a
 * public client, no secret. The verifier and the page to come back to wait in sessionStorage
 * (under the request's `state`) while the provider signs the user in; the access token is kept in
 * sessionStorage for the tab (gone when it closes) and sent as a bearer token to the REST queries.
 */
export const AUTH_JS = String.raw`
const meta = (name) => document.querySelector('meta[name="crm-' + name + '"]').content;
const settings = { issuer: meta('oidc-issuer'), clientId: meta('oidc-client-id'), audience: meta('oidc-audience') };
const TOKEN = 'crm-dashboard:token';
const PENDING = 'crm-dashboard:pending:';
/** Codes come back to the page itself: the redirect URI registered for the client. */
const redirectUri = location.origin + '/dashboard';

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => base64url(crypto.getRandomValues(new Uint8Array(n)));

async function discovery() {
  const response = await fetch(settings.issuer + '/.well-known/openid-configuration');
  if (!response.ok) throw new Error('the identity provider answered ' + response.status);
  return response.json();
}

/** The token's claims (for display only: the API verifies the token). */
function claimsOf(jwt) {
  const part = (jwt.split('.')[1] || '').replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
}

/** Leaves for the provider's sign-in; the browser comes back to /dashboard with a code. */
export async function signIn() {
  if (!crypto.subtle) throw new Error('signing in needs a secure context: open the page over https or on localhost');
  const config = await discovery();
  const verifier = random(32);
  const state = random(16);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const returnTo = location.pathname + location.search + location.hash;
  sessionStorage.setItem(PENDING + state, JSON.stringify({ verifier, returnTo }));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid crm',
    resource: settings.audience,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  return new Promise(() => undefined);
}

/** On the way back from the provider: the code exchanged for a token, the address cleaned. */
async function completeSignIn(params) {
  const state = params.get('state') || '';
  const pending = JSON.parse(sessionStorage.getItem(PENDING + state) || 'null');
  sessionStorage.removeItem(PENDING + state);
  if (params.get('error')) throw new Error('sign-in refused: ' + (params.get('error_description') || params.get('error')));
  if (!pending) throw new Error('this sign-in was not started here (unknown state): reload the page');
  const config = await discovery();
  const response = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code: params.get('code') || '',
      redirect_uri: redirectUri,
      code_verifier: pending.verifier,
      resource: settings.audience,
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error('token endpoint: ' + body.error + ': ' + body.error_description);
  const token = { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  sessionStorage.setItem(TOKEN, JSON.stringify(token));
  history.replaceState(null, '', pending.returnTo || '/dashboard');
  return token;
}

function storedToken() {
  const token = JSON.parse(sessionStorage.getItem(TOKEN) || 'null');
  return token && token.expiresAt > Date.now() + 30000 ? token : null;
}

/** The signed-in user (name, roles), signing in first when there is no valid token. */
export async function session() {
  const params = new URLSearchParams(location.search);
  const returning = location.pathname === '/dashboard' && params.has('state') && (params.has('code') || params.has('error'));
  const token = returning ? await completeSignIn(params) : storedToken() || (await signIn());
  const claims = claimsOf(token.accessToken);
  return { name: claims.name || claims.sub, roles: claims.roles || [] };
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  location.assign('/dashboard');
}

/** An error of the API, with its problem document's code and the fields it names. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem.errors || []).map((e) => e.field + ': ' + e.message).join('; ');
    super((problem.message || 'HTTP ' + status) + (fields ? ' (' + fields + ')' : ''));
    this.status = status;
    this.code = problem.code;
  }
}

/** GET of a REST query with the bearer token; a refused token signs in again. */
export async function get(path, accept = 'application/json') {
  const token = storedToken();
  if (!token) return signIn();
  const response = await fetch(path, { headers: { authorization: 'Bearer ' + token.accessToken, accept } });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN);
    return signIn();
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem);
  }
  return accept === 'application/json' ? response.json() : response.blob();
}
`;
