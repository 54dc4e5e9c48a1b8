export { REGISTRY_ID_PATTERN, REGISTRY_TYPES, checkRegistry } from './registry-input.js';
export type { ClusterSecret, RegistryCreds, RegistryInput, RegistryType } from './registry-input.js';
export { createRegistriesService, registryCredsAad } from './service.js';
export type { RegistriesService, RegistryCredsView, RegistryView } from './service.js';
