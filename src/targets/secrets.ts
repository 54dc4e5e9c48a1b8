/**
 * What file targets (directory, gitops) do with Kubernetes Secrets, so no clear secret reaches a file or git:
 *
 * - `sops` (the default): each Secret is written in the SOPS format, its `data`/`stringData` encrypted to the age
 *   recipients (Flux's kustomize-controller decrypts it natively, Argo CD through KSOPS). Baton's own age key is
 *   always one of the recipients, so Baton can read back what it wrote: a Secret whose content did not change keeps
 *   its file byte for byte (no commit), and plans and staged rollouts see the real previous object.
 * - `external-secrets`: each Secret becomes an `ExternalSecret` (external-secrets.io/v1beta1) that references a
 *   `SecretStore`; the values are pushed to a secret store through a `SecretStoreClient`.
 * - `plaintext`: Secrets as they are (base64 is no encryption); only when configured, and every apply says so.
 *
 * Configured on the `k8s-cluster` definition that selects the target, in its values:
 *   `secrets: { mode: sops, age_recipients: [age1…] }`
 *   `secrets: { mode: external-secrets, secret_store: vault-backend, secret_store_kind: ClusterSecretStore, store: vault }`
 *   `secrets: { mode: plaintext }`
 */
import { parse } from 'yaml';
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { InvalidInput } from '../shared/errors.js';
import { isAgeRecipient } from '../secrets/age.js';
import { isSopsDocument, sopsAgeRecipients, sopsDecryptText, sopsEncrypt, sopsYaml } from '../secrets/sops.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import { CONTENT_HASH_ANNOTATION, objectKey, toYaml } from './objects.js';
import type { K8sObject } from './types.js';

export const SECRETS_MODES = ['sops', 'external-secrets', 'plaintext'] as const;
export type SecretsMode = (typeof SECRETS_MODES)[number];

/** Baton's own age key (`<dataDir>/age.agekey`): a recipient of every SOPS file Baton writes. */
export interface AgeKeyPair {
  identity: string;
  recipient: string;
}

export type SecretsConfig =
  | { mode: 'sops'; ageRecipients: string[] }
  | { mode: 'plaintext' }
  | {
      mode: 'external-secrets';
      /** Name of the `SecretStore` (or `ClusterSecretStore`) object the ExternalSecrets reference. */
      secretStore: string;
      secretStoreKind: 'SecretStore' | 'ClusterSecretStore';
      /** Baton's secret store (`/orgs/{orgId}/secretstores/{id}`) the values are pushed to; the org's default when unset. */
      store?: string;
      /** Prefix of the refs values are written under: `<prefix>/<app>/<env>/<secret>/<key>`. */
      refPrefix: string;
      refreshInterval: string;
    };

const MAX_RECIPIENTS = 32;

function stringField(config: Record<string, unknown>, name: string, pattern?: RegExp): string | undefined {
  const value = config[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 253 || (pattern && !pattern.test(value))) throw new InvalidInput(`k8s-cluster secrets.${name} is not valid`);
  return value;
}

/** The `secrets` value of a `k8s-cluster` definition; unset means SOPS to Baton's own age key. */
export function parseSecretsConfig(value: unknown): SecretsConfig {
  if (value === undefined || value === null) return { mode: 'sops', ageRecipients: [] };
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInput('k8s-cluster secrets must be an object ({ mode, age_recipients })');
  const config = value as Record<string, unknown>;
  const mode = config.mode ?? 'sops';
  if (typeof mode !== 'string' || !(SECRETS_MODES as readonly string[]).includes(mode)) throw new InvalidInput(`k8s-cluster secrets.mode must be one of ${SECRETS_MODES.join(', ')}`);
  switch (mode as SecretsMode) {
    case 'plaintext':
      return { mode: 'plaintext' };
    case 'sops': {
      const raw = config.age_recipients ?? [];
      const list = typeof raw === 'string' ? raw.split(',').map((r) => r.trim()).filter(Boolean) : raw;
      if (!Array.isArray(list) || list.length > MAX_RECIPIENTS || !list.every((r) => typeof r === 'string' && isAgeRecipient(r))) {
        throw new InvalidInput(`k8s-cluster secrets.age_recipients must be a list of at most ${MAX_RECIPIENTS} age recipients (age1…)`);
      }
      return { mode: 'sops', ageRecipients: [...new Set(list as string[])] };
    }
    case 'external-secrets': {
      const name = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
      const secretStore = stringField(config, 'secret_store', name);
      if (!secretStore) throw new InvalidInput('k8s-cluster secrets.secret_store (the SecretStore the ExternalSecrets reference) is required in external-secrets mode');
      const kind = stringField(config, 'secret_store_kind') ?? 'SecretStore';
      if (kind !== 'SecretStore' && kind !== 'ClusterSecretStore') throw new InvalidInput('k8s-cluster secrets.secret_store_kind must be SecretStore or ClusterSecretStore');
      const store = stringField(config, 'store', /^[A-Za-z0-9][-_A-Za-z0-9.]*$/);
      return {
        mode: 'external-secrets',
        secretStore,
        secretStoreKind: kind,
        ...(store !== undefined ? { store } : {}),
        refPrefix: (stringField(config, 'ref_prefix', /^[A-Za-z0-9][-_A-Za-z0-9./]*$/) ?? 'baton').replace(/\/+$/, ''),
        refreshInterval: stringField(config, 'refresh_interval', /^(\d+(ms|s|m|h))+$/) ?? '1h',
      };
    }
  }
}

/** How one object becomes a file and back. */
export interface ObjectCodec {
  /** The file's content for `object`; `current` (the file's present content) is returned when it already holds it. */
  encode(object: K8sObject, current: string | undefined): string;
  /** The object a file holds (a SOPS Secret decrypted when Baton's key opens it). */
  decode(text: string): K8sObject;
}

const VOLATILE_ANNOTATIONS = ['baton.dev/deployment', CONTENT_HASH_ANNOTATION];

function withoutVolatile(object: K8sObject): K8sObject {
  const annotations = { ...(object.metadata.annotations ?? {}) };
  for (const name of VOLATILE_ANNOTATIONS) delete annotations[name];
  const metadata = { ...object.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  return { ...object, metadata };
}

/** The plain codec: sorted-key YAML; a file whose content hash matches is kept (it holds the same object). */
export const plainCodec: ObjectCodec = {
  encode(object, current) {
    const content = toYaml(object);
    if (current === undefined || current === content) return content;
    const hash = object.metadata.annotations?.[CONTENT_HASH_ANNOTATION];
    // A file without the hash's text cannot hold it: no YAML parse (most files of a deployment that changed them).
    if (hash === undefined || !current.includes(hash)) return content;
    const existing = parse(current) as K8sObject | null;
    return existing?.metadata?.annotations?.[CONTENT_HASH_ANNOTATION] === hash ? current : content;
  },
  decode: (text) => parse(text) as K8sObject,
};

export function isKubernetesSecret(object: K8sObject): boolean {
  return object.kind === 'Secret' && object.apiVersion === 'v1';
}

/** Keys sorted at every level, so the same object always gives the same YAML (and SOPS MAC order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/**
 * SOPS for Secrets, plain YAML for everything else. The content hash annotation is dropped from encrypted Secrets
 * (keyed as it is, an encrypted file should carry nothing computed from the values it hides); whether a Secret
 * changed is decided by decrypting its file with Baton's key instead.
 */
export function sopsCodec(ownKey: AgeKeyPair, extraRecipients: readonly string[]): ObjectCodec {
  const recipients = [ownKey.recipient, ...extraRecipients.filter((r) => r !== ownKey.recipient)];
  const sameRecipients = (found: string[]): boolean => found.length === recipients.length && [...found].sort().join() === [...recipients].sort().join();
  const decrypt = (text: string): K8sObject | undefined => {
    try {
      return sopsDecryptText(text, [ownKey.identity]).tree as unknown as K8sObject;
    } catch {
      return undefined;
    }
  };
  return {
    encode(object, current) {
      if (!isKubernetesSecret(object)) return plainCodec.encode(object, current);
      // Already encrypted (a previous object Baton could not open, applied again): kept as it is.
      if (isSopsDocument(object)) return current !== undefined && canonicalJson(parse(current)) === canonicalJson(object) ? current : sopsYaml(object);
      const annotations = { ...(object.metadata.annotations ?? {}) };
      delete annotations[CONTENT_HASH_ANNOTATION];
      const stripped = { ...object, metadata: { ...object.metadata, annotations } };
      if (current !== undefined) {
        const existing = parse(current) as unknown;
        if (isSopsDocument(existing) && sameRecipients(sopsAgeRecipients(existing))) {
          const previous = decrypt(current);
          if (previous && canonicalJson(withoutVolatile(previous)) === canonicalJson(withoutVolatile(stripped))) return current;
        }
      }
      return sopsYaml(sopsEncrypt(sortKeys(stripped) as Record<string, unknown>, { recipients }));
    },
    decode(text) {
      const parsed = parse(text) as K8sObject;
      if (!isSopsDocument(parsed)) return parsed;
      return decrypt(text) ?? parsed;
    },
  };
}

/** What a file target does with Secrets before writing: the objects to write, what to tell the deployment's log. */
export interface SecretsPolicy {
  readonly mode: SecretsMode;
  readonly codec: ObjectCodec;
  prepare(objects: K8sObject[], context: { orgId?: string | undefined; appId: string; envId: string; signal?: AbortSignal | undefined }): Promise<{ objects: K8sObject[]; warnings: string[] }>;
}

export const PLAINTEXT_WARNING =
  'secrets mode is "plaintext": Kubernetes Secrets are written in clear (base64 is no encryption) to the repository and its history; set secrets.mode to sops or external-secrets on the k8s-cluster definition (docs/internals/profiles-and-targets.md)';

/** A file target built without a policy writes no Secret at all rather than one in clear. */
export const REFUSE_SECRETS: SecretsPolicy = {
  mode: 'sops',
  codec: plainCodec,
  prepare(objects) {
    const secret = objects.find(isKubernetesSecret);
    if (secret) throw new InvalidInput(`Secret ${objectKey(secret)} not written: this target has no secrets mode (sops, external-secrets or plaintext)`);
    return Promise.resolve({ objects, warnings: [] });
  },
};

export interface SecretsPolicyDeps {
  /** Baton's age key; required for `sops`. */
  ageKey?: AgeKeyPair | undefined;
  /** Baton's secret stores; required for `external-secrets`. */
  secretStores?: SecretStoreResolver | undefined;
}

export function createSecretsPolicy(config: SecretsConfig, deps: SecretsPolicyDeps): SecretsPolicy {
  switch (config.mode) {
    case 'plaintext':
      return { mode: 'plaintext', codec: plainCodec, prepare: (objects) => Promise.resolve({ objects, warnings: [PLAINTEXT_WARNING] }) };
    case 'sops': {
      if (!deps.ageKey) throw new InvalidInput('secrets mode sops needs Baton\'s age key (it is created in the data folder at start)');
      return { mode: 'sops', codec: sopsCodec(deps.ageKey, config.ageRecipients), prepare: (objects) => Promise.resolve({ objects, warnings: [] }) };
    }
    case 'external-secrets': {
      const resolve = deps.secretStores;
      if (!resolve) throw new InvalidInput('secrets mode external-secrets needs Baton\'s secret stores, which this installation does not have');
      return {
        mode: 'external-secrets',
        codec: plainCodec,
        prepare: async (objects, context) => {
          if (!objects.some(isKubernetesSecret)) return { objects, warnings: [] };
          if (context.orgId === undefined) throw new InvalidInput('secrets mode external-secrets needs the org of the deployment');
          const client = await resolve(context.orgId, config.store);
          const out: K8sObject[] = [];
          for (const object of objects) {
            if (!isKubernetesSecret(object)) {
              out.push(object);
              continue;
            }
            out.push(await externalSecretFor(object, config, context, client));
          }
          return { objects: out, warnings: [] };
        },
      };
    }
  }
}

type ExternalSecretsConfig = Extract<SecretsConfig, { mode: 'external-secrets' }>;

/** The store path of one key of a Secret: `<prefix>/<app>/<env>/<namespace>/<secret>/<key>`. */
export function externalSecretRef(config: ExternalSecretsConfig, context: { appId: string; envId: string }, secret: K8sObject, key: string): string {
  return [config.refPrefix, context.appId, context.envId, secret.metadata.namespace ?? '_', secret.metadata.name, key].join('/');
}

/**
 * Pushes a Secret's values to the store (only the ones that differ from what the store holds, so an unchanged
 * redeploy writes nothing) and returns the ExternalSecret that recreates the Secret in the cluster. `data` values
 * are pushed as their base64 text and decoded by the operator (`decodingStrategy: Base64`), so binary values survive.
 */
async function externalSecretFor(
  secret: K8sObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown>; type?: string },
  config: ExternalSecretsConfig,
  context: { appId: string; envId: string; signal?: AbortSignal | undefined },
  client: { read(ref: string): Promise<string>; write(ref: string, value: string): Promise<{ version?: string }> },
): Promise<K8sObject> {
  const entries: { key: string; value: string; base64: boolean }[] = [];
  for (const [field, base64] of [['data', true], ['stringData', false]] as const) {
    for (const [key, value] of Object.entries(secret[field] ?? {})) {
      if (typeof value !== 'string') throw new InvalidInput(`Secret ${objectKey(secret)}: ${field}.${key} is not a string`);
      entries.push({ key, value, base64 });
    }
  }
  const data: Record<string, unknown>[] = [];
  for (const entry of entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    context.signal?.throwIfAborted();
    const ref = externalSecretRef(config, context, secret, entry.key);
    const stored = await client.read(ref).catch(() => undefined);
    if (stored !== entry.value) await client.write(ref, entry.value);
    data.push({ secretKey: entry.key, remoteRef: { key: ref, ...(entry.base64 ? { decodingStrategy: 'Base64' } : {}) } });
  }
  const annotations = { ...(secret.metadata.annotations ?? {}) };
  delete annotations[CONTENT_HASH_ANNOTATION];
  const labels = secret.metadata.labels ?? {};
  const templateMetadata: Record<string, unknown> = {};
  if (Object.keys(labels).length > 0) templateMetadata.labels = labels;
  const external = {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { ...secret.metadata, annotations },
    spec: {
      refreshInterval: config.refreshInterval,
      secretStoreRef: { name: config.secretStore, kind: config.secretStoreKind },
      target: {
        name: secret.metadata.name,
        creationPolicy: 'Owner',
        template: { type: secret.type ?? 'Opaque', ...(Object.keys(templateMetadata).length > 0 ? { metadata: templateMetadata } : {}) },
      },
      data,
    },
  } as K8sObject;
  // Its own content hash (it holds no value), so a redeploy of the same Secret keeps the file as it is.
  annotations[CONTENT_HASH_ANNOTATION] = sha256Hex(canonicalJson(withoutVolatile(external)));
  return external;
}
