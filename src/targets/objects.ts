/** Identity, ownership and serialisation of objects, shared by all targets. */
import { Document, Scalar, parse, visit } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import type { ApplyRequest, K8sObject } from './types.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const APP_LABEL = 'baton.dev/app';
export const ENV_LABEL = 'baton.dev/env';
export const CONTENT_HASH_ANNOTATION = 'baton.dev/content-hash';

export function ownershipLabels(appId: string, envId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: 'baton', [APP_LABEL]: appId, [ENV_LABEL]: envId };
}

export function ownershipSelector(appId: string, envId: string): string {
  return Object.entries(ownershipLabels(appId, envId))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Stable identity of an object: `Kind[.group]/[namespace/]name`, e.g. `Deployment.apps/shop-dev/web`. */
export function objectKey(object: K8sObject): string {
  const group = apiGroup(object.apiVersion);
  const kind = group ? `${object.kind}.${group}` : object.kind;
  const namespace = object.metadata.namespace;
  return namespace ? `${kind}/${namespace}/${object.metadata.name}` : `${kind}/${object.metadata.name}`;
}

/** `<kind>-<namespace>-<name>.yaml` (`<kind>-<name>.yaml` for cluster-scoped objects), lower case. */
export function objectFileName(object: K8sObject): string {
  const parts = [object.kind.toLowerCase(), object.metadata.namespace, object.metadata.name].filter(Boolean);
  return `${parts.join('-')}.yaml`;
}

/** Plain scalars YAML 1.1 could read as something else: booleans (on/yes/y/off/no/n), numbers (1_000, 0o17, 12:30), null. */
const MAYBE_NOT_A_STRING = /^[-+.0-9A-Za-z_:~]{1,40}$/;

/** A string a YAML 1.1 reader (kubectl, Argo CD, Flux) would not read back as that string when written plain. */
function ambiguousIn11(value: string): boolean {
  if (!MAYBE_NOT_A_STRING.test(value)) return false;
  let known = AMBIGUOUS.get(value);
  if (known === undefined) {
    try {
      known = parse(value, { version: '1.1' }) !== value || parse(value) !== value;
    } catch {
      known = true;
    }
    if (AMBIGUOUS.size >= AMBIGUOUS_CACHE_SIZE) AMBIGUOUS.clear();
    AMBIGUOUS.set(value, known);
  }
  return known;
}

/**
 * Answers of `ambiguousIn11` by string: keys and values repeat across a deployment's objects, and two YAML parses
 * per scalar were most of the time a large deployment spent writing files (issue #22, deploy-scale profile).
 * Bounded (strings of at most 40 characters, emptied when full).
 */
const AMBIGUOUS = new Map<string, boolean>();
const AMBIGUOUS_CACHE_SIZE = 20_000;

/**
 * YAML with sorted keys, so the same object always gives the same bytes (clean git diffs). Strings that a YAML 1.1
 * parser reads as booleans or numbers (`on`, `yes`, `no`, `1_000`) are double-quoted, so every reader gets strings.
 */
export function toYaml(object: K8sObject): string {
  const doc = new Document(object, { sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && ambiguousIn11(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

function checkObject(object: unknown, index: number): asserts object is K8sObject {
  const o = object as Partial<K8sObject> | null;
  if (
    o === null ||
    typeof o !== 'object' ||
    typeof o.apiVersion !== 'string' ||
    typeof o.kind !== 'string' ||
    typeof o.metadata !== 'object' ||
    o.metadata === null ||
    typeof o.metadata.name !== 'string' ||
    o.metadata.name === ''
  ) {
    throw new InvalidInput(`object #${index} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
}

/**
 * The objects a target should hold for a request: validated, the namespace added when not rendered,
 * duplicates (same key) refused, in a stable order.
 */
export function desiredObjects(request: ApplyRequest): K8sObject[] {
  request.objects.forEach(checkObject);
  const objects = [...request.objects];
  const hasNamespace = objects.some((o) => o.kind === 'Namespace' && o.metadata.name === request.namespace);
  if (!hasNamespace) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: request.namespace, labels: ownershipLabels(request.appId, request.envId) },
    });
  }
  const seen = new Map<string, K8sObject>();
  for (const object of objects) {
    const key = objectKey(object);
    if (seen.has(key)) throw new InvalidInput(`object ${key} is rendered twice`, { object: key });
    seen.set(key, object);
  }
  return applyOrder(objects);
}

/**
 * What other objects refer to goes first (as Helm orders an install): definitions, identities and
 * config before the workloads that use them. Unknown kinds (custom resources) come last.
 */
const KIND_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'NetworkPolicy',
  'ConfigMap',
  'Secret',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Service',
  'DaemonSet',
  'Deployment',
  'StatefulSet',
  'Job',
  'CronJob',
  'Ingress',
];

function kindRank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index === -1 ? KIND_ORDER.length : index;
}

/** Namespaces first, then cluster-scoped objects, then namespaced ones; by kind rank and key within each group. */
export function applyOrder(objects: K8sObject[]): K8sObject[] {
  const scope = (o: K8sObject): number => (o.kind === 'Namespace' ? 0 : o.metadata.namespace ? 2 : 1);
  return [...objects].sort((a, b) => {
    const ka = objectKey(a);
    const kb = objectKey(b);
    return scope(a) - scope(b) || kindRank(a.kind) - kindRank(b.kind) || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
}
