export { createCoreServices, hashToken, generateToken, DEFAULT_FIRST_ENV, SEEDED_ENV_TYPES } from './services.js';
export type { CoreServices, AppWithEnvs, NewApp, NewEnv, AppRow, EnvRow, EnvTypeRow, OrgRow, UserRow } from './services.js';
export { bootstrap } from './bootstrap.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap.js';
