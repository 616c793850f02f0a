/**
 * The organisation's roles on the CRM API, as the identity provider's tokens carry them (after
 * OIDC_ROLE_MAP): every route allows some of them (`@Roles`), and some of them are limited to
 * their own or their team's records (see record-scope.ts).
 */
export const ROLES = [
  'sales_rep',
  'sales_manager',
  'support_agent',
  'support_manager',
  'marketer',
  'analyst',
  'integrator',
  'admin',
  'customer',
] as const;

export type Role = (typeof ROLES)[number];

/**
 * The organisation's people and service clients: every role but `customer`, the requester who
 * signs in to reach their own cases (their token's owner claim is their customer id).
 */
export const STAFF_ROLES = ROLES.filter((role) => role !== 'customer') as [Role, ...Role[]];

/** A caller who is only a customer: they reach only what is theirs (their owner id is their customer id). */
export const isCustomerOnly = (roles: readonly Role[]) =>
  roles.length > 0 && roles.every((role) => role === 'customer');

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
