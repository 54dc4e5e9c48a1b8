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
 *   File targets (directory, gitops) take `secrets: { mode, … }` from the values: Kubernetes Secrets SOPS-encrypted
 *   to Baton's age key and `age_recipients` (default), or ExternalSecrets, or — only when set — plaintext (./secrets.ts).
 * - `baton/gitops`, `humanitec/k8s-cluster-git` — values `{ url?, branch?, path? }`: files in a git work
 *   tree under `<dataDir>/gitops/<hash of url>`, one commit per deployment, pushed to `url` when given.
 * - `humanitec/k8s-cluster`, `baton/kubernetes` — values `cluster_data`, secrets `credentials`, or
 *   `KUBECONFIG` when neither is given: server-side apply with field manager `baton`.
 * - `baton/podman` — values `{ podman?, containers_conf? }`: the local runtime, one Podman pod per workload
 *   (docs/local-runtime.md).
 */
import { join } from 'node:path';
import { sha256Hex } from '../shared/canonical-json.js';
import { InvalidInput } from '../shared/errors.js';
import { DirectoryTarget } from './directory.js';
import { GitOpsTarget, embeddedGitOpsTarget } from './gitops.js';
import type { EmbeddedGitOps } from './gitops.js';
import { PodmanTarget } from './podman/target.js';
import { KubernetesTarget, kubeConfigFromEnvironment, kubeConfigFromOutputs } from './kubernetes.js';
import type { ClusterOutputs } from './kubernetes.js';
import { createSecretsPolicy, parseSecretsConfig } from './secrets.js';
import type { AgeKeyPair, SecretsPolicy } from './secrets.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import type { Target } from './types.js';

export type { ApplyRequest, ApplyResult, K8sObject, Target } from './types.js';
export type { ObjectDiff } from './diff.js';
export { diffObjects, unifiedDiff } from './diff.js';
export { DirectoryTarget } from './directory.js';
export { GitOpsTarget, embeddedGitOpsTarget, localRepositoryWarning, parseGitCredentials } from './gitops.js';
export type { EmbeddedGitOps, GitCredentials, GitOpsOptions } from './gitops.js';
export { FIELD_MANAGER, KubernetesTarget, kubeConfigFromEnvironment, kubeConfigFromOutputs } from './kubernetes.js';
export type { ClusterOutputs, KubernetesTargetOptions } from './kubernetes.js';
export { PLAINTEXT_WARNING, SECRETS_MODES, createSecretsPolicy, externalSecretRef, parseSecretsConfig } from './secrets.js';
export type { AgeKeyPair, SecretsConfig, SecretsMode, SecretsPolicy } from './secrets.js';
export { PodmanTarget, isRuntimeTarget, podName } from './podman/target.js';
export type { PublishedPort, RuntimeLogEntry, RuntimeTarget, WorkloadRuntime } from './podman/target.js';
export { podmanAvailable } from './podman/podman-cli.js';
export { applyOrder, objectFileName, objectKey, ownershipLabels, ownershipSelector, toYaml } from './objects.js';

export const TARGET_DRIVER_TYPES = [
  'baton/directory',
  'baton/gitops',
  'humanitec/k8s-cluster-git',
  'humanitec/k8s-cluster',
  'baton/kubernetes',
  'baton/podman',
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
  /** Baton's age key (`<dataDir>/age.agekey`): file targets SOPS-encrypt Secrets to it (and to `secrets.age_recipients`). */
  ageKey?: AgeKeyPair;
  /** Baton's secret stores, for `secrets.mode: external-secrets`. */
  secretStores?: SecretStoreResolver;
}

function filePolicy(spec: TargetSpec, values: Record<string, unknown>): SecretsPolicy {
  return createSecretsPolicy(parseSecretsConfig(values.secrets), { ageKey: spec.ageKey, secretStores: spec.secretStores });
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
      return new DirectoryTarget(optionalString(values, 'root') ?? join(spec.dataDir, 'manifests'), filePolicy(spec, values));
    case 'baton/gitops':
    case 'humanitec/k8s-cluster-git': {
      const url = optionalString(values, 'url');
      const secrets = filePolicy(spec, values);
      if (!url) return embeddedGitOpsTarget(spec.dataDir, spec.embeddedGitOps, secrets);
      const options = {
        // One work tree per remote, so two clusters never share an index.
        workdir: join(spec.dataDir, 'gitops', sha256Hex(url).slice(0, 16)),
        url,
        branch: optionalString(values, 'branch') ?? 'main',
        secrets,
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
    case 'baton/podman': {
      const bin = optionalString(values, 'podman');
      const containersConf = optionalString(values, 'containers_conf');
      return new PodmanTarget({ dataDir: spec.dataDir, ...(bin ? { bin } : {}), ...(containersConf ? { containersConf } : {}) });
    }
    default:
      throw new InvalidInput(`"${spec.driverType}" is not a deployment target (known: ${TARGET_DRIVER_TYPES.join(', ')})`);
  }
}
