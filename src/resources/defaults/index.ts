/**
 * Baton's default resource definitions: read-only, listed with `is_default: true`, and used by match/explain,
 * graphs, plans and deployments alike (the resources service serves them beside the org's own).
 */
import type { ResourceDefinition } from '../definitions.js';
import { developmentDefinitions } from './development.js';
import type { DevelopmentServers } from './development.js';
import { FALLBACK_DEFINITIONS, LOCAL_RUNTIME_CLUSTER_DEFINITION } from './implicit.js';
import { NETWORKING_DEFINITIONS } from './networking.js';

export { FALLBACK_DEFINITIONS, LOCAL_RUNTIME_CLUSTER_DEFINITION } from './implicit.js';
export { NETWORKING_DEFINITIONS } from './networking.js';
export { IN_NAMESPACE_DEFINITIONS, developmentDefinitions, developmentServerDefinitions, type DevelopmentServers } from './development.js';

/**
 * The implicit resources' defaults, the in-namespace (or, given servers, real development) databases, then
 * route/ingress/tls-cert/volume/endpoint (src/resources/defaults/networking.ts). With `localRuntime: 'podman'`,
 * development environments deploy to the local Podman runtime, where the in-namespace databases run as pods too.
 */
export function defaultDefinitions(servers: DevelopmentServers = {}, options: { localRuntime?: 'podman' | 'none' } = {}): ResourceDefinition[] {
  const local = options.localRuntime === 'podman' ? [LOCAL_RUNTIME_CLUSTER_DEFINITION] : [];
  return [...FALLBACK_DEFINITIONS, ...local, ...developmentDefinitions(servers), ...NETWORKING_DEFINITIONS];
}
