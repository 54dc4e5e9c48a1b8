export { createCoreServices, hashToken, generateToken, DEFAULT_FIRST_ENV, SEEDED_ENV_TYPES } from './services.js';
export type { CoreServices, AppWithEnvs, NewApp, NewEnv, AppRow, EnvRow, EnvTypeRow, OrgRow, UserRow } from './services.js';
export { bootstrap } from './bootstrap.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap.js';
export { ORG_ROLE_IDS, APP_ROLE_IDS, ENV_TYPE_ROLE_IDS } from './roles.js';
export type { OrgRoleId, AppRoleId, RoleActor, RolesService } from './roles.js';
export type { AccessLookup } from './access.js';
export type { AccountsService } from './accounts.js';
