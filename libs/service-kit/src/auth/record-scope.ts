import { forbidden, type Decider, type DomainEvent } from '@crm/decider';
import type { Principal } from './principal';
import type { Role } from './roles';

/** Whose records a caller may read or change: all of them, or those of some owners only. */
export type RecordScope = { all: true } | { all: false; owners: readonly string[] };

export type RecordAccess = 'read' | 'write';

const ALL: RecordScope = { all: true };

/**
 * The record-level rule for owned records (leads, opportunities and what belongs to them), per
 * role: a sales rep reads and changes their own, a sales manager their own and their team's,
 * admins everything; analysts, integrators, marketers and support read everything and change no
 * one's; a customer none (they reach only their own cases, in the service desk). A caller with several roles gets the union. Callers without a principal (public routes,
 * reactions to events) are not limited.
 */
const RULES: Record<Role, Record<RecordAccess, 'all' | 'own' | 'team' | 'none'>> = {
  admin: { read: 'all', write: 'all' },
  sales_manager: { read: 'team', write: 'team' },
  sales_rep: { read: 'own', write: 'own' },
  analyst: { read: 'all', write: 'none' },
  integrator: { read: 'all', write: 'none' },
  marketer: { read: 'all', write: 'none' },
  support_agent: { read: 'all', write: 'none' },
  support_manager: { read: 'all', write: 'none' },
  customer: { read: 'none', write: 'none' },
};

export function recordScope(principal: Principal | undefined, access: RecordAccess): RecordScope {
  if (!principal) return ALL;
  const owners = new Set<string>();
  for (const role of principal.roles) {
    const rule = RULES[role][access];
    if (rule === 'all') return ALL;
    if (rule === 'own' || rule === 'team') owners.add(principal.ownerId);
    if (rule === 'team') principal.team.forEach((owner) => owners.add(owner));
  }
  return { all: false, owners: [...owners] };
}

export const inScope = (scope: RecordScope, ownerId: string | null | undefined): boolean =>
  scope.all || (ownerId !== null && ownerId !== undefined && scope.owners.includes(ownerId));

/** 403 NOT_RECORD_OWNER: the record belongs to someone outside the caller's scope. */
export const notRecordOwner = (what: string) =>
  forbidden('NOT_RECORD_OWNER', `this ${what} belongs to an owner outside your scope`);

/** Throws NOT_RECORD_OWNER unless the owner is in scope. */
export function assertInScope(scope: RecordScope, ownerId: string | null | undefined, what: string): void {
  if (!inScope(scope, ownerId)) throw notRecordOwner(what);
}

/**
 * The owner a record created by this caller gets when the request names none: their own, when
 * they may only change their own or their team's records; otherwise none (the service decides).
 */
export const defaultOwner = (principal: Principal | undefined, scope: RecordScope): string | undefined =>
  principal && !scope.all && scope.owners.length > 0 ? principal.ownerId : undefined;

/**
 * The decider, refusing (NOT_RECORD_OWNER) any command on an existing aggregate whose owner is out
 * of scope. The check runs on the state each attempt of the command handler loads, so an owner
 * changed concurrently is seen before anything is appended.
 */
export function withinScope<C, S, E extends DomainEvent>(
  decider: Decider<C, S, E>,
  ownerOf: (state: S) => string | null | undefined,
  exists: (state: S) => boolean,
  scope: RecordScope,
  what: string,
): Decider<C, S, E> {
  if (scope.all) return decider;
  return {
    ...decider,
    decide: (command, state) => {
      if (exists(state)) assertInScope(scope, ownerOf(state), what);
      return decider.decide(command, state);
    },
  };
}
