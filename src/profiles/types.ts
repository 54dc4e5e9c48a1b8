/**
 * Input and output types of workload profiles. They are local on purpose: profiles must not depend on
 * `sets`, `resources` or `engine`; the engine adapts its own data to these shapes.
 */
import type { DriverManifest } from '../drivers/contract.js';

/**
 * A string whose value came (wholly or partly) from a secret: a secret shared value, a driver's secret
 * output. Profiles never write such a string into a plain field of a Kubernetes object; they put it in a
 * generated `Secret` and reference it (`valueFrom.secretKeyRef`, secret volumes).
 *
 * A class rather than `{value, secret}` pairs so that a resolved module keeps the plain JSON shape of
 * the module spec: every leaf string is either a `string` (not secret) or a `SecretString`.
 */
export class SecretString {
  constructor(readonly value: string) {}
  /** Never leak the value through logs or accidental string concatenation. */
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
}

/** A JSON value whose strings may be secret. */
export type ResolvedValue =
  | string
  | SecretString
  | number
  | boolean
  | null
  | ResolvedValue[]
  | { [key: string]: ResolvedValue };

export type ResolvedObject = { [key: string]: ResolvedValue };

/** A module of a deployment set with every placeholder substituted. */
export interface ResolvedModule {
  /** Qualified profile id; `humanitec/default-module` when absent. */
  profile?: string;
  spec: ResolvedObject;
}

import type { K8sObject } from '../shared/k8s.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';

export type { K8sObject };

export interface ProfileContext {
  orgId: string;
  appId: string;
  envId: string;
  /** Deployment being rendered; recorded on every object but left out of its content hash. */
  deploymentId: string;
  /** When set, every namespaced object gets `metadata.namespace`. */
  namespace?: string;
  /**
   * Keys the config and content hashes written into objects (HMAC-SHA-256): they cover Secret data, so an unkeyed
   * hash would let a reader of the manifests test guesses of a secret. The engine passes one keyed from Baton's secret
   * key (src/secrets/derived-keys.ts); profiles only hash with it and never write it anywhere.
   */
  hasher: KeyedHasher;
}

/**
 * A driver manifest that a resource the workload depends on asks to inject into the workload's pod.
 * `resource` is the reference the module uses for that resource (`externals.data`, `shared.db`, or the
 * resolved form of `${resources.x}`): a `volume_mounts` entry whose `id` equals it mounts the resource's
 * `volumes` manifest. Manifests with location `namespace`/`cluster` are not a profile's business (the
 * engine hands them to the target directly) and are ignored here.
 */
export interface InjectedManifest extends DriverManifest {
  resource: string;
}

export interface RenderRequest {
  workloadId: string;
  module: ResolvedModule;
  context: ProfileContext;
  manifests?: InjectedManifest[];
}

export interface WorkloadProfile {
  /** Qualified id, e.g. `humanitec/default-module`. */
  readonly id: string;
  readonly description: string;
  /** JSON Schema (draft 2020-12) of the module `spec` this profile accepts. */
  readonly specSchema: Record<string, unknown>;
  /** Turn a resolved module into Kubernetes objects (sorted, labelled, hashed). */
  render(request: RenderRequest): Promise<K8sObject[]>;
}
