export { createCoreServices, DEFAULT_FIRST_ENV, SEEDED_ENV_TYPES } from './services.js';
export { generateToken, deriveTokenHashKey, createTokenHasher, mayManageTokensOf, tokenAccess, NO_ORG_ROLES, TOKEN_TYPE } from './tokens.js';
export type { OrgRoles, TokenManagementFacts, TokenRow, TokenService, NewToken } from './tokens.js';
export type { CoreServicesOptions, CoreServices, AppWithEnvs, NewApp, NewEnv, AppRow, EnvRow, EnvTypeRow, OrgRow, UserRow } from './services.js';
export { bootstrap } from './bootstrap.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap.js';
