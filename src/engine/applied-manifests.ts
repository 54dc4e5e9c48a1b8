/**
 * What a deployment gave its target, kept with the deployment so its manifest diff from the previous deployment can
 * be shown afterwards (`GET …/deploys/{id}/baton/manifests`). Secret values are replaced by short keyed hashes
 * (HMAC with the installation's manifest-hash key) before the objects are recorded or shown in a plan: a diff shows
 * that a secret changed, never what it holds, and a reader cannot test guesses of a weak secret offline against an
 * unkeyed digest. The record is sealed with the deployment's AAD anyway: other objects may carry values that are
 * sensitive without being Secrets.
 */
import { canonicalJson } from '../shared/canonical-json.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';
import type { SecretBox } from '../secrets/index.js';
import { diffObjects } from '../targets/index.js';
import type { K8sObject } from '../targets/types.js';

function redactSecretValue(value: unknown, hasher: KeyedHasher): string {
  return `*** (hmac:${hasher.hex(typeof value === 'string' ? value : canonicalJson(value)).slice(0, 12)})`;
}

/** A Secret's values replaced by short keyed hashes: a diff shows that a secret changed, not what it holds. */
export function redactSecrets(object: K8sObject, hasher: KeyedHasher): K8sObject {
  if (object.kind !== 'Secret') return object;
  const copy = structuredClone(object) as K8sObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  for (const field of ['data', 'stringData'] as const) {
    const entries = copy[field];
    if (entries && typeof entries === 'object') copy[field] = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, redactSecretValue(v, hasher)]));
  }
  return copy;
}

function appliedAad(orgId: string, appId: string, deployId: string): string {
  return `orgs/${orgId}/apps/${appId}/deploys/${deployId}/applied`;
}

/** The objects of a deployment's final apply, Secrets redacted, sealed for the deployment's progress. */
export function sealApplied(box: SecretBox, hasher: KeyedHasher, ref: { orgId: string; appId: string; deployId: string }, objects: readonly K8sObject[]): string {
  return box.seal(objects.map((o) => redactSecrets(o, hasher)), appliedAad(ref.orgId, ref.appId, ref.deployId));
}

export function openApplied(box: SecretBox, ref: { orgId: string; appId: string; deployId: string }, sealed: string): K8sObject[] {
  return box.open(sealed, appliedAad(ref.orgId, ref.appId, ref.deployId)) as K8sObject[];
}

/** The manifest diff between two deployments' applied objects (same shape as a plan's `manifests`). */
export interface ManifestDiff {
  added: { key: string; object: K8sObject }[];
  changed: { key: string; diff: string }[];
  removed: { key: string }[];
  unchanged: string[];
}

export function manifestDiff(previous: readonly K8sObject[], next: readonly K8sObject[]): ManifestDiff {
  const diff = diffObjects(previous, next);
  return {
    added: diff.added.map((a) => ({ key: a.key, object: a.object })),
    changed: diff.changed.map((c) => ({ key: c.key, diff: c.diff })),
    removed: diff.removed.map((r) => ({ key: r.key })),
    unchanged: diff.unchanged,
  };
}
