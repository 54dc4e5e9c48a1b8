/**
 * Test helpers shared by profile and target tests: offline validation of objects against the Kubernetes
 * schemas (kubernetes-models) and fixtures with secret markers. Not imported by production code.
 */
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { KeyedHasher } from '../shared/keyed-hash.js';
import type { K8sObject, ResolvedValue } from './types.js';
import { SecretString } from './types.js';

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/CronJob': CronJob,
  'batch/v1/Job': Job,
};

/** Validate against the Kubernetes OpenAPI schema; throws naming the object and the schema error. */
export function validateK8sObject(object: K8sObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no offline schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(structuredClone(object) as never).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`, { cause: error });
  }
}

/** Fixture JSON marks secret strings as `{"$secret": "..."}`. */
export function withSecrets(value: unknown): ResolvedValue {
  if (Array.isArray(value)) return value.map(withSecrets);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$secret === 'string' && Object.keys(record).length === 1) return new SecretString(record.$secret);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withSecrets(v)]));
  }
  return value as ResolvedValue;
}

/**
 * The hasher of every profile and target test context: a fixed key, so golden files are stable. A server derives its
 * own from its secret key (src/secrets/derived-keys.ts).
 */
export const TEST_HASHER = new KeyedHasher(Buffer.alloc(32, 0x42));
