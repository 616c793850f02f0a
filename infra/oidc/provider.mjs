// The configuration of the local OpenID provider (oidc-provider): real signed JWT access tokens
// for the CRM API (RFC 9068, via resource indicators, RFC 8707), carrying the user's roles, owner
// id and team; the authorization code grant with PKCE for users, client credentials for services.
import Provider, { errors } from 'oidc-provider';
import { SERVICE_CLIENTS, USERS, userClaims } from './demo-users.mjs';

/** The CRM API's scope; every access token for it carries it. */
const API_SCOPE = 'crm';
/** Another API of the organisation: a token for it must not open the CRM (wrong audience). */
export const OTHER_AUDIENCE = 'api://intranet';
/** Where the command-line client's codes go: a loopback URI nothing listens on (RFC 8252). */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';
/**
 * The analytics dashboard page (apps/analytics, `GET /dashboard`): a browser application, so a
 * public web client (no secret: PKCE protects its codes) whose codes return to the page itself.
 */
export const DASHBOARD_CLIENT_ID = 'crm-dashboard';
/** Where the dashboard is served: the analytics service's default port, by address and by name. */
export const DASHBOARD_REDIRECT_URIS = ['http://127.0.0.1:3005/dashboard', 'http://localhost:3005/dashboard'];

export const subjectOf = (login) => `u-${login}`;
const userOf = (subject) => USERS.find((u) => subjectOf(u.login) === subject);

/**
 * A browser may call the token endpoint from the origin of one of its client's redirect URIs
 * (CORS), for a public client only: oidc-provider's default rule, stated here.
 */
function clientBasedCORS(_ctx, origin, client) {
  if (origin === 'null' || client.clientAuthMethod !== 'none') return false;
  return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
}

/**
 * @param {{ issuer: string, audience: string, jwks: object, secrets: object, accessTokenTtl: number, signingAlg: string, dashboardRedirectUris?: string[] }} options
 */
export function createProvider({
  issuer,
  audience,
  jwks,
  secrets,
  accessTokenTtl,
  signingAlg,
  dashboardRedirectUris = DASHBOARD_REDIRECT_URIS,
}) {
  const resources = [audience, OTHER_AUDIENCE];
  return new Provider(issuer, {
    clients: [
      {
        client_id: 'crm-cli',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [CLI_REDIRECT_URI],
      },
      {
        client_id: DASHBOARD_CLIENT_ID,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: dashboardRedirectUris,
      },
      ...SERVICE_CLIENTS.map(({ clientId }) => ({
        client_id: clientId,
        client_secret: secrets.integratorSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    jwks,
    cookies: { keys: secrets.cookieKeys },
    clientBasedCORS,
    scopes: ['openid', 'profile', API_SCOPE],
    claims: { openid: ['sub'], profile: ['name'] },
    async findAccount(_ctx, subject) {
      const user = userOf(subject);
      return user && { accountId: subject, claims: () => ({ sub: subject, name: user.name }) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource) {
          if (!resources.includes(resource)) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: resource,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg } },
          };
        },
      },
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind === 'ClientCredentials') {
        const client = SERVICE_CLIENTS.find((c) => c.clientId === token.clientId);
        return client && { roles: client.roles };
      }
      const user = userOf(token.accountId);
      return user && userClaims(user);
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: () => accessTokenTtl,
      ClientCredentials: () => accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  });
}
