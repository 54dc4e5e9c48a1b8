/**
 * Image pull secrets from the org's container registries (`/orgs/{orgId}/registries`), as Humanitec gives them:
 * a workload whose container image lies under a registry with credentials gets a `kubernetes.io/dockerconfigjson`
 * Secret for that registry in its namespace, named in its pods' `imagePullSecrets`.
 *
 * Pure: the engine opens the credentials (sealed in Baton's store) and hands them in; this module matches images to
 * registries, renders the Secrets and adds their names to the pod specs of rendered objects. It works on rendered
 * objects rather than inside a profile so custom (template) profiles get the same behaviour.
 *
 * Matching: the image reference is read as Docker reads it (`nginx` is `docker.io/library/nginx`, a first segment
 * with a `.` or `:` or `localhost` is a registry host), then a registry `host[/path]` covers it when the hosts are
 * equal and its path is empty, equal to the image's repository path or a leading run of whole segments of it
 * (`ghcr.io/acme` covers `ghcr.io/acme/app`, not `ghcr.io/acme-labs/app`). The most specific registry (longest path)
 * wins, whether or not it has credentials: a `public` record under a `basic` one exempts its images.
 */
import type { KeyedHasher } from '../shared/keyed-hash.js';
import { CONTENT_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, APP_LABEL, ENV_LABEL, ORG_ANNOTATION, compare, contentHash } from './metadata.js';
import type { K8sObject } from './types.js';

/** A registry as deployments see it; `creds` opened from Baton's secret store by the engine (absent: no pull secret). */
export interface PullRegistry {
  id: string;
  /** `host[:port][/path]`, as the registry record's `registry` field. */
  registry: string;
  /** Humanitec's registry type (`public`, `basic`, `google_gcr`, `amazon_ecr`, `secret_ref`). */
  type: string;
  creds?: { username: string; password: string };
}

/** Where an image (or a registry) lives: lower-case host and the repository path (no tag, no digest). */
export interface ImageLocation {
  host: string;
  path: string;
}

export const REGISTRY_ANNOTATION = 'baton.dev/registry';
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
/** The auths key Docker, Podman and the kubelet all read as Docker Hub. */
const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
const MAX_IMAGE_LENGTH = 4096;

function normalHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/**
 * Host and repository path of an image reference (`[host[:port]/]path[:tag][@digest]`); undefined for something that
 * is no reference (empty, spaces, an unresolved placeholder), which then matches no registry.
 */
export function parseImageReference(image: string): ImageLocation | undefined {
  if (image === '' || image.length > MAX_IMAGE_LENGTH || !/^[\x21-\x7e]+$/.test(image) || image.includes('${') || image.includes('://')) return undefined;
  let name = image;
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const slash = name.indexOf('/');
  let host = DOCKER_HUB;
  let rest = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      host = first;
      rest = name.slice(slash + 1);
    }
  }
  // A tag follows the last `:` after the last `/` (a port sits before the first `/`, already split off).
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
  host = normalHost(host);
  if (rest === '' || host === '' || rest.split('/').some((segment) => segment === '')) return undefined;
  if (host === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  return { host, path: rest };
}

/** A registry record's `registry` as host and path prefix (trailing `/` ignored). */
export function parseRegistry(registry: string): ImageLocation {
  const trimmed = registry.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = normalHost(slash === -1 ? trimmed : trimmed.slice(0, slash));
  return { host, path: slash === -1 ? '' : trimmed.slice(slash + 1) };
}

/** Whether `registry` covers the image at `image`: same host, and a path prefix on segment boundaries. */
export function registryCovers(registry: ImageLocation, image: ImageLocation): boolean {
  if (registry.host !== image.host) return false;
  return registry.path === '' || image.path === registry.path || image.path.startsWith(`${registry.path}/`);
}

/** The registry an image comes from: the covering one with the longest path (then the smallest id, for determinism). */
export function matchRegistry<T extends Pick<PullRegistry, 'id' | 'registry'>>(registries: readonly T[], image: string): T | undefined {
  const location = parseImageReference(image);
  if (!location) return undefined;
  let best: { registry: T; length: number } | undefined;
  for (const registry of registries) {
    const parsed = parseRegistry(registry.registry);
    if (!registryCovers(parsed, location)) continue;
    const length = parsed.path === '' ? 0 : parsed.path.split('/').length;
    if (!best || length > best.length || (length === best.length && compare(registry.id, best.registry.id) < 0)) best = { registry, length };
  }
  return best?.registry;
}

/** The Secret holding a registry's credentials in a namespace: one per registry, the same name in every deployment. */
export function pullSecretName(registryId: string): string {
  return `baton-registry-${registryId}`;
}

/** The auths key a registry's credentials are filed under in a Docker config. */
export function dockerAuthKey(registry: string): string {
  const { host, path } = parseRegistry(registry);
  if (host === DOCKER_HUB && path === '') return DOCKER_HUB_AUTH_KEY;
  return path === '' ? host : `${host}/${path}`;
}

/** `.dockerconfigjson` content: `{"auths": {<key>: {username, password, auth}}}` (what `kubectl create secret docker-registry` writes). */
export function dockerConfigJson(registry: string, creds: { username: string; password: string }): string {
  const auth = Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
  return JSON.stringify({ auths: { [dockerAuthKey(registry)]: { username: creds.username, password: creds.password, auth } } });
}

export interface PullSecretContext {
  orgId: string;
  appId: string;
  envId: string;
  namespace: string;
  /** Keys the Secret's content hash (it covers the registry credentials): ProfileContext.hasher. */
  hasher: KeyedHasher;
}

/** The `kubernetes.io/dockerconfigjson` Secret of one registry, owned by the app/env (pruned when no longer needed). */
export function renderPullSecret(registry: PullRegistry & { creds: { username: string; password: string } }, context: PullSecretContext): K8sObject {
  const secret: K8sObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: pullSecretName(registry.id),
      namespace: context.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: context.appId, [ENV_LABEL]: context.envId },
      annotations: { [ORG_ANNOTATION]: context.orgId, [REGISTRY_ANNOTATION]: registry.id },
    },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(registry.registry, registry.creds), 'utf8').toString('base64') },
  };
  secret.metadata.annotations![CONTENT_HASH_ANNOTATION] = contentHash(secret, context.hasher);
  return secret;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The pod specs inside an object: a Pod's own, a pod template's (Deployment, StatefulSet, Job, …), a CronJob's. */
function podSpecsOf(object: K8sObject): Json[] {
  const spec = object.spec;
  if (!isObject(spec)) return [];
  const found: Json[] = [];
  if (object.kind === 'Pod' && Array.isArray(spec.containers)) found.push(spec);
  const template = isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec : undefined;
  if (template && Array.isArray(template.containers)) found.push(template);
  const job = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
  const jobPod = job && isObject(job.template) && isObject(job.template.spec) ? job.template.spec : undefined;
  if (jobPod && Array.isArray(jobPod.containers)) found.push(jobPod);
  return found;
}

function imagesOf(podSpec: Json): string[] {
  const images: string[] = [];
  for (const field of ['initContainers', 'containers']) {
    const list = podSpec[field];
    if (!Array.isArray(list)) continue;
    for (const container of list) if (isObject(container) && typeof container.image === 'string') images.push(container.image);
  }
  return images;
}

export interface PullSecretsResult {
  /** The objects, pod specs with the pull secrets they need added (others unchanged, the same references). */
  objects: K8sObject[];
  /** The registries (with credentials) some image matched, by id: their Secrets must be in the namespace. */
  used: PullRegistry[];
  /** Images matched to a registry Baton cannot make a pull secret for (its type), one line each. */
  unsupported: { image: string; registry: PullRegistry }[];
}

/** Registry types whose `creds` are a registry login (username and password or token), usable as they are. */
const LOGIN_TYPES = new Set(['basic', 'google_gcr']);

function hasLogin(registry: PullRegistry): registry is PullRegistry & { creds: { username: string; password: string } } {
  return registry.creds !== undefined && LOGIN_TYPES.has(registry.type);
}

/**
 * Adds to every pod spec among `objects` the pull secrets of the registries its images come from, after the
 * `imagePullSecrets` it already names (no duplicates). Objects that change get their content hash renewed.
 */
export function attachPullSecrets(objects: readonly K8sObject[], registries: readonly PullRegistry[], hasher: KeyedHasher): PullSecretsResult {
  const used = new Map<string, PullRegistry>();
  const unsupported: PullSecretsResult['unsupported'] = [];
  if (registries.length === 0) return { objects: [...objects], used: [], unsupported };
  const out = objects.map((object) => {
    if (podSpecsOf(object).length === 0) return object;
    const copy = structuredClone(object);
    let changed = false;
    for (const podSpec of podSpecsOf(copy)) {
      const wanted: string[] = [];
      for (const image of imagesOf(podSpec)) {
        const registry = matchRegistry(registries, image);
        if (!registry) continue;
        if (hasLogin(registry)) {
          used.set(registry.id, registry);
          wanted.push(pullSecretName(registry.id));
        } else if (registry.type === 'amazon_ecr' && !unsupported.some((u) => u.image === image && u.registry.id === registry.id)) unsupported.push({ image, registry });
      }
      if (wanted.length === 0) continue;
      const existing = Array.isArray(podSpec.imagePullSecrets) ? (podSpec.imagePullSecrets as unknown[]) : [];
      const names = new Set(existing.map((entry) => (isObject(entry) && typeof entry.name === 'string' ? entry.name : typeof entry === 'string' ? entry : '')));
      const added = [...new Set(wanted)].filter((name) => !names.has(name)).sort(compare);
      if (added.length === 0) continue;
      podSpec.imagePullSecrets = [...existing, ...added.map((name) => ({ name }))];
      changed = true;
    }
    if (!changed) return object;
    const annotations = copy.metadata.annotations;
    if (annotations?.[CONTENT_HASH_ANNOTATION] !== undefined) annotations[CONTENT_HASH_ANNOTATION] = contentHash(copy, hasher);
    return copy;
  });
  return { objects: out, used: [...used.values()].sort((a, b) => compare(a.id, b.id)), unsupported };
}

