/**
 * The interfaces the engine is built over. The engine itself only orchestrates: storage, drivers, profiles and
 * targets are reached through these seams so tests and benchmarks can swap any of them.
 */
import type { ResourceDefinition } from '../resources/index.js';
import type { Driver } from '../drivers/contract.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { SecretBox } from '../secrets/index.js';
import type { Target } from '../targets/types.js';

/** One shared value (or secret) as a deployment sees it. */
export interface PinnedValue {
  value: string;
  secret: boolean;
}

/** A value set version: the app's values merged with the env's overrides, at one point in time. */
export interface PinnedValueSet {
  /** Value set version id; recorded on the deployment (`value_set_version_id`). */
  id: string | null;
  values: Record<string, PinnedValue>;
}

/**
 * Where shared values and secrets come from (the values concern implements it). `versionId` undefined means
 * "the current values"; a given id means exactly that version (a redeploy reuses it).
 */
export interface ValueSource {
  valueSetFor(orgId: string, appId: string, envId: string, versionId?: string): Promise<PinnedValueSet>;
}

/** Used until the values concern is wired in: no values, no version. */
export const EMPTY_VALUE_SOURCE: ValueSource = {
  valueSetFor: () => Promise.resolve({ id: null, values: {} }),
};

/** Picks the deployment target from the matched `k8s-cluster` resource. */
export interface TargetResolver {
  (cluster: { driverType: string; values: Record<string, unknown>; secrets: Record<string, unknown> }): Target;
}

export interface EngineTimings {
  /** Milliseconds during which at least one driver was running, and milliseconds inside the target. */
  driverMs: number;
  targetMs: number;
}

export interface EngineOptions {
  /** Data folder: the embedded gitops repository lives in `<dataDir>/gitops`. */
  dataDir: string;
  /** Worker id (unique per process); defaults to host/pid/random. */
  workerId?: string;
  /** Deployments run at once by one worker (different environments). Default 4. */
  concurrency?: number;
  /** Nodes of one graph level provisioned at once. Default 8. */
  nodeConcurrency?: number;
  /** Lease of a claimed job; heartbeats renew it every third of it. Default 15 s. */
  leaseMs?: number;
  /** How often an idle worker polls for jobs. Default 250 ms. */
  pollMs?: number;
  /** Time limit of one driver call. Default 10 minutes. */
  driverTimeoutMs?: number;
  /** The process's driver registry (shared with the API); `createRegistry()` when absent. */
  registry?: DriverRegistry;
  /** Extra drivers (tests, benchmarks), registered over the built-ins. */
  extraDrivers?: readonly Driver[];
  values?: ValueSource;
  resolveTarget?: TargetResolver;
  /** Seals resource outputs, cookies and manifests; must be the box that sealed the definitions' secrets. */
  box: SecretBox;
  /**
   * Definitions used when no org definition matches a resource, after the implicit ones (cluster, namespace,
   * base-env, workload). Default: the in-namespace templates of src/engine/dev-definitions.ts.
   */
  fallbackDefinitions?: readonly ResourceDefinition[];
  /** Called after each deployment with where the time went (benchmarks). */
  onTimings?: (deployId: string, timings: EngineTimings) => void;
}
