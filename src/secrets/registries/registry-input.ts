/**
 * Pure checks on a container registry record (Humanitec's RegistryRequest): id, registry name, authentication type,
 * the credentials each type needs and the per-cluster pull-secret references. Messages name fields, never values.
 */
import { InvalidInput } from '../../shared/errors.js';

/** Humanitec's registry id rule (RegistryRequest.id). */
export const REGISTRY_ID_PATTERN = '^[a-z0-9][a-z0-9-]+[a-z0-9]$';
const ID_REGEX = new RegExp(REGISTRY_ID_PATTERN);
export const REGISTRY_TYPES = ['public', 'basic', 'google_gcr', 'amazon_ecr', 'secret_ref'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$/;
/** A Kubernetes name (namespace or Secret): DNS-1123 subdomain, at most 253 characters. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export interface RegistryCreds {
  username: string;
  password: string;
  expires?: string | null;
}

export interface ClusterSecret {
  namespace: string;
  secret: string;
}

export interface RegistryInput {
  id: string;
  registry: string;
  type: string;
  enable_ci?: boolean;
  creds?: { username?: string; password?: string; expires?: string | null };
  secrets?: Record<string, { namespace?: string; secret?: string }>;
}

export interface CheckedRegistry {
  id: string;
  registry: string;
  type: RegistryType;
  enable_ci: boolean;
  creds: RegistryCreds | undefined;
  secrets: Record<string, ClusterSecret> | undefined;
}

function isRegistryType(type: string): type is RegistryType {
  return (REGISTRY_TYPES as readonly string[]).includes(type);
}

/**
 * Checks a whole record (create, or a PATCH merged over the stored record). `public` needs nothing; `basic`,
 * `google_gcr` and `amazon_ecr` need `creds` (username and password or token); `secret_ref` needs `secrets` (where
 * to copy an existing pull secret from) and takes no `creds`.
 */
export function checkRegistry(input: RegistryInput): CheckedRegistry {
  const issues: string[] = [];
  if (!ID_REGEX.test(input.id) || input.id.length > 64) issues.push(`id: must match ${REGISTRY_ID_PATTERN} (at most 64 characters)`);
  const registry = input.registry.trim();
  if (registry === '' || registry.length > 512 || !/^[\x21-\x7e]+$/.test(registry) || registry.includes('://')) {
    issues.push('registry: must be a registry name such as "ghcr.io" or "registry.example.com/project" (printable ASCII, no scheme, no spaces, at most 512 characters)');
  }
  if (!isRegistryType(input.type)) issues.push(`type: must be one of ${REGISTRY_TYPES.join(', ')}`);
  let creds: RegistryCreds | undefined;
  if (input.creds !== undefined) {
    const { username, password, expires } = input.creds;
    if (typeof username !== 'string' || username === '') issues.push('creds.username: required');
    if (typeof password !== 'string' || password === '') issues.push('creds.password: required');
    if (expires !== undefined && expires !== null && !TIMESTAMP.test(expires)) issues.push('creds.expires: must be an ISO timestamp such as 2030-01-01T00:00:00Z');
    if (typeof username === 'string' && typeof password === 'string') creds = { username, password, ...(expires ? { expires } : {}) };
  }
  let secrets: Record<string, ClusterSecret> | undefined;
  if (input.secrets !== undefined) {
    secrets = {};
    const entries = Object.entries(input.secrets);
    if (entries.length > 64) issues.push('secrets: at most 64 clusters');
    for (const [cluster, ref] of entries.slice(0, 64)) {
      const where = `secrets.${cluster.slice(0, 64)}`;
      if (cluster !== '*' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(cluster)) issues.push(`${where}: the key must be "*" or a cluster id`);
      if (typeof ref.namespace !== 'string' || !K8S_NAME.test(ref.namespace) || ref.namespace.length > 63) issues.push(`${where}.namespace: must be a Kubernetes namespace name`);
      if (typeof ref.secret !== 'string' || !K8S_NAME.test(ref.secret) || ref.secret.length > 253) issues.push(`${where}.secret: must be a Kubernetes Secret name`);
      if (typeof ref.namespace === 'string' && typeof ref.secret === 'string') secrets[cluster] = { namespace: ref.namespace, secret: ref.secret };
    }
  }
  if (input.type === 'public' && creds !== undefined) issues.push('creds: a "public" registry takes no credentials');
  if ((input.type === 'basic' || input.type === 'google_gcr' || input.type === 'amazon_ecr') && input.creds === undefined) issues.push(`creds: a "${input.type}" registry needs creds (username and password)`);
  if (input.type === 'secret_ref') {
    if (input.creds !== undefined) issues.push('creds: a "secret_ref" registry copies an existing pull secret and takes no credentials');
    if (secrets === undefined || Object.keys(secrets).length === 0) issues.push('secrets: a "secret_ref" registry needs at least one cluster entry ("*" for every cluster)');
  }
  if (issues.length > 0) throw new InvalidInput(issues.join('; '), { field: issues[0]!.split(':')[0], issues });
  return { id: input.id, registry, type: input.type as RegistryType, enable_ci: input.enable_ci ?? false, creds, secrets };
}
