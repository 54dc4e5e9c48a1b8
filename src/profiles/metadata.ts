/** Labels, annotations, content hashes and ordering shared by every profile. */
import { canonicalJson } from '../shared/canonical-json.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';
import { assertSafeKey } from '../shared/safe-path.js';
import type { K8sObject, ProfileContext, ResolvedValue } from './types.js';
import { SecretString } from './types.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'baton';
export const APP_LABEL = 'baton.dev/app';
export const ENV_LABEL = 'baton.dev/env';
export const WORKLOAD_LABEL = 'baton.dev/workload';
export const ORG_ANNOTATION = 'baton.dev/org';
/** An annotation, not a label: it changes on every deployment and must not touch selectors or pods. */
export const DEPLOYMENT_ANNOTATION = 'baton.dev/deployment';
export const CONTENT_HASH_ANNOTATION = 'baton.dev/content-hash';
/** On pod templates: keyed hash of the ConfigMap/Secret data they mount, so a content change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'baton.dev/config-hash';

/** Labels that select every object Baton manages for one app/env (used by targets to prune). */
export function ownershipLabels(appId: string, envId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: appId, [ENV_LABEL]: envId };
}

export function workloadLabels(context: ProfileContext, workloadId: string): Record<string, string> {
  return { ...ownershipLabels(context.appId, context.envId), [WORKLOAD_LABEL]: workloadId };
}

/** The pod selector: only the workload id, which is unique in an app/env namespace and never changes. */
export function selectorLabels(workloadId: string): Record<string, string> {
  return { [WORKLOAD_LABEL]: workloadId };
}

/**
 * Keyed hash (HMAC-SHA-256, `hasher`) of an object's content, ignoring the hash annotation itself and the deployment
 * id, so an object rendered again from the same inputs by a later deployment gets the same hash. Keyed because the
 * object may be a Secret: its hash must not let a reader confirm a guess of the values.
 */
export function contentHash(object: K8sObject, hasher: KeyedHasher): string {
  const annotations = { ...(object.metadata.annotations ?? {}) };
  delete annotations[CONTENT_HASH_ANNOTATION];
  delete annotations[DEPLOYMENT_ANNOTATION];
  const stripped = { ...object, metadata: { ...object.metadata, annotations } };
  return hasher.hex(canonicalJson(stripped));
}

/**
 * Give every object Baton's ownership labels, the workload label, the org/deployment annotations and
 * the content hash. Labels the profile already set win over nothing but Baton's own keys, which always win
 * (a module must not be able to hide an object from pruning by overriding them).
 */
export function stampObject(object: K8sObject, context: ProfileContext, workloadId: string): K8sObject {
  const metadata = { ...object.metadata };
  metadata.labels = { ...(metadata.labels ?? {}), ...workloadLabels(context, workloadId) };
  metadata.annotations = {
    ...(metadata.annotations ?? {}),
    [ORG_ANNOTATION]: context.orgId,
    [DEPLOYMENT_ANNOTATION]: context.deploymentId,
  };
  if (context.namespace !== undefined && !CLUSTER_SCOPED_KINDS.has(object.kind)) {
    metadata.namespace = context.namespace;
  }
  const stamped: K8sObject = { ...object, metadata };
  metadata.annotations[CONTENT_HASH_ANNOTATION] = contentHash(stamped, context.hasher);
  return stamped;
}

/** Kinds that never carry a namespace (the common built-ins; custom profiles may set their own). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

const KIND_ORDER = ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service'];

/** Deterministic output order: config before what uses it, then by kind and name. */
export function sortObjects(objects: K8sObject[]): K8sObject[] {
  const rank = (kind: string): number => {
    const index = KIND_ORDER.indexOf(kind);
    return index === -1 ? KIND_ORDER.length : index;
  };
  return [...objects].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      compare(a.kind, b.kind) ||
      compare(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      compare(a.metadata.name, b.metadata.name),
  );
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Replace every `SecretString` by its value: for schema validation and for fields that cannot reference a Secret. */
export function revealSecrets(value: ResolvedValue): unknown {
  if (value instanceof SecretString) return value.value;
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof SecretString);
}

/**
 * Deep merge for `spec.deployment` / `spec.pod` overrides: objects merge key by key, anything else
 * (arrays included, as in Helm values) replaces. Hand-written because it is a few lines and the
 * array rule must be exactly this one.
 */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    assertSafeKey(key, 'spec');
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined;
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
