export type { SecretReference, SecretStoreClient, SecretStoreResolver } from './types.js';
export { BATON_STORE_ID, createSealedStoreClient } from './sealed.js';
export { createVaultClient } from './vault.js';
export { createSecretStoresService, SECRET_STORE_ID_PATTERN } from './service.js';
export type { SecretStoresService, SecretStoreView, CreateSecretStoreInput, UpdateSecretStoreInput } from './service.js';
export { createSecretReader, resolveSecretRefs, mergeSecrets } from './resolve.js';
export type { SecretReader } from './resolve.js';
