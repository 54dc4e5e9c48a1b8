/** Public surface of the store: open it, get repositories, and the DDL conventions. */
export { createStore, isPostgresUrl } from './store.js';
export type { Executor, Store, StoreConfig, Trx } from './store.js';
export type { Database } from './schema.js';
export type { DialectName } from './ddl.js';
export { nowIso, toJsonText, fromJsonText } from './ddl.js';
export { createMetricsRepo } from './metrics-repo.js';
import type { Store } from './store.js';
import { createAppsRepo } from './apps-repo.js';
import { createEnvTypesRepo } from './env-types-repo.js';
import { createEnvsRepo } from './envs-repo.js';
import { createOrgsRepo } from './orgs-repo.js';
import { createTokensRepo } from './tokens-repo.js';
import { createUsersRepo } from './users-repo.js';
import { createRbacRepo } from './rbac-repo.js';

/** The core repositories bound to one store. Later concerns build their own `create<X>Repo(store.db)`. */
export function createCoreRepos(store: Store) {
  return {
    orgs: createOrgsRepo(store.db),
    users: createUsersRepo(store.db),
    tokens: createTokensRepo(store.db),
    envTypes: createEnvTypesRepo(store.db),
    apps: createAppsRepo(store.db),
    envs: createEnvsRepo(store.db),
    rbac: createRbacRepo(store.db),
  };
}
export type { OrgMemberRow, AppMemberRow, EnvTypeMemberRow, InvitationRow } from './rbac-repo.js';
export type CoreRepos = ReturnType<typeof createCoreRepos>;
