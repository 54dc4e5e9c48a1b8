/**
 * From the Kubernetes objects a profile renders to what Podman runs: one pod per workload controller
 * (Deployment, StatefulSet, DaemonSet), its containers with environment variables and files resolved from the
 * rendered ConfigMaps and Secrets, and the container ports the workload's Services expose.
 *
 * Pure: no Podman, no files. The target (target.ts) turns a plan into `podman pod create` / `podman run` calls.
 * Kubernetes features a single local pod cannot honour (replicas > 1, node selection, service accounts) are
 * ignored; features it would honour wrongly (a volume kind it cannot provide, an env var from a field ref) are
 * refused with an error naming the workload and what it asked for.
 */
import { createHash } from 'node:crypto';
import { InvalidInput } from '../../shared/errors.js';
import type { K8sObject } from '../types.js';

/** One file a container sees: written under the pod's folder and bind-mounted read-only. */
export interface PlannedFile {
  /** Path relative to the pod's file folder (`<volume>/<item path>`). */
  relativePath: string;
  content: Buffer;
}

export interface PlannedMount {
  /** Relative to the pod's file folder (a file or a folder), or a named Podman volume. */
  source: { kind: 'file'; relativePath: string } | { kind: 'volume'; name: string };
  containerPath: string;
  readOnly: boolean;
}

export interface PlannedProbe {
  kind: 'http' | 'tcp' | 'exec';
  /** Container port (http, tcp). */
  port?: number;
  path?: string;
  scheme?: 'HTTP' | 'HTTPS';
  command?: string[];
  periodSeconds: number;
}

export interface PlannedContainer {
  name: string;
  image: string;
  /** Kubernetes `command`: replaces the image's entrypoint. */
  command?: string[];
  /** Kubernetes `args`: replaces the image's cmd. */
  args?: string[];
  /** Plain values; passed to Podman through its own environment, never on the command line. */
  env: Record<string, string>;
  mounts: PlannedMount[];
  workingDir?: string;
  readiness?: PlannedProbe;
}

export interface PlannedPort {
  /** The Service port's name (or its number when unnamed). */
  name: string;
  /** The port the Service exposes (what a cluster client would use). */
  servicePort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface PlannedPod {
  /** The workload: the controller's `baton.dev/workload` label, else its name. */
  workload: string;
  controllerKind: string;
  controllerName: string;
  containers: PlannedContainer[];
  files: PlannedFile[];
  ports: PlannedPort[];
  /** Names of the Services selecting the pod: its DNS names on the environment's network. */
  serviceNames: string[];
  /** Digest of everything above: a pod whose hash is unchanged is left running on redeploy. */
  contentHash: string;
}

const CONTROLLER_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const WORKLOAD_LABEL = 'baton.dev/workload';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => String(v)) : undefined;
}

/** The data of a ConfigMap or Secret as bytes per key (Secret `data` is base64, `stringData` and ConfigMap `data` text). */
function objectData(object: K8sObject): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  const data = isRecord(object.data) ? object.data : {};
  for (const [key, value] of Object.entries(data)) {
    result.set(key, object.kind === 'Secret' ? Buffer.from(String(value), 'base64') : Buffer.from(String(value), 'utf8'));
  }
  const binary = isRecord(object.binaryData) ? object.binaryData : {};
  for (const [key, value] of Object.entries(binary)) result.set(key, Buffer.from(String(value), 'base64'));
  const stringData = isRecord(object.stringData) ? object.stringData : {};
  for (const [key, value] of Object.entries(stringData)) result.set(key, Buffer.from(String(value), 'utf8'));
  return result;
}

class ObjectIndex {
  private readonly byKindName = new Map<string, K8sObject>();
  constructor(objects: readonly K8sObject[]) {
    for (const o of objects) this.byKindName.set(`${o.kind}/${o.metadata.name}`, o);
  }
  data(kind: 'ConfigMap' | 'Secret', name: string, workload: string, optional: boolean): Map<string, Buffer> | undefined {
    const object = this.byKindName.get(`${kind}/${name}`);
    if (!object) {
      if (optional) return undefined;
      throw new InvalidInput(`workload "${workload}" refers to ${kind} "${name}", which is not rendered`, { workload });
    }
    return objectData(object);
  }
}

function lookupKey(data: Map<string, Buffer> | undefined, key: string, what: string, workload: string, optional: boolean): string | undefined {
  const value = data?.get(key);
  if (value === undefined) {
    if (optional || data === undefined) return undefined;
    throw new InvalidInput(`workload "${workload}": ${what} has no key "${key}"`, { workload });
  }
  return value.toString('utf8');
}

function planEnv(container: Json, index: ObjectIndex, workload: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of records(container.envFrom)) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    const ref = isRecord(source.configMapRef) ? { kind: 'ConfigMap' as const, ref: source.configMapRef } : isRecord(source.secretRef) ? { kind: 'Secret' as const, ref: source.secretRef } : undefined;
    if (!ref) continue;
    const data = index.data(ref.kind, String(ref.ref.name), workload, ref.ref.optional === true);
    for (const [key, value] of data ?? []) env[prefix + key] = value.toString('utf8');
  }
  for (const entry of records(container.env)) {
    const name = String(entry.name);
    if (typeof entry.value === 'string' || entry.value === undefined) {
      if (!isRecord(entry.valueFrom)) {
        env[name] = typeof entry.value === 'string' ? entry.value : '';
        continue;
      }
    }
    const from = isRecord(entry.valueFrom) ? entry.valueFrom : {};
    const configMapKey = isRecord(from.configMapKeyRef) ? from.configMapKeyRef : undefined;
    const secretKey = isRecord(from.secretKeyRef) ? from.secretKeyRef : undefined;
    const ref = configMapKey ? { kind: 'ConfigMap' as const, ref: configMapKey } : secretKey ? { kind: 'Secret' as const, ref: secretKey } : undefined;
    if (!ref) {
      throw new InvalidInput(`workload "${workload}": environment variable "${name}" uses a valueFrom the local runtime cannot resolve (only configMapKeyRef and secretKeyRef)`, { workload });
    }
    const optional = ref.ref.optional === true;
    const data = index.data(ref.kind, String(ref.ref.name), workload, optional);
    const value = lookupKey(data, String(ref.ref.key), `${ref.kind} "${String(ref.ref.name)}"`, workload, optional);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function volumeName(appId: string, envId: string, claim: string): string {
  return `baton-${appId}-${envId}-${claim}`;
}

/** The files of one pod volume, keyed by item path, or a named Podman volume. */
type PlannedVolume = { kind: 'files'; files: Map<string, Buffer> } | { kind: 'emptyDir' } | { kind: 'claim'; name: string };

function planVolumes(podSpec: Json, index: ObjectIndex, workload: string, appId: string, envId: string): Map<string, PlannedVolume> {
  const volumes = new Map<string, PlannedVolume>();
  for (const volume of records(podSpec.volumes)) {
    const name = String(volume.name);
    const source = isRecord(volume.configMap) ? { kind: 'ConfigMap' as const, spec: volume.configMap, refName: volume.configMap.name } : isRecord(volume.secret) ? { kind: 'Secret' as const, spec: volume.secret, refName: volume.secret.secretName } : undefined;
    if (source) {
      const data = index.data(source.kind, String(source.refName), workload, source.spec.optional === true) ?? new Map<string, Buffer>();
      const items = records(source.spec.items);
      const files = new Map<string, Buffer>();
      if (items.length === 0) {
        for (const [key, value] of data) files.set(key, value);
      } else {
        for (const item of items) {
          const value = data.get(String(item.key));
          if (value === undefined) throw new InvalidInput(`workload "${workload}": volume "${name}" names key "${String(item.key)}", which ${source.kind} "${String(source.refName)}" lacks`, { workload });
          files.set(String(item.path), value);
        }
      }
      for (const path of files.keys()) assertRelative(path, workload);
      volumes.set(name, { kind: 'files', files });
    } else if (isRecord(volume.emptyDir)) {
      volumes.set(name, { kind: 'emptyDir' });
    } else if (isRecord(volume.persistentVolumeClaim)) {
      volumes.set(name, { kind: 'claim', name: volumeName(appId, envId, String(volume.persistentVolumeClaim.claimName)) });
    } else {
      throw new InvalidInput(`workload "${workload}": volume "${name}" is of a kind the local runtime cannot provide (configMap, secret, emptyDir and persistentVolumeClaim are supported)`, { workload });
    }
  }
  return volumes;
}

function assertRelative(path: string, workload: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
    throw new InvalidInput(`workload "${workload}": file path "${path}" must be relative and stay inside its volume`, { workload });
  }
}

function planProbe(container: Json): PlannedProbe | undefined {
  const probe = isRecord(container.readinessProbe) ? container.readinessProbe : undefined;
  if (!probe) return undefined;
  const periodSeconds = typeof probe.periodSeconds === 'number' && probe.periodSeconds > 0 ? probe.periodSeconds : 1;
  if (isRecord(probe.httpGet)) {
    return {
      kind: 'http',
      port: Number(probe.httpGet.port),
      path: typeof probe.httpGet.path === 'string' ? probe.httpGet.path : '/',
      scheme: probe.httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      periodSeconds,
    };
  }
  if (isRecord(probe.tcpSocket)) return { kind: 'tcp', port: Number(probe.tcpSocket.port), periodSeconds };
  if (isRecord(probe.exec)) return { kind: 'exec', command: strings(probe.exec.command) ?? [], periodSeconds };
  return undefined;
}

function planContainer(container: Json, volumes: Map<string, PlannedVolume>, files: PlannedFile[], index: ObjectIndex, workload: string): PlannedContainer {
  const name = String(container.name);
  const mounts: PlannedMount[] = [];
  for (const mount of records(container.volumeMounts)) {
    const volumeName = String(mount.name);
    const volume = volumes.get(volumeName);
    if (!volume) throw new InvalidInput(`workload "${workload}": container "${name}" mounts volume "${volumeName}", which the pod does not declare`, { workload });
    const containerPath = String(mount.mountPath);
    const subPath = typeof mount.subPath === 'string' && mount.subPath !== '' ? mount.subPath : undefined;
    if (subPath !== undefined) assertRelative(subPath, workload);
    const readOnly = mount.readOnly === true || volume.kind === 'files';
    if (volume.kind === 'claim') {
      if (subPath !== undefined) throw new InvalidInput(`workload "${workload}": subPath on a persistent volume is not supported by the local runtime`, { workload });
      mounts.push({ source: { kind: 'volume', name: volume.name }, containerPath, readOnly });
      continue;
    }
    // emptyDir is a folder of the pod's own; configMap/secret volumes are written out as files.
    const base = volume.kind === 'emptyDir' ? `empty/${volumeName}` : `volumes/${volumeName}`;
    mounts.push({ source: { kind: 'file', relativePath: subPath ? `${base}/${subPath}` : base }, containerPath, readOnly });
  }
  for (const [volumeName, volume] of volumes) {
    if (volume.kind !== 'files') continue;
    for (const [path, content] of volume.files) {
      const relativePath = `volumes/${volumeName}/${path}`;
      if (!files.some((f) => f.relativePath === relativePath)) files.push({ relativePath, content });
    }
  }
  const command = strings(container.command);
  const args = strings(container.args);
  const readiness = planProbe(container);
  return {
    name,
    image: typeof container.image === 'string' ? container.image : '',
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env: planEnv(container, index, workload),
    mounts,
    ...(typeof container.workingDir === 'string' ? { workingDir: container.workingDir } : {}),
    ...(readiness ? { readiness } : {}),
  };
}

function selects(service: K8sObject, podLabels: Record<string, string>): boolean {
  const spec = isRecord(service.spec) ? service.spec : {};
  const entries = Object.entries(isRecord(spec.selector) ? spec.selector : {});
  return entries.length > 0 && entries.every(([k, v]) => podLabels[k] === v);
}

function servicePorts(services: readonly K8sObject[], workload: string, podLabels: Record<string, string>, containers: readonly Json[]): PlannedPort[] {
  const ports: PlannedPort[] = [];
  const namedPorts = new Map<string, number>();
  for (const container of containers) {
    for (const port of records(container.ports)) {
      if (typeof port.name === 'string') namedPorts.set(port.name, Number(port.containerPort));
    }
  }
  for (const service of services) {
    if (!selects(service, podLabels)) continue;
    const spec = isRecord(service.spec) ? service.spec : {};
    for (const port of records(spec.ports)) {
      const servicePort = Number(port.port);
      const target = port.targetPort ?? port.port;
      const containerPort = typeof target === 'string' && !/^\d+$/.test(target) ? namedPorts.get(target) : Number(target);
      if (containerPort === undefined || !Number.isInteger(containerPort)) {
        throw new InvalidInput(`workload "${workload}": Service "${service.metadata.name}" targets port "${String(target)}", which no container declares`, { workload });
      }
      ports.push({
        name: typeof port.name === 'string' ? port.name : String(servicePort),
        servicePort,
        containerPort,
        protocol: typeof port.protocol === 'string' && port.protocol.toUpperCase() === 'UDP' ? 'udp' : 'tcp',
      });
    }
  }
  return ports;
}

function digest(value: unknown): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify(value, (_key, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v instanceof Map ? [...v.entries()] : v)),
  );
  return hash.digest('hex');
}

/** The pods Podman should run for the objects of one app/env. */
export function planPods(objects: readonly K8sObject[], appId: string, envId: string): PlannedPod[] {
  const index = new ObjectIndex(objects);
  const services = objects.filter((o) => o.kind === 'Service');
  const pods: PlannedPod[] = [];
  for (const controller of objects.filter((o) => CONTROLLER_KINDS.has(o.kind))) {
    const workload = controller.metadata.labels?.[WORKLOAD_LABEL] ?? controller.metadata.name;
    const spec = isRecord(controller.spec) ? controller.spec : {};
    const template = isRecord(spec.template) ? spec.template : {};
    const templateMetadata = isRecord(template.metadata) ? template.metadata : {};
    const podLabels = (isRecord(templateMetadata.labels) ? templateMetadata.labels : {}) as Record<string, string>;
    const podSpec = isRecord(template.spec) ? template.spec : {};
    const containerSpecs = records(podSpec.containers);
    if (containerSpecs.length === 0) throw new InvalidInput(`workload "${workload}" has no containers`, { workload });
    const volumes = planVolumes(podSpec, index, workload, appId, envId);
    const files: PlannedFile[] = [];
    const containers = containerSpecs.map((c) => planContainer(c, volumes, files, index, workload));
    for (const container of containers) {
      if (container.image === '') throw new InvalidInput(`workload "${workload}": container "${container.name}" has no image`, { workload });
    }
    const ports = servicePorts(services, workload, podLabels, containerSpecs);
    const serviceNames = services.filter((service) => selects(service, podLabels)).map((service) => service.metadata.name).sort();
    const planned = { workload, controllerKind: controller.kind, controllerName: controller.metadata.name, containers, files, ports, serviceNames };
    pods.push({ ...planned, contentHash: digest(planned) });
  }
  const seen = new Set<string>();
  for (const pod of pods) {
    if (seen.has(pod.workload)) throw new InvalidInput(`workload "${pod.workload}" is rendered by two controllers`, { workload: pod.workload });
    seen.add(pod.workload);
  }
  return pods.sort((a, b) => a.workload.localeCompare(b.workload));
}

/** A Docker config (`auths`), as a `kubernetes.io/dockerconfigjson` Secret holds it and `podman pull --authfile` reads it. */
export interface DockerAuthConfig {
  auths: Record<string, { username?: string; password?: string; auth?: string }>;
}

/**
 * For each image of the controllers' pods, the registry credentials its pod may pull it with: the auths of the
 * `kubernetes.io/dockerconfigjson` Secrets the pod names in `imagePullSecrets` (the registries' pull secrets,
 * src/profiles/pull-secrets.ts), merged. Images without any are absent. Pure; the values stay out of plans' hashes.
 */
export function pullAuthsByImage(objects: readonly K8sObject[]): Map<string, DockerAuthConfig> {
  const configs = new Map<string, DockerAuthConfig>();
  for (const secret of objects) {
    if (secret.kind !== 'Secret' || secret.type !== 'kubernetes.io/dockerconfigjson') continue;
    const encoded = isRecord(secret.data) ? secret.data['.dockerconfigjson'] : undefined;
    if (typeof encoded !== 'string') continue;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
      if (isRecord(parsed) && isRecord(parsed.auths)) configs.set(secret.metadata.name, parsed as unknown as DockerAuthConfig);
    } catch {
      // not JSON: the pod gets no credentials from it, and the pull says what the registry answers
    }
  }
  const byImage = new Map<string, DockerAuthConfig>();
  for (const controller of objects.filter((o) => CONTROLLER_KINDS.has(o.kind))) {
    const spec = isRecord(controller.spec) ? controller.spec : {};
    const template = isRecord(spec.template) ? spec.template : {};
    const podSpec = isRecord(template.spec) ? template.spec : {};
    const auths = records(podSpec.imagePullSecrets).flatMap((ref) => (typeof ref.name === 'string' && configs.has(ref.name) ? [configs.get(ref.name)!.auths] : []));
    if (auths.length === 0) continue;
    for (const container of [...records(podSpec.initContainers), ...records(podSpec.containers)]) {
      if (typeof container.image !== 'string') continue;
      const merged = byImage.get(container.image) ?? { auths: {} };
      // fromEntries, not Object.assign: a `__proto__` key from the Secret's JSON stays a plain key.
      for (const entry of auths) merged.auths = Object.fromEntries([...Object.entries(merged.auths), ...Object.entries(entry)]);
      byImage.set(container.image, merged);
    }
  }
  return byImage;
}
