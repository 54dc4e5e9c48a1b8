/**
 * The pod part shared by every built-in profile: containers (env, files, probes, resources, mounts),
 * the ConfigMap/Secret the pod reads, and the containers/volumes that drivers inject.
 */
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';
import { InvalidInput } from '../shared/errors.js';
import { compare, deepMerge, isPlainObject, revealSecrets } from './metadata.js';
import type { InjectedManifest, K8sObject, ResolvedObject, ResolvedValue } from './types.js';
import { SecretString } from './types.js';
import { CONTAINER_PASSTHROUGH, POD_PASSTHROUGH } from './schemas.js';

type Json = Record<string, unknown>;

export interface PodParts {
  /** PodSpec without overrides applied. */
  podSpec: Json;
  /** Labels and annotations the module asks for on the pod template (`labels`, `annotations`, `pod.*`). */
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  /** Generated ConfigMap (non-secret files) and Secret (secret variables and files), when needed. */
  configObjects: K8sObject[];
  /** Keyed hash of the ConfigMap/Secret content (it includes secret values), for the pod template annotation. */
  configHash?: string;
}

export function filesConfigMapName(workloadId: string): string {
  return `${workloadId}-files`;
}
export function secretName(workloadId: string): string {
  return `${workloadId}-secrets`;
}

const FILES_VOLUME = 'baton-files';
const SECRET_FILES_VOLUME = 'baton-secret-files';

/** Object-valued member, or `{}`. */
export function objectAt(value: ResolvedValue | undefined): ResolvedObject {
  return value !== undefined && isPlainObject(value) ? value : {};
}

function plainString(value: ResolvedValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const revealed = revealSecrets(value);
  if (typeof revealed === 'string') return revealed;
  if (typeof revealed === 'number' || typeof revealed === 'boolean') return String(revealed);
  return JSON.stringify(revealed);
}

function stringMap(value: ResolvedValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(objectAt(value))) {
    const text = plainString(item);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function plainJson(value: ResolvedValue | undefined): Json {
  return value === undefined ? {} : (revealSecrets(value) as Json);
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => compare(a, b));
}

/** `"0644"` (octal text, as Humanitec and Score write it) or a number → the decimal mode Kubernetes wants. */
export function fileMode(value: ResolvedValue | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' ? String(value) : plainString(value) ?? '';
  if (typeof value === 'number' && value <= 0o777 && !/^[0-7]+$/.test(text)) return value;
  if (!/^0?[0-7]{1,4}$/.test(text)) throw new InvalidInput(`file mode "${text}" is not an octal mode like "0644"`);
  return parseInt(text, 8);
}

const PROBE_TIMINGS: Record<string, string> = {
  initialDelaySeconds: 'initialDelaySeconds',
  initial_delay_seconds: 'initialDelaySeconds',
  periodSeconds: 'periodSeconds',
  period_seconds: 'periodSeconds',
  timeoutSeconds: 'timeoutSeconds',
  timeout_seconds: 'timeoutSeconds',
  successThreshold: 'successThreshold',
  success_threshold: 'successThreshold',
  failureThreshold: 'failureThreshold',
  failure_threshold: 'failureThreshold',
};

function probeFrom(raw: ResolvedValue | undefined): Json | undefined {
  if (raw === undefined) return undefined;
  const probe = plainJson(raw);
  const out: Json = {};
  const port = typeof probe.port === 'string' && /^\d+$/.test(probe.port) ? Number(probe.port) : probe.port;
  switch (probe.type) {
    case 'http': {
      const httpGet: Json = { port };
      if (typeof probe.path === 'string' && probe.path !== '') httpGet.path = probe.path;
      if (typeof probe.host === 'string' && probe.host !== '') httpGet.host = probe.host;
      if (typeof probe.scheme === 'string') httpGet.scheme = probe.scheme.toUpperCase();
      if (isPlainObject(probe.headers)) {
        httpGet.httpHeaders = sortedEntries(probe.headers).map(([name, value]) => ({ name, value: String(value) }));
      }
      out.httpGet = httpGet;
      break;
    }
    case 'tcp':
      out.tcpSocket = { port };
      break;
    case 'command':
      out.exec = { command: probe.command };
      break;
    default:
      throw new InvalidInput(`probe type "${String(probe.type)}" is not one of http, tcp, command`);
  }
  for (const [from, to] of Object.entries(PROBE_TIMINGS)) {
    if (probe[from] !== undefined) out[to] = probe[from];
  }
  return out;
}

interface FileEntry {
  container: string;
  path: string;
  key: string;
  content: string;
  mode?: number;
  secret: boolean;
}

interface Mount {
  container: string;
  mount: Json;
}

/**
 * Build the pod of workload `workloadId` from a (validated) module spec.
 * `containersOverride` lets the cronjob profile merge per-schedule container overrides first.
 */
export function buildPod(
  workloadId: string,
  spec: ResolvedObject,
  manifests: readonly InjectedManifest[],
  hasher: KeyedHasher,
  containersOverride?: ResolvedObject,
): PodParts {
  const containersSpec = containersOverride ?? objectAt(spec.containers);
  const secretData: Record<string, string> = {};
  const files: FileEntry[] = [];
  const volumesByName = new Map<string, Json>();
  const mounts: Mount[] = [];

  const injectedVolumes = manifests
    .filter((m) => m.location === 'volumes')
    .sort((a, b) => compare(a.resource, b.resource) || compare(a.name, b.name));
  for (const manifest of injectedVolumes) {
    const name = manifest.data.name;
    if (typeof name !== 'string') {
      throw new InvalidInput(`volume manifest "${manifest.name}" of resource "${manifest.resource}" has no name`);
    }
    if (!volumesByName.has(name)) volumesByName.set(name, manifest.data);
  }

  const containers: Json[] = [];
  for (const [containerId, rawContainer] of sortedEntries(containersSpec)) {
    const c = objectAt(rawContainer);
    const container: Json = { name: containerId, image: plainString(c.image) };
    if (Array.isArray(c.command)) container.command = c.command.map((v) => plainString(v));
    if (Array.isArray(c.args)) container.args = c.args.map((v) => plainString(v));

    const env: Json[] = [];
    for (const [name, value] of sortedEntries(objectAt(c.variables))) {
      if (value instanceof SecretString) {
        const key = `env.${containerId}.${name}`;
        secretData[key] = value.value;
        env.push({ name, valueFrom: { secretKeyRef: { name: secretName(workloadId), key } } });
      } else {
        env.push({ name, value: plainString(value) ?? '' });
      }
    }
    // A Kubernetes `env` list (e.g. patched in by a workload definition) follows the variables; a name the
    // variables already set keeps the variable's value.
    if (Array.isArray(c.env)) {
      for (const entry of plainJson(c.env) as unknown as Json[]) {
        if (isPlainObject(entry) && !env.some((e) => e.name === entry.name)) env.push(entry);
      }
    }
    if (env.length > 0) container.env = env;
    for (const field of CONTAINER_PASSTHROUGH) {
      if (field !== 'env' && c[field] !== undefined) container[field] = revealSecrets(c[field]);
    }

    if (c.resources !== undefined) container.resources = plainJson(c.resources);
    for (const [field, k8sField] of [
      ['liveness_probe', 'livenessProbe'],
      ['readiness_probe', 'readinessProbe'],
      ['startup_probe', 'startupProbe'],
    ] as const) {
      const probe = probeFrom(c[field]);
      if (probe !== undefined) container[k8sField] = probe;
    }

    for (const [path, rawFile] of sortedEntries(objectAt(c.files))) {
      const file = objectAt(rawFile);
      const value = file.value ?? '';
      const entry: FileEntry = {
        container: containerId,
        path,
        key: `file.${containerId}.${sha256Hex(path).slice(0, 12)}`,
        content: value instanceof SecretString ? value.value : plainString(value) ?? '',
        secret: value instanceof SecretString,
      };
      const mode = fileMode(file.mode);
      if (mode !== undefined) entry.mode = mode;
      files.push(entry);
      mounts.push({
        container: containerId,
        mount: { name: entry.secret ? SECRET_FILES_VOLUME : FILES_VOLUME, mountPath: path, subPath: entry.key, readOnly: true },
      });
    }

    for (const [mountPath, rawMount] of sortedEntries(objectAt(c.volume_mounts))) {
      const m = objectAt(rawMount);
      const id = plainString(m.id) ?? '';
      const volume = injectedVolumes.find((v) => v.resource === id);
      if (volume === undefined) {
        throw new InvalidInput(
          `container "${containerId}" mounts "${mountPath}" from "${id}", but no resource "${id}" provides a volume (a driver manifest with location "volumes")`,
          { workload: workloadId, container: containerId, mountPath, id },
        );
      }
      const mount: Json = { name: volume.data.name, mountPath };
      const subPath = plainString(m.sub_path);
      if (subPath) mount.subPath = subPath;
      if (m.read_only === true) mount.readOnly = true;
      mounts.push({ container: containerId, mount });
    }

    const containerMounts = mounts.filter((m) => m.container === containerId).map((m) => m.mount);
    if (containerMounts.length > 0) {
      container.volumeMounts = containerMounts.sort((a, b) => compare(String(a.mountPath), String(b.mountPath)));
    }
    containers.push(container);
  }

  const injectedContainers = manifests
    .filter((m) => m.location === 'containers')
    .sort((a, b) => compare(a.resource, b.resource) || compare(a.name, b.name));
  for (const manifest of injectedContainers) {
    const name = manifest.data.name;
    if (typeof name !== 'string') {
      throw new InvalidInput(`container manifest "${manifest.name}" of resource "${manifest.resource}" has no name`);
    }
    if (containers.some((c) => c.name === name)) {
      throw new InvalidInput(`resource "${manifest.resource}" injects container "${name}", which the workload already has`);
    }
    containers.push(manifest.data);
  }

  const configObjects: K8sObject[] = [];
  const plainFiles = files.filter((f) => !f.secret);
  const secretFiles = files.filter((f) => f.secret);
  for (const f of secretFiles) secretData[f.key] = f.content;
  const items = (list: FileEntry[]): Json[] =>
    list
      .map((f) => (f.mode === undefined ? { key: f.key, path: f.key } : { key: f.key, path: f.key, mode: f.mode }))
      .sort((a, b) => compare(a.key, b.key));
  if (plainFiles.length > 0) {
    configObjects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: filesConfigMapName(workloadId) },
      data: Object.fromEntries(plainFiles.map((f) => [f.key, f.content]).sort(([a], [b]) => compare(a!, b!))),
    });
    volumesByName.set(FILES_VOLUME, {
      name: FILES_VOLUME,
      configMap: { name: filesConfigMapName(workloadId), items: items(plainFiles) },
    });
  }
  if (Object.keys(secretData).length > 0) {
    configObjects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName(workloadId) },
      type: 'Opaque',
      // stringData would be rewritten to data by the API server and look like drift; base64 is what it stores.
      data: Object.fromEntries(
        Object.entries(secretData)
          .sort(([a], [b]) => compare(a, b))
          .map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
      ),
    });
  }
  if (secretFiles.length > 0) {
    volumesByName.set(SECRET_FILES_VOLUME, {
      name: SECRET_FILES_VOLUME,
      secret: { secretName: secretName(workloadId), items: items(secretFiles) },
    });
  }

  // Humanitec's `volumes` feature: extra pod volumes the module names itself (map name → source, or a list).
  const extraVolumes = spec.volumes;
  if (Array.isArray(extraVolumes)) {
    for (const volume of plainJson(extraVolumes) as unknown as Json[]) {
      if (isPlainObject(volume) && typeof volume.name === 'string' && !volumesByName.has(volume.name)) volumesByName.set(volume.name, volume);
    }
  } else {
    for (const [name, source] of sortedEntries(objectAt(extraVolumes))) {
      if (!volumesByName.has(name)) volumesByName.set(name, { ...plainJson(source), name });
    }
  }

  const podSpec: Json = { containers };
  for (const field of POD_PASSTHROUGH) {
    if (spec[field] !== undefined) podSpec[field] = revealSecrets(spec[field]);
  }
  if (Array.isArray(spec.imagePullSecrets)) {
    const secrets = (plainJson(spec.imagePullSecrets as ResolvedValue) as unknown as unknown[]).map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
    if (secrets.length > 0) podSpec.imagePullSecrets = secrets;
  }
  const volumes = [...volumesByName.values()].sort((a, b) => compare(String(a.name), String(b.name)));
  if (volumes.length > 0) podSpec.volumes = volumes;
  const serviceAccountName = plainString(spec.serviceAccountName);
  if (serviceAccountName) podSpec.serviceAccountName = serviceAccountName;

  const pod = plainJson(spec.pod);
  const { labels: podOverrideLabels, annotations: podOverrideAnnotations, ...podOverrides } = pod;
  const parts: PodParts = {
    podSpec: deepMerge(podSpec, podOverrides),
    podLabels: { ...stringMap(spec.labels), ...stringMap(podOverrideLabels as ResolvedValue) },
    podAnnotations: { ...stringMap(spec.annotations), ...stringMap(podOverrideAnnotations as ResolvedValue) },
    configObjects,
  };
  if (configObjects.length > 0) parts.configHash = hasher.hex(canonicalJson(configObjects)).slice(0, 16);
  return parts;
}

export { plainJson, plainString, stringMap, sortedEntries };
