// The demo organisation of the local OpenID provider: one user per role (two sales reps, so that
// one can be refused another's records), and the integrator as a service client. `owner_id` is
// the owner id records are assigned to (LEAD_OWNERS of scripts/platform.sh are rep-1..rep-3);
// a manager's `team` lists the owner ids they manage.
export const USERS = [
  { login: 'rep-1', name: 'Rita Reyes', roles: ['sales_rep'], manager: 'mia' },
  { login: 'rep-2', name: 'Raj Rao', roles: ['sales_rep'], manager: 'mia' },
  { login: 'mia', name: 'Mia Moreno', roles: ['sales_manager'], team: ['rep-1', 'rep-2', 'rep-3'] },
  { login: 'sam', name: 'Sam Sato', roles: ['support_agent'], manager: 'sue' },
  { login: 'sue', name: 'Sue Silva', roles: ['support_manager'], team: ['sam'] },
  { login: 'max', name: 'Max Meyer', roles: ['marketer'] },
  { login: 'ada', name: 'Ada Alves', roles: ['analyst'] },
  { login: 'root', name: 'Rosa Root', roles: ['admin'] },
  // A requester of the service desk: their owner id is their customer id (a demo customer's).
  { login: 'cora', name: 'Cora Cruz', roles: ['customer'], owner: '7c0ffee0-0000-4000-8000-00000000c0de' },
];

/** Service clients (client_credentials grant): no user, a role of their own. */
export const SERVICE_CLIENTS = [{ clientId: 'crm-integrator', roles: ['integrator'] }];

/** The demo user of a login, or the first one with that role (`sales_rep` is rep-1). */
export const demoUser = (who) =>
  USERS.find((u) => u.login === who) ?? USERS.find((u) => u.roles.includes(who));

export const serviceClient = (who) =>
  SERVICE_CLIENTS.find((c) => c.clientId === who || c.roles.includes(who));

/** What the CRM API needs to know about a user, as claims of its access tokens. */
export function userClaims(user) {
  return {
    name: user.name,
    roles: user.roles,
    owner_id: user.owner ?? user.login,
    ...(user.team ? { team: user.team } : {}),
    ...(user.manager ? { manager: user.manager } : {}),
  };
}
