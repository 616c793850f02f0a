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
] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
