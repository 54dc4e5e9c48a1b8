/**
 * Role lookups: which roles a user holds on an org, an app, an environment type. Read-only; what the roles allow
 * is the permission matrix's (src/api/permissions.ts), who may change them src/org/roles.ts's.
 */
import type { CoreRepos } from '../store/index.js';
import { ORG_ROLE_IDS, APP_ROLE_IDS } from './roles.js';
import type { AppRoleId, OrgRoleId } from './roles.js';

export interface AccessLookup {
  orgRole(userId: string, orgId: string): Promise<OrgRoleId | undefined>;
  appRole(userId: string, orgId: string, appId: string): Promise<AppRoleId | undefined>;
  isDeployer(userId: string, orgId: string, envType: string): Promise<boolean>;
  /** The type of an existing environment (undefined when there is no such environment). */
  envTypeOf(orgId: string, appId: string, envId: string): Promise<string | undefined>;
  /** The distinct env types the app's environments use. */
  envTypesOfApp(orgId: string, appId: string): Promise<string[]>;
  /** Is `callerId` an administrator of an org that `targetUserId` is a service user of? (token management) */
  administersServiceUser(callerId: string, targetUserId: string): Promise<boolean>;
}

export function createAccess(repos: CoreRepos): AccessLookup {
  const access: AccessLookup = {
    async orgRole(userId, orgId) {
      const role = await repos.rbac.orgRole(orgId, userId);
      return (ORG_ROLE_IDS as readonly string[]).includes(role ?? '') ? (role as OrgRoleId) : undefined;
    },
    async appRole(userId, orgId, appId) {
      const role = await repos.rbac.appRole(orgId, appId, userId);
      return (APP_ROLE_IDS as readonly string[]).includes(role ?? '') ? (role as AppRoleId) : undefined;
    },
    async isDeployer(userId, orgId, envType) {
      return (await repos.rbac.envTypeRole(orgId, envType, userId)) === 'deployer';
    },
    async envTypeOf(orgId, appId, envId) {
      return (await repos.envs.get(orgId, appId, envId))?.type;
    },
    async envTypesOfApp(orgId, appId) {
      return [...new Set((await repos.envs.list(orgId, appId)).map((e) => e.type))];
    },
    async administersServiceUser(callerId, targetUserId) {
      const target = await repos.users.get(targetUserId);
      if (!target || target.type !== 'service') return false;
      for (const membership of await repos.rbac.orgMembershipsOf(targetUserId)) {
        if ((await access.orgRole(callerId, membership.org_id)) === 'administrator') return true;
      }
      return false;
    },
  };
  return access;
}
