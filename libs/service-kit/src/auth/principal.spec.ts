import { loadConfig, ServiceConfig } from '../config/service-config';
import { authSettings } from './auth-settings';
import { principalFromClaims } from './principal';
import { inScope, recordScope } from './record-scope';

const mapping = (env: Record<string, string> = {}) =>
  authSettings(loadConfig(ServiceConfig, { PORT: '1', ...env })).mapping;

describe('the caller, from the claims of a verified token', () => {
  it('takes roles, owner id and team from the local provider’s claims', () => {
    const manager = principalFromClaims(
      {
        sub: 'u-mia',
        roles: ['sales_manager'],
        owner_id: 'mia',
        team: ['rep-1', 'rep-2'],
        client_id: 'crm-cli',
      },
      mapping(),
    );
    expect(manager).toEqual({
      subject: 'u-mia',
      roles: ['sales_manager'],
      ownerId: 'mia',
      team: ['rep-1', 'rep-2'],
      clientId: 'crm-cli',
    });
  });

  it('maps another provider’s roles (Keycloak realm roles) and ignores the ones it does not know', () => {
    const keycloak = mapping({
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_ROLE_MAP: JSON.stringify({ 'crm-sales': 'sales_rep', 'crm-boss': ['sales_manager', 'analyst'] }),
      OIDC_TEAMS: JSON.stringify({ '7d1e': ['rep-9'] }),
    });
    const principal = principalFromClaims(
      { sub: '7d1e', realm_access: { roles: ['crm-boss', 'offline_access', 'admin'] } },
      keycloak,
    );
    expect(principal).toMatchObject({
      roles: ['sales_manager', 'analyst', 'admin'],
      ownerId: '7d1e', // no owner claim: the subject
      team: ['rep-9'],
    });
  });

  it('refuses role maps that name no role of ours, at start-up', () => {
    expect(() =>
      loadConfig(ServiceConfig, { PORT: '1', OIDC_ROLE_MAP: JSON.stringify({ x: 'superuser' }) }),
    ).toThrow(/OIDC_ROLE_MAP: "x" must map to roles of sales_rep/);
    expect(() => loadConfig(ServiceConfig, { PORT: '1', OIDC_TEAMS: '[1]' })).toThrow(/OIDC_TEAMS/);
  });
});

describe('whose records a caller may read and change', () => {
  const caller = (roles: string[], ownerId = 'rep-1', team: string[] = []) =>
    principalFromClaims({ sub: `u-${ownerId}`, roles, owner_id: ownerId, team }, mapping());

  it('a rep: their own; a manager: their team; an admin: everyone', () => {
    const rep = recordScope(caller(['sales_rep']), 'write');
    expect([inScope(rep, 'rep-1'), inScope(rep, 'rep-2'), inScope(rep, null)]).toEqual([true, false, false]);
    const manager = recordScope(caller(['sales_manager'], 'mia', ['rep-1']), 'write');
    expect([inScope(manager, 'rep-1'), inScope(manager, 'mia'), inScope(manager, 'rep-2')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(recordScope(caller(['admin']), 'write')).toEqual({ all: true });
  });

  it('analysts read everything and change nothing; several roles add up', () => {
    expect(recordScope(caller(['analyst']), 'read')).toEqual({ all: true });
    expect(recordScope(caller(['analyst']), 'write')).toEqual({ all: false, owners: [] });
    const both = caller(['sales_rep', 'analyst']);
    expect(recordScope(both, 'read')).toEqual({ all: true });
    expect(recordScope(both, 'write')).toEqual({ all: false, owners: ['rep-1'] });
  });
});
