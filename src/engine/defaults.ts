/**
 * What a fresh Baton deploys with, before anyone writes a resource definition: fallback definitions for the
 * implicit resources (`k8s-cluster` → the embedded gitops repository, `k8s-namespace` → `<app>-<env>`,
 * `base-env` and `workload` → nothing), the cluster "drivers" that only describe where manifests go, and the
 * mapping from a cluster's driver type to a deployment target.
 *
 * Fallbacks are ordinary definitions with the plainest criterion and the latest possible creation time, so an
 * org definition of the same type always wins the match (more specific, or equally specific and older).
 */
import type { Driver, ProvisionRequest, ProvisionResult } from '../drivers/contract.js';
import type { ResourceDefinition } from '../resources/index.js';
import { TARGET_DRIVER_TYPES, createTarget } from '../targets/index.js';
import type { Target } from '../targets/index.js';
import type { TargetResolver } from './types.js';

const FALLBACK_CREATED_AT = '9999-12-31T23:59:59.999Z';

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

/** The cluster driver ids and which target each selects. */
export const KUBERNETES_CLUSTER_DRIVERS = ['baton/kubernetes', 'humanitec/k8s-cluster'] as const;

/**
 * A cluster driver provisions nothing: its outputs (its inputs, echoed) tell the engine where to deploy. The
 * secrets (cluster credentials) stay secret outputs.
 */
function clusterDriver(id: string, aliases: readonly string[]): Driver {
  return {
    id,
    aliases,
    types: ['k8s-cluster'],
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve({ values: structuredClone(request.driver.values), secrets: structuredClone(request.driver.secrets), manifests: [] });
    },
    deprovision: () => Promise.resolve(),
  };
}

export function createClusterDrivers(): Driver[] {
  return [
    clusterDriver('baton/gitops', ['humanitec/k8s-cluster-git']),
    clusterDriver('baton/directory', []),
    clusterDriver('baton/kubernetes', ['humanitec/k8s-cluster']),
  ];
}

/**
 * The default target resolver over `createTarget` (src/targets). Targets are cached per cluster configuration,
 * because a gitops target serialises the applies of its work tree in memory: two instances over one folder would
 * race. A cluster whose driver is not a target itself (e.g. echo describing an external cluster) names one in
 * its `target` value; none at all means the embedded gitops repository.
 */
export function createTargetResolver(dataDir: string): TargetResolver {
  const cache = new Map<string, Target>();
  return ({ driverType, values, secrets }) => {
    const named = (TARGET_DRIVER_TYPES as readonly string[]).includes(driverType)
      ? driverType
      : typeof values.target === 'string' && values.target !== ''
        ? values.target
        : 'baton/gitops';
    const effectiveValues = named === driverType ? values : {};
    const key = `${named}:${JSON.stringify(effectiveValues)}`;
    let target = cache.get(key);
    if (!target) {
      target = createTarget({ driverType: named, values: effectiveValues, secrets, dataDir });
      if (!KUBERNETES_CLUSTER_DRIVERS.includes(named as never)) cache.set(key, target);
    }
    return target;
  };
}
