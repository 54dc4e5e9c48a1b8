/**
 * Domain services for the core objects: orgs, env types, apps, envs, users and API tokens.
 * They enforce the rules (id format, existence of parents, "an env type in use cannot be deleted",
 * "creating an app creates its first environment") and speak only domain errors; HTTP and SQL stay outside.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import { createCoreRepos, nowIso } from '../store/index.js';
import type { Executor, Store } from '../store/index.js';
import type { AppRow } from '../store/apps-repo.js';
import type { EnvTypeRow } from '../store/env-types-repo.js';
import type { EnvRow, EnvSummaryRow } from '../store/envs-repo.js';
import type { OrgRow } from '../store/orgs-repo.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import type { UserRow } from '../store/users-repo.js';
import { createTokenHasher, createTokenService } from './tokens.js';
import type { OrgRoles } from './tokens.js';
import { createAccess } from './access.js';
import { createAccounts } from './accounts.js';
import { APP_ROLE_IDS, createRoles } from './roles.js';

export type { AppRow, EnvRow, EnvTypeRow, OrgRow, UserRow };

/** The default first environment of a new app, as Humanitec creates it. */
export const DEFAULT_FIRST_ENV = { id: 'development', name: 'Development', type: 'development' } as const;
/** Env types seeded into a new org. */
export const SEEDED_ENV_TYPES = ['development', 'staging', 'production'] as const;

export interface AppWithEnvs {
  app: AppRow;
  /** In creation order; a listing reads only what it shows of them (`EnvSummaryRow`), a single app whole rows. */
  envs: readonly EnvSummaryRow[];
}

export interface NewApp {
  id: string;
  name: string;
  env?: { id: string; name: string; type: string } | undefined;
  skip_environment_creation?: boolean | undefined;
}

export interface NewEnv {
  id: string;
  name: string;
  type?: string | undefined;
}

export interface CoreServicesOptions {
  /**
   * Key of the API-token HMAC (`deriveTokenHashKey(secret key)`, src/org/tokens.ts). The composition root always
   * passes it. Without it (unit tests of other concerns) a random key lives as long as this process: tokens then
   * fail closed after a restart instead of being hashed under a guessable key.
   */
  tokenHashKey?: Buffer;
  /** Org roles for the token rule (`mayManageTokensOf`); default: nobody holds one. */
  orgRoles?: OrgRoles;
}

const PROCESS_TOKEN_HASH_KEY = randomBytes(32);

export function createCoreServices(store: Store, options: CoreServicesOptions = {}) {
  const repos = createCoreRepos(store);

  async function requireOrg(orgId: string, trx?: Executor): Promise<OrgRow> {
    const org = await repos.orgs.get(orgId, trx);
    if (!org) throw new NotFound('organization', orgId);
    return org;
  }
  async function requireApp(orgId: string, appId: string, trx?: Executor): Promise<AppRow> {
    await requireOrg(orgId, trx);
    const app = await repos.apps.get(orgId, appId, trx);
    if (!app) throw new NotFound('application', appId, undefined, { org_id: orgId });
    return app;
  }
  async function requireEnvType(orgId: string, typeId: string, field: string, trx?: Executor): Promise<EnvTypeRow> {
    const type = await repos.envTypes.get(orgId, typeId, trx);
    if (!type) throw new InvalidInput(`${field}: environment type "${typeId}" does not exist`, { field, kind: 'environment type', id: typeId });
    return type;
  }

  const orgs = {
    list: () => repos.orgs.list(),
    get: (orgId: string) => requireOrg(orgId),
    require: requireOrg,
    async create(input: { id: string; name: string }, actor: string, trx?: Executor): Promise<OrgRow> {
      checkId('id', input.id);
      return repos.orgs.insert({ id: input.id, name: input.name, created_at: nowIso(), created_by: actor }, trx);
    },
  };

  const envTypes = {
    async list(orgId: string): Promise<EnvTypeRow[]> {
      await requireOrg(orgId);
      return repos.envTypes.list(orgId);
    },
    async get(orgId: string, id: string): Promise<EnvTypeRow> {
      await requireOrg(orgId);
      const row = await repos.envTypes.get(orgId, id);
      if (!row) throw new NotFound('environment type', id, undefined, { org_id: orgId });
      return row;
    },
    async create(orgId: string, input: { id: string; description?: string | undefined }, actor: string, trx?: Executor): Promise<EnvTypeRow> {
      checkId('id', input.id);
      await requireOrg(orgId, trx);
      return repos.envTypes.insert(
        { org_id: orgId, id: input.id, description: input.description ?? '', created_at: nowIso(), created_by: actor },
        trx,
      );
    },
    async update(orgId: string, id: string, input: { description?: string | undefined }): Promise<EnvTypeRow> {
      const current = await envTypes.get(orgId, id);
      if (input.description !== undefined) await repos.envTypes.updateDescription(orgId, id, input.description);
      return { ...current, description: input.description ?? current.description };
    },
    async delete(orgId: string, id: string): Promise<EnvTypeRow> {
      return store.transaction(async (trx) => {
        await requireOrg(orgId, trx);
        const row = await repos.envTypes.get(orgId, id, trx);
        if (!row) throw new NotFound('environment type', id, undefined, { org_id: orgId });
        const inUse = await repos.envTypes.countEnvsUsing(orgId, id, trx);
        if (inUse > 0) {
          throw new Conflict(`environment type "${id}" is used by ${inUse} environment(s) and cannot be deleted`, {
            kind: 'environment type',
            id,
            environments: inUse,
          });
        }
        await repos.envTypes.delete(orgId, id, trx);
        return row;
      });
    },
  };

  const apps = {
    /**
     * The org's apps with their environments, by id: one page when `page` is given, else all. `memberId`: only the
     * apps that user holds an app role on. Two queries whatever the size (apps, then their environments); a third,
     * whether the org exists, only when there is no app to show.
     */
    async list(orgId: string, options: { page?: PageRequest | undefined; memberId?: string | undefined } = {}): Promise<Page<AppWithEnvs>> {
      const member = options.memberId === undefined ? undefined : { userId: options.memberId, roles: APP_ROLE_IDS };
      // An app row proves its org exists (apps.org_id references orgs, on both dialects), so the org is looked up
      // only for an empty page, or when listing failed (a bad page token): a missing org still answers 404 first,
      // and the listing, the route's hottest, saves a query (a round trip on PostgreSQL).
      let appPage: Page<AppRow>;
      try {
        appPage = await repos.apps.list(orgId, options.page, member);
      } catch (error) {
        await requireOrg(orgId);
        throw error;
      }
      if (appPage.items.length === 0) {
        await requireOrg(orgId);
        return appPage.nextToken !== undefined ? { items: [], nextToken: appPage.nextToken } : { items: [] };
      }
      // Unpaged and unfiltered: every environment of the org in one range scan instead of a list of ids.
      const whole = options.page === undefined && member === undefined;
      const envRows = await repos.envs.listForApps(orgId, whole ? undefined : appPage.items.map((a) => a.id));
      const envsByApp = new Map<string, EnvSummaryRow[]>();
      for (const env of envRows) {
        const list = envsByApp.get(env.app_id);
        if (list === undefined) envsByApp.set(env.app_id, [env]);
        else list.push(env);
      }
      return {
        items: appPage.items.map((app) => ({ app, envs: envsByApp.get(app.id) ?? [] })),
        ...(appPage.nextToken !== undefined ? { nextToken: appPage.nextToken } : {}),
      };
    },
    async get(orgId: string, appId: string): Promise<AppWithEnvs> {
      const app = await requireApp(orgId, appId);
      return { app, envs: await repos.envs.list(orgId, appId) };
    },
    /**
     * Creates the app and, in the same transaction, its first environment (unless skipped). `owner`: the user who
     * becomes the app's `owner` (the creator, when a user creates it).
     */
    async create(orgId: string, input: NewApp, actor: string, owner?: string): Promise<AppWithEnvs> {
      checkId('id', input.id);
      const firstEnv = input.skip_environment_creation ? undefined : (input.env ?? DEFAULT_FIRST_ENV);
      if (firstEnv) {
        checkId('env.id', firstEnv.id);
        checkId('env.type', firstEnv.type);
      }
      return store.transaction(async (trx) => {
        await requireOrg(orgId, trx);
        const at = nowIso();
        const app = await repos.apps.insert({ org_id: orgId, id: input.id, name: input.name, created_at: at, created_by: actor }, trx);
        if (owner !== undefined) await repos.rbac.upsertAppMember({ org_id: orgId, app_id: input.id, user_id: owner, role: 'owner', created_at: at }, trx);
        const envs: EnvRow[] = [];
        if (firstEnv) {
          await requireEnvType(orgId, firstEnv.type, 'env.type', trx);
          envs.push(
            await repos.envs.insert(
              { org_id: orgId, app_id: input.id, id: firstEnv.id, name: firstEnv.name, type: firstEnv.type, created_at: at, created_by: actor },
              trx,
            ),
          );
        }
        return { app, envs };
      });
    },
    async rename(orgId: string, appId: string, name: string): Promise<AppWithEnvs> {
      await requireApp(orgId, appId);
      await repos.apps.updateName(orgId, appId, name);
      return apps.get(orgId, appId);
    },
    async delete(orgId: string, appId: string): Promise<void> {
      await requireApp(orgId, appId);
      await repos.apps.delete(orgId, appId);
    },
  };

  const envs = {
    /** The app's environments in creation order: one page when `page` is given, else all. */
    async list(orgId: string, appId: string, page?: PageRequest): Promise<Page<EnvRow>> {
      await requireApp(orgId, appId);
      if (page !== undefined) return repos.envs.listPage(orgId, appId, page);
      return { items: await repos.envs.list(orgId, appId) };
    },
    async get(orgId: string, appId: string, envId: string): Promise<EnvRow> {
      await requireApp(orgId, appId);
      const env = await repos.envs.get(orgId, appId, envId);
      if (!env) throw new NotFound('environment', envId, undefined, { org_id: orgId, app_id: appId });
      return env;
    },
    async create(orgId: string, appId: string, input: NewEnv, actor: string): Promise<EnvRow> {
      checkId('id', input.id);
      const type = input.type ?? DEFAULT_FIRST_ENV.type;
      checkId('type', type);
      return store.transaction(async (trx) => {
        await requireApp(orgId, appId, trx);
        await requireEnvType(orgId, type, 'type', trx);
        return repos.envs.insert(
          { org_id: orgId, app_id: appId, id: input.id, name: input.name, type, created_at: nowIso(), created_by: actor },
          trx,
        );
      });
    },
    async rename(orgId: string, appId: string, envId: string, name: string | undefined): Promise<EnvRow> {
      const env = await envs.get(orgId, appId, envId);
      if (name === undefined) return env;
      await repos.envs.updateName(orgId, appId, envId, name);
      return { ...env, name };
    },
    async delete(orgId: string, appId: string, envId: string): Promise<void> {
      await envs.get(orgId, appId, envId);
      await repos.envs.delete(orgId, appId, envId);
    },
  };

  const users = {
    async get(userId: string): Promise<UserRow> {
      const user = await repos.users.get(userId);
      if (!user) throw new NotFound('user', userId);
      return user;
    },
    async create(input: { name: string; email?: string | null; type?: string }, trx?: Executor): Promise<UserRow> {
      return repos.users.insert(
        { id: randomUUID(), name: input.name, email: input.email ?? null, type: input.type ?? 'user', created_at: nowIso() },
        trx,
      );
    },
    count: () => repos.users.count(),
  };

  const hasher = createTokenHasher(options.tokenHashKey ?? PROCESS_TOKEN_HASH_KEY);
  // Token management asks the RBAC tables which orgs the caller administers (tests may pass their own lookup).
  const rbacOrgRoles: OrgRoles = {
    orgRolesOf: async (userId) => (await repos.rbac.orgMembershipsOf(userId)).map((m) => ({ orgId: m.org_id, role: m.role })),
  };
  const tokens = createTokenService({ repos, hasher, orgRoles: options.orgRoles ?? rbacOrgRoles });

  const roles = createRoles(store, repos);
  const access = createAccess(repos);
  const accounts = createAccounts(store, repos, roles, { tokens, hasher });

  return { store, repos, orgs, envTypes, apps, envs, users, tokens, hasher, roles, access, accounts };
}

export type CoreServices = ReturnType<typeof createCoreServices>;
