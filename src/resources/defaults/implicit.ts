/**
 * Default definitions for the implicit resources every deployment has: `k8s-cluster` → the embedded gitops
 * repository, `k8s-namespace` → `<app>-<env>`, `base-env` and `workload` → nothing.
 *
 * Defaults are ordinary definitions with the plainest criterion and the latest possible creation time, so an
 * org definition of the same type always wins the match (more specific, or equally specific and older).
 */
import type { ResourceDefinition } from '../definitions.js';

export const FALLBACK_CREATED_AT = '9999-12-31T23:59:59.999Z';

function fallback(type: string, driverType: string, values: Record<string, unknown>): ResourceDefinition {
  return {
    id: `baton-default-${type}`,
    name: `Baton default ${type}`,
    type,
    driver_type: driverType,
    driver_inputs: { values, secrets: {} },
    provision: {},
    criteria: [{ id: `baton-default-${type}`, class: 'default' }],
    version_id: 'builtin',
    created_at: FALLBACK_CREATED_AT,
    is_default: true,
  };
}

export const FALLBACK_DEFINITIONS: readonly ResourceDefinition[] = [
  fallback('k8s-cluster', 'baton/gitops', { name: 'embedded-gitops', cluster_type: 'gitops', loadbalancer: '127.0.0.1' }),
  fallback('k8s-namespace', 'humanitec/echo', { namespace: '${context.app.id}-${context.env.id}' }),
  fallback('base-env', 'humanitec/echo', {}),
  fallback('workload', 'humanitec/echo', {}),
];


/**
 * With the local runtime on (`BATON_LOCAL_RUNTIME=podman`), environments of type `development` run on this
 * machine: a cluster definition more specific than the fallback (an env-type criterion) names `baton/podman`.
 * An org's own `k8s-cluster` definition for development still wins when it is at least as specific and older.
 */
export const LOCAL_RUNTIME_CLUSTER_DEFINITION: ResourceDefinition = {
  id: 'baton-default-k8s-cluster-podman',
  name: 'Baton default k8s-cluster (local Podman runtime)',
  type: 'k8s-cluster',
  driver_type: 'baton/podman',
  driver_inputs: { values: { name: 'local-podman', cluster_type: 'podman', loadbalancer: '127.0.0.1' }, secrets: {} },
  provision: {},
  criteria: [{ id: 'baton-default-k8s-cluster-podman', class: 'default', env_type: 'development' }],
  version_id: 'builtin',
  created_at: FALLBACK_CREATED_AT,
  is_default: true,
};
