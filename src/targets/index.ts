/**
 * Deployment targets: put Kubernetes objects where they run.
 *
 *   const target = createTarget({ driverType, values, secrets, dataDir });   // per environment
 *   const { changed, removed, unchanged, revision } = await target.apply({ deploymentId, appId, envId, namespace, objects });
 *   const previous = await target.lastApplied(appId, envId);                 // for plans
 *   const { added, changed, removed } = diffObjects(previous, nextObjects);
 *
 * Driver types (from the environment's matched `k8s-cluster` resource):
 * - `baton/directory` — values `{ root }`: files under `<root>/<app>/<env>/`.
 * - `baton/gitops`, `humanitec/k8s-cluster-git` — values `{ url?, branch?, path? }`: files in a git work
 *   tree under `<dataDir>/gitops/<hash of url>`, one commit per deployment, pushed to `url` when given.
 * - `humanitec/k8s-cluster`, `baton/kubernetes` — values `cluster_data`, secrets `credentials`, or
 *   `KUBECONFIG` when neither is given: server-side apply with field manager `baton`.
 */
import { join } from 'node:path';
import { sha256Hex } from '../shared/canonical-json.js';
import { InvalidInput } from '../shared/errors.js';
import { DirectoryTarget } from './directory.js';
import { GitOpsTarget, embeddedGitOpsTarget } from './gitops.js';
import type { EmbeddedGitOps } from './gitops.js';
import { KubernetesTarget, kubeConfigFromEnvironment, kubeConfigFromOutputs } from './kubernetes.js';
import type { ClusterOutputs } from './kubernetes.js';
import type { Target } from './types.js';

export type { ApplyRequest, ApplyResult, K8sObject, Target } from './types.js';
export type { ObjectDiff } from './diff.js';
export { diffObjects, unifiedDiff } from './diff.js';
export { DirectoryTarget } from './directory.js';
export { GitOpsTarget, embeddedGitOpsTarget, localRepositoryWarning, parseGitCredentials } from './gitops.js';
export type { EmbeddedGitOps, GitCredentials, GitOpsOptions } from './gitops.js';
export { FIELD_MANAGER, KubernetesTarget, kubeConfigFromEnvironment, kubeConfigFromOutputs } from './kubernetes.js';
export type { ClusterOutputs, KubernetesTargetOptions } from './kubernetes.js';
export { applyOrder, objectFileName, objectKey, ownershipLabels, ownershipSelector, toYaml } from './objects.js';

export const TARGET_DRIVER_TYPES = [
  'baton/directory',
  'baton/gitops',
  'humanitec/k8s-cluster-git',
  'humanitec/k8s-cluster',
  'baton/kubernetes',
] as const;

export interface TargetSpec {
  /** Driver type of the matched `k8s-cluster` resource definition. */
  driverType: string;
  /** The resource's non-secret outputs / driver inputs. */
  values?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  /** Baton's data folder: local work trees live under it. */
  dataDir: string;
  /** The default repository's remote (`BATON_GITOPS_URL`) and whether replicas share the database. */
  embeddedGitOps?: EmbeddedGitOps;
}

function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`k8s-cluster input "${name}" must be a string`);
  return value;
}

/** The target for an environment's `k8s-cluster` resource; `InvalidInput` for a driver type that is not a target. */
export function createTarget(spec: TargetSpec): Target {
  const values = spec.values ?? {};
  const secrets = spec.secrets ?? {};
  switch (spec.driverType) {
    case 'baton/directory':
      return new DirectoryTarget(optionalString(values, 'root') ?? join(spec.dataDir, 'manifests'));
    case 'baton/gitops':
    case 'humanitec/k8s-cluster-git': {
      const url = optionalString(values, 'url');
      if (!url) return embeddedGitOpsTarget(spec.dataDir, spec.embeddedGitOps);
      const options = {
        // One work tree per remote, so two clusters never share an index.
        workdir: join(spec.dataDir, 'gitops', sha256Hex(url).slice(0, 16)),
        url,
        branch: optionalString(values, 'branch') ?? 'main',
      };
      const path = optionalString(values, 'path');
      return new GitOpsTarget(path ? { ...options, path } : options);
    }
    case 'humanitec/k8s-cluster':
    case 'baton/kubernetes': {
      const hasOutputs = values.cluster_data !== undefined || secrets.credentials !== undefined;
      const kubeConfig = hasOutputs
        ? kubeConfigFromOutputs({ cluster_data: values.cluster_data, credentials: secrets.credentials ?? values.credentials } as ClusterOutputs)
        : kubeConfigFromEnvironment();
      return new KubernetesTarget({ kubeConfig });
    }
    default:
      throw new InvalidInput(`"${spec.driverType}" is not a deployment target (known: ${TARGET_DRIVER_TYPES.join(', ')})`);
  }
}
