/**
 * Role assignments and the rules for changing them (docs/rbac.md):
 * - a user holds one role per org, per app and per env type; app and env-type roles need an org role first;
 * - only an administrator grants, changes or removes `administrator`, and only an administrator changes an
 *   administrator's role (a manager manages the other roles);
 * - the last administrator of an org cannot be removed or demoted;
 * - removing a user from an org removes their app and env-type roles there; a service user belonging to no org
 *   any more is deleted with its tokens.
 */
import { Conflict, Forbidden, InvalidInput, NotFound } from '../shared/errors.js';
import { nowIso } from '../store/index.js';
import type { AppMemberRow, CoreRepos, EnvTypeMemberRow, Executor, OrgMemberRow, Store } from '../store/index.js';
import type { Page, PageRequest } from '../shared/pagination.js';

export const ORG_ROLE_IDS = ['administrator', 'manager', 'member', 'artefactContributor', 'orgViewer'] as const;
export const APP_ROLE_IDS = ['viewer', 'developer', 'owner'] as const;
export const ENV_TYPE_ROLE_IDS = ['deployer'] as const;
export type OrgRoleId = (typeof ORG_ROLE_IDS)[number];
export type AppRoleId = (typeof APP_ROLE_IDS)[number];

export function checkOrgRole(role: string, field = 'role'): OrgRoleId {
  if (!(ORG_ROLE_IDS as readonly string[]).includes(role)) {
    throw new InvalidInput(`${field}: "${role}" is not an org role (${ORG_ROLE_IDS.join(', ')})`, { field });
  }
  return role as OrgRoleId;
}
function checkAppRole(role: string): AppRoleId {
  if (!(APP_ROLE_IDS as readonly string[]).includes(role)) {
    throw new InvalidInput(`role: "${role}" is not an app role (${APP_ROLE_IDS.join(', ')})`, { field: 'role' });
  }
  return role as AppRoleId;
}
function checkEnvTypeRole(role: string): 'deployer' {
  if (role !== 'deployer') throw new InvalidInput(`role: "${role}" is not an environment type role (deployer)`, { field: 'role' });
  return role;
}

/** Who is changing roles, and their role in the org concerned. */
export interface RoleActor {
  userId: string;
  orgRole: OrgRoleId | undefined;
}

/** Only an administrator grants the administrator role. */
export function assertMayGrant(actor: RoleActor, role: OrgRoleId): void {
  if (role === 'administrator' && actor.orgRole !== 'administrator') {
    throw new Forbidden('forbidden: only an org administrator grants the administrator role', { needs: 'org role administrator' });
  }
}

export function createRoles(store: Store, repos: CoreRepos) {
  async function requireOrgMember(orgId: string, userId: string, trx?: Executor): Promise<OrgMemberRow> {
    const member = (await repos.rbac.orgMembers(orgId, trx)).find((m) => m.user_id === userId);
    if (!member) throw new NotFound('user', userId, undefined, { org_id: orgId });
    return member;
  }
  /** A manager may not grant administrator nor touch an administrator. */
  function assertMayAssign(actor: RoleActor, current: string | undefined, next: string | undefined): void {
    if (actor.orgRole === 'administrator') return;
    if (current === 'administrator' || next === 'administrator') {
      throw new Forbidden('forbidden: only an org administrator grants, changes or removes the administrator role', {
        needs: 'org role administrator',
      });
    }
  }
  async function assertNotLastAdmin(orgId: string, current: string, next: string | undefined, trx: Executor): Promise<void> {
    if (current !== 'administrator' || next === 'administrator') return;
    if ((await repos.rbac.countOrgRole(orgId, 'administrator', trx)) <= 1) {
      throw new Conflict(`the last administrator of organization "${orgId}" cannot be removed or demoted`, { org_id: orgId });
    }
  }

  const org = {
    list: (orgId: string) => repos.rbac.orgMembers(orgId),
    /** One page by user id (the whole list is by joining time). */
    page: (orgId: string, page: PageRequest): Promise<Page<OrgMemberRow>> => repos.rbac.orgMembersPage(orgId, page),
    get: (orgId: string, userId: string) => requireOrgMember(orgId, userId),
    /** Grants a first org role (new service user, accepted invitation, bootstrap). */
    async add(orgId: string, userId: string, role: string, trx?: Executor): Promise<void> {
      await repos.rbac.insertOrgMember({ org_id: orgId, user_id: userId, role: checkOrgRole(role), created_at: nowIso() }, trx);
    },
    async update(actor: RoleActor, orgId: string, userId: string, role: string): Promise<OrgMemberRow> {
      const next = checkOrgRole(role);
      return store.transaction(async (trx) => {
        await repos.rbac.lockOrg(orgId, trx);
        const member = await requireOrgMember(orgId, userId, trx);
        assertMayAssign(actor, member.role, next);
        await assertNotLastAdmin(orgId, member.role, next, trx);
        await repos.rbac.updateOrgRole(orgId, userId, next, trx);
        return { ...member, role: next };
      });
    },
    async remove(actor: RoleActor, orgId: string, userId: string): Promise<void> {
      await store.transaction(async (trx) => {
        await repos.rbac.lockOrg(orgId, trx);
        const member = await requireOrgMember(orgId, userId, trx);
        assertMayAssign(actor, member.role, undefined);
        await assertNotLastAdmin(orgId, member.role, undefined, trx);
        await repos.rbac.removeFromOrg(orgId, userId, trx);
        const user = await repos.users.get(userId, trx);
        if (user?.type === 'service' && (await repos.rbac.orgMembershipsOf(userId, trx)).length === 0) {
          await repos.users.delete(userId, trx);
        }
      });
    },
  };

  const app = {
    list: (orgId: string, appId: string) => repos.rbac.appMembers(orgId, appId),
    page: (orgId: string, appId: string, page: PageRequest): Promise<Page<AppMemberRow>> => repos.rbac.appMembersPage(orgId, appId, page),
    async get(orgId: string, appId: string, userId: string): Promise<AppMemberRow> {
      const row = (await repos.rbac.appMembers(orgId, appId)).find((m) => m.user_id === userId);
      if (!row) throw new NotFound('user', userId, undefined, { org_id: orgId, app_id: appId });
      return row;
    },
    async set(orgId: string, appId: string, userId: string, role: string, mustExist: boolean, trx?: Executor): Promise<AppMemberRow> {
      const checked = checkAppRole(role);
      const run = async (t: Executor) => {
        if (!(await repos.apps.get(orgId, appId, t))) throw new NotFound('application', appId, undefined, { org_id: orgId });
        await requireOrgMember(orgId, userId, t);
        const existing = await repos.rbac.appRole(orgId, appId, userId, t);
        if (mustExist && existing === undefined) throw new NotFound('user', userId, undefined, { org_id: orgId, app_id: appId });
        const row = { org_id: orgId, app_id: appId, user_id: userId, role: checked, created_at: nowIso() };
        await repos.rbac.upsertAppMember(row, t);
        return row;
      };
      return trx ? run(trx) : store.transaction(run);
    },
    async remove(orgId: string, appId: string, userId: string): Promise<void> {
      if (!(await repos.rbac.deleteAppMember(orgId, appId, userId))) throw new NotFound('user', userId, undefined, { org_id: orgId, app_id: appId });
    },
  };

  const envType = {
    async list(orgId: string, type: string): Promise<EnvTypeMemberRow[]> {
      if (!(await repos.envTypes.get(orgId, type))) throw new NotFound('environment type', type, undefined, { org_id: orgId });
      return repos.rbac.envTypeMembers(orgId, type);
    },
    async page(orgId: string, type: string, page: PageRequest): Promise<Page<EnvTypeMemberRow>> {
      if (!(await repos.envTypes.get(orgId, type))) throw new NotFound('environment type', type, undefined, { org_id: orgId });
      return repos.rbac.envTypeMembersPage(orgId, type, page);
    },
    async get(orgId: string, type: string, userId: string): Promise<EnvTypeMemberRow> {
      const row = (await envType.list(orgId, type)).find((m) => m.user_id === userId);
      if (!row) throw new NotFound('user', userId, undefined, { org_id: orgId, env_type: type });
      return row;
    },
    async set(orgId: string, type: string, userId: string, role: string, mustExist: boolean): Promise<EnvTypeMemberRow> {
      const checked = checkEnvTypeRole(role);
      return store.transaction(async (trx) => {
        if (!(await repos.envTypes.get(orgId, type, trx))) throw new NotFound('environment type', type, undefined, { org_id: orgId });
        await requireOrgMember(orgId, userId, trx);
        const existing = await repos.rbac.envTypeRole(orgId, type, userId, trx);
        if (mustExist && existing === undefined) throw new NotFound('user', userId, undefined, { org_id: orgId, env_type: type });
        const row = { org_id: orgId, env_type: type, user_id: userId, role: checked, created_at: nowIso() };
        await repos.rbac.upsertEnvTypeMember(row, trx);
        return row;
      });
    },
    async remove(orgId: string, type: string, userId: string): Promise<void> {
      if (!(await repos.rbac.deleteEnvTypeMember(orgId, type, userId))) {
        throw new NotFound('user', userId, undefined, { org_id: orgId, env_type: type });
      }
    },
  };

  /** Every role a user holds, keyed by object path as Humanitec's `roles` map: `/orgs/o`, `/orgs/o/apps/a`, `/orgs/o/env-types/t`. */
  async function rolesOf(userId: string): Promise<Record<string, string>> {
    const roles: Record<string, string> = {};
    for (const m of await repos.rbac.orgMembershipsOf(userId)) roles[`/orgs/${m.org_id}`] = m.role;
    for (const m of await repos.rbac.appMembershipsOf(userId)) roles[`/orgs/${m.org_id}/apps/${m.app_id}`] = m.role;
    for (const m of await repos.rbac.envTypeMembershipsOf(userId)) roles[`/orgs/${m.org_id}/env-types/${m.env_type}`] = m.role;
    return roles;
  }

  return { org, app, envType, rolesOf };
}
export type RolesService = ReturnType<typeof createRoles>;
