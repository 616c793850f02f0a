import type { Request } from 'express';
import type { JWTPayload } from 'jose';
import { isRole, type Role } from './roles';

/** Who sent a request, from the identity provider's verified token. */
export interface Principal {
  /** The token's `sub`: the actor recorded in the metadata of every event the request writes. */
  subject: string;
  roles: Role[];
  /** The owner id records are assigned to (the owner claim, else `sub`). */
  ownerId: string;
  /** Owner ids of the people this one manages (the team claim and OIDC_TEAMS). */
  team: string[];
  /** The OAuth client the token was issued to (`client_id`, or `azp`), when it says. */
  clientId?: string;
}

/** How a token's claims become a principal (from the service's configuration). */
export interface ClaimMapping {
  /** Claim holding the roles; a dotted path reaches into objects (Keycloak: `realm_access.roles`). */
  rolesClaim: string;
  /** The identity provider's role names to ours; a role of ours is taken as is. */
  roleMap: Record<string, Role[]>;
  ownerClaim: string;
  teamClaim: string;
  /** Owner ids each manager (by owner id) manages, for identity providers without a team claim. */
  teams: Record<string, string[]>;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined,
      payload,
    );
}

/** A claim as a list of strings: an array's strings, or a space- or comma-separated string. */
function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

export function principalFromClaims(payload: JWTPayload, mapping: ClaimMapping): Principal {
  const subject = payload.sub!;
  const roles = new Set<Role>();
  for (const name of strings(claimAt(payload, mapping.rolesClaim))) {
    for (const role of mapping.roleMap[name] ?? (isRole(name) ? [name] : [])) roles.add(role);
  }
  const owner = claimAt(payload, mapping.ownerClaim);
  const ownerId = typeof owner === 'string' && owner !== '' ? owner : subject;
  const team = new Set([...strings(claimAt(payload, mapping.teamClaim)), ...(mapping.teams[ownerId] ?? [])]);
  team.delete(ownerId);
  const client = payload.client_id ?? payload.azp;
  return {
    subject,
    roles: [...roles],
    ownerId,
    team: [...team],
    ...(typeof client === 'string' ? { clientId: client } : {}),
  };
}

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

/** The principal the auth guard verified for this request; undefined on public routes. */
export const principalOf = (request: Request): Principal | undefined => (request as WithPrincipal)[PRINCIPAL];

export function setPrincipal(request: Request, principal: Principal): void {
  (request as WithPrincipal)[PRINCIPAL] = principal;
}
