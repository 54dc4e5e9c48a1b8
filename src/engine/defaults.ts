/**
 * What a fresh Baton deploys with besides its default definitions (src/resources/defaults): the cluster
 * "drivers" that only describe where manifests go, the one driver registry, and the mapping from a cluster's
 * driver type to a deployment target.
 */
import type { Driver, ProvisionRequest, ProvisionResult } from '../drivers/contract.js';
import { createBuiltinRegistry, type BuiltinDriverDeps } from '../drivers/registry.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { migrateLocalTerraformState, terraformPgBackend } from '../drivers/terraform.js';
import { TARGET_DRIVER_TYPES, createTarget } from '../targets/index.js';
import type { AgeKeyPair, EmbeddedGitOps, Target } from '../targets/index.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import type { TargetResolver } from './types.js';

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
    clusterDriver('baton/podman', []),
  ];
}

/**
 * The default target resolver over `createTarget` (src/targets). Targets are cached per cluster configuration,
 * because a gitops target serialises the applies of its work tree in memory: two instances over one folder would
 * race. A cluster whose driver is not a target itself (e.g. echo describing an external cluster) names one in
 * its `target` value; none at all means the embedded gitops repository (pushed to `embeddedGitOps.url`,
 * `BATON_GITOPS_URL`, when set). A cluster's `secrets` value (how file targets write Secrets) applies either way.
 * `secrets.ageKey` is Baton's age key (SOPS, the default secrets mode of file targets); `secrets.secretStores` serves
 * the `external-secrets` mode.
 */
export function createTargetResolver(
  dataDir: string,
  embeddedGitOps: EmbeddedGitOps = {},
  secrets: { ageKey?: AgeKeyPair; secretStores?: SecretStoreResolver } = {},
): TargetResolver {
  const cache = new Map<string, Target>();
  return ({ driverType, values, secrets: clusterSecrets }) => {
    const named = (TARGET_DRIVER_TYPES as readonly string[]).includes(driverType)
      ? driverType
      : typeof values.target === 'string' && values.target !== ''
        ? values.target
        : 'baton/gitops';
    const effectiveValues = named === driverType ? values : values.secrets !== undefined ? { secrets: values.secrets } : {};
    const key = `${named}:${JSON.stringify(effectiveValues)}`;
    let target = cache.get(key);
    if (!target) {
      target = createTarget({
        driverType: named,
        values: effectiveValues,
        secrets: clusterSecrets,
        dataDir,
        embeddedGitOps,
        ...(secrets.ageKey ? { ageKey: secrets.ageKey } : {}),
        ...(secrets.secretStores ? { secretStores: secrets.secretStores } : {}),
      });
      if (!KUBERNETES_CLUSTER_DRIVERS.includes(named as never)) cache.set(key, target);
    }
    return target;
  };
}

/**
 * The one driver registry of a Baton process: the built-ins (generic and infrastructure drivers), the cluster
 * drivers that name deployment targets, and `extra` drivers (tests, benchmarks) over them. The API and the engine
 * share it, so a definition may name exactly the drivers a deployment can run.
 */
export function createRegistry(options: {
  terraformStateDir: string;
  terraformBin?: string;
  databaseUrl?: string | undefined;
  templateLimits?: BuiltinDriverDeps['templateLimits'];
  templateHostLookup?: BuiltinDriverDeps['templateHostLookup'];
  observeTemplateRender?: BuiltinDriverDeps['observeTemplateRender'];
  extra?: readonly Driver[];
}): DriverRegistry {
  const registry = createBuiltinRegistry({
    terraformStateDir: options.terraformStateDir,
    ...(options.terraformBin !== undefined ? { terraformBin: options.terraformBin } : {}),
    ...(options.templateLimits !== undefined ? { templateLimits: options.templateLimits } : {}),
    ...(options.templateHostLookup !== undefined ? { templateHostLookup: options.templateHostLookup } : {}),
    ...(options.observeTemplateRender !== undefined ? { observeTemplateRender: options.observeTemplateRender } : {}),
    // On PostgreSQL terraform keeps its state and locks in Baton's database (docs/operations.md).
    ...(options.databaseUrl !== undefined ? { terraformPgBackend: terraformPgBackend(options.databaseUrl) } : {}),
  });
  for (const driver of createClusterDrivers()) registry.register(driver);
  for (const driver of options.extra ?? []) {
    for (const name of [driver.id, ...(driver.aliases ?? [])]) registry.unregister(name);
    registry.register(driver);
  }
  return registry;
}

/**
 * Baton on PostgreSQL over a data folder from SQLite days: moves every terraform state file into the `pg` backend
 * before the engine takes jobs. Nothing to do on SQLite. Returns the workspaces (resource folders) moved.
 */
export async function migrateTerraformStateToDatabase(options: {
  terraformStateDir: string;
  terraformBin?: string;
  databaseUrl: string | undefined;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}): Promise<string[]> {
  if (options.databaseUrl === undefined) return [];
  return migrateLocalTerraformState({
    stateDir: options.terraformStateDir,
    ...(options.terraformBin !== undefined ? { terraformBin: options.terraformBin } : {}),
    pgBackend: terraformPgBackend(options.databaseUrl),
    log: options.log,
  });
}
