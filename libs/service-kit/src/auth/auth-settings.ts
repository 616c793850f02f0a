import type { ServiceConfig } from '../config/service-config';
import type { ClaimMapping } from './principal';
import { isRole, ROLES, type Role } from './roles';

/** What the auth guard and the token verifier are configured with (from ServiceConfig). */
export interface AuthSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  mapping: ClaimMapping;
  /** Routes declared `@PublicIf(<setting>)` are public while that setting is true. */
  publicWhen: { METRICS_PUBLIC: boolean; DOCS_PUBLIC: boolean };
}

export type PublicSetting = keyof AuthSettings['publicWhen'];

type AuthConfig = Pick<
  ServiceConfig,
  | 'OIDC_ISSUER_URL'
  | 'OIDC_AUDIENCE'
  | 'OIDC_ALGORITHMS'
  | 'OIDC_CLOCK_TOLERANCE_SECONDS'
  | 'OIDC_ROLES_CLAIM'
  | 'OIDC_ROLE_MAP'
  | 'OIDC_OWNER_CLAIM'
  | 'OIDC_TEAM_CLAIM'
  | 'OIDC_TEAMS'
  | 'METRICS_PUBLIC'
  | 'DOCS_PUBLIC'
>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parse(name: string, text: string | undefined, problems: string[]): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // reported below
  }
  problems.push(`${name}: must be a JSON object`);
  return {};
}

/** `{"CRM.SalesRep": "sales_rep", "CRM.Lead": ["sales_rep", "marketer"]}`: IdP role → our roles. */
function roleMap(text: string | undefined, problems: string[]): Record<string, Role[]> {
  const map: Record<string, Role[]> = {};
  for (const [name, value] of Object.entries(parse('OIDC_ROLE_MAP', text, problems))) {
    const roles = Array.isArray(value) ? value : [value];
    if (roles.every(isRole)) map[name] = roles;
    else problems.push(`OIDC_ROLE_MAP: "${name}" must map to roles of ${ROLES.join(', ')}`);
  }
  return map;
}

/** `{"mia": ["rep-1", "rep-2"]}`: a manager's owner id → the owner ids they manage. */
function teams(text: string | undefined, problems: string[]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const [manager, value] of Object.entries(parse('OIDC_TEAMS', text, problems))) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) map[manager] = value;
    else problems.push(`OIDC_TEAMS: "${manager}" must map to an array of owner ids`);
  }
  return map;
}

function settingsAndProblems(config: AuthConfig): { settings: AuthSettings; problems: string[] } {
  const problems: string[] = [];
  const settings: AuthSettings = {
    issuer: config.OIDC_ISSUER_URL,
    audience: config.OIDC_AUDIENCE,
    algorithms: config.OIDC_ALGORITHMS.split(',').map((alg) => alg.trim()),
    clockToleranceSeconds: config.OIDC_CLOCK_TOLERANCE_SECONDS,
    mapping: {
      rolesClaim: config.OIDC_ROLES_CLAIM,
      roleMap: roleMap(config.OIDC_ROLE_MAP, problems),
      ownerClaim: config.OIDC_OWNER_CLAIM,
      teamClaim: config.OIDC_TEAM_CLAIM,
      teams: teams(config.OIDC_TEAMS, problems),
    },
    publicWhen: { METRICS_PUBLIC: config.METRICS_PUBLIC, DOCS_PUBLIC: config.DOCS_PUBLIC },
  };
  return { settings, problems };
}

export const authSettings = (config: AuthConfig): AuthSettings => settingsAndProblems(config).settings;

/** What is wrong with the JSON settings (OIDC_ROLE_MAP, OIDC_TEAMS), for the config check. */
export const authConfigProblems = (config: AuthConfig): string[] => settingsAndProblems(config).problems;
