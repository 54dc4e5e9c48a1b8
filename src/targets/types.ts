/** The contract every deployment target implements. Targets depend on no other domain module, only on src/shared. */

import type { K8sObject } from '../shared/k8s.js';

export type { K8sObject };

export interface ApplyRequest {
  deploymentId: string;
  comment?: string;
  /** The org deploying (secret stores are per org: the `external-secrets` secrets mode pushes values to the org's). */
  orgId?: string;
  appId: string;
  envId: string;
  /** The environment's namespace; targets make sure it exists (a Namespace object is added when missing). */
  namespace: string;
  /** Everything the environment should run: workload objects and driver manifests. Namespaced ones carry `metadata.namespace`. */
  objects: K8sObject[];
  /** `available`: wait until Deployments/StatefulSets have rolled out (targets that can observe it). */
  waitFor?: 'deploy' | 'available';
  /** Upper bound for waiting, in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ApplyResult {
  /** Object keys (see `objectKey`) created or modified by this apply. */
  changed: string[];
  /** Keys of objects the target held for this app/env that are no longer rendered, now removed. */
  removed: string[];
  /** Keys of objects that were already exactly as rendered. */
  unchanged: string[];
  /** Target-specific revision: a git commit, absent when the target has none. */
  revision?: string;
  /** Things the deployment's log should say (e.g. the gitops repository is local to this replica). */
  warnings?: string[];
}

export interface RemoveEnvironmentResult {
  /** Keys of the objects the target no longer holds for the app/env. */
  removed: string[];
  /** Target-specific revision after the removal (gitops: the commit), absent when nothing changed or there is none. */
  revision?: string;
}

export interface Target {
  /** Qualified driver id the target was created for, e.g. `baton/gitops`. */
  readonly id: string;
  /** Make the app/env hold exactly `request.objects` (after the namespace): create, update, and prune. */
  apply(request: ApplyRequest): Promise<ApplyResult>;
  /** What the last successful apply for this app/env gave the target (empty when never applied). */
  lastApplied(appId: string, envId: string): Promise<K8sObject[]>;
  /**
   * Optional: forget the app/env entirely once the environment is deleted (gitops: its folder, in one commit;
   * directory: its folder; Kubernetes: the objects Baton applied for it, never the Namespace). Removing an env the
   * target does not hold succeeds and changes nothing.
   */
  removeEnvironment?(appId: string, envId: string, options?: { signal?: AbortSignal }): Promise<RemoveEnvironmentResult>;
}
