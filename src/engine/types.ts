/**
 * The interfaces the engine is built over. The engine itself only orchestrates: storage, drivers, profiles and
 * targets are reached through these seams so tests and benchmarks can swap any of them.
 */
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

/** Picks the deployment target from the matched `k8s-cluster` resource. */
export interface TargetResolver {
  (cluster: { driverType: string; values: Record<string, unknown>; secrets: Record<string, unknown> }): Target;
}

export interface EngineTimings {
  /** Milliseconds during which at least one driver was running, and milliseconds inside the target. */
  driverMs: number;
  targetMs: number;
}

/**
 * The opened credentials of a resource account (`/orgs/{orgId}/resources/accounts`), read when a definition that
 * names it as `driver_account` is provisioned or deprovisioned; throws NotFound for an unknown account.
 */
export type AccountCredentials = (orgId: string, accountId: string) => Promise<ResolvedAccount>;

/** A resource account as the engine hands it on: its id and type (checked against the driver) and credentials. */
export interface ResolvedAccount {
  id: string;
  type: string;
  credentials: Record<string, unknown>;
}
