/**
 * `baton/podman`: runs what Baton deploys on this machine. The same objects the Kubernetes targets get are
 * planned into one Podman pod per workload (plan.ts); each pod carries Baton's labels and the plan's content
 * hash, so a redeploy replaces only pods whose content changed and removes pods of workloads no longer rendered.
 * Service ports are published on 127.0.0.1 at a stable port per app/env/workload/port (ports.ts).
 *
 * Files from ConfigMap/Secret volumes are written under `<dataDir>/podman/<app>/<env>/pods/` (folders 0700) and
 * bind-mounted read-only; environment variables reach Podman through its own environment (`--env NAME`), never
 * its command line. What the target last applied is kept with Secret values replaced by digests.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriverFailed, InvalidInput, Timeout } from '../../shared/errors.js';
import { diffObjects } from '../diff.js';
import { APP_LABEL, ENV_LABEL, MANAGED_BY_LABEL, desiredObjects, objectKey } from '../objects.js';
import { assertId } from '../paths.js';
import type { ApplyRequest, ApplyResult, K8sObject, RemoveEnvironmentResult, Target } from '../types.js';
import { PodmanCli } from './podman-cli.js';
import type { PodmanOptions } from './podman-cli.js';
import { planPods, pullAuthsByImage } from './plan.js';
import type { DockerAuthConfig, PlannedContainer, PlannedPod, PlannedProbe } from './plan.js';
import { PortAllocator } from './ports.js';

export const WORKLOAD_LABEL = 'baton.dev/workload';
export const CONTAINER_LABEL = 'baton.dev/container';
export const POD_HASH_LABEL = 'baton.dev/pod-hash';
export const DEPLOYMENT_LABEL = 'baton.dev/deployment';

/** A published port as the API and CLI report it. */
export interface PublishedPort {
  workload: string;
  name: string;
  servicePort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  host: '127.0.0.1';
  hostPort: number;
}

export interface ContainerRuntimeState {
  name: string;
  image: string;
  /** Podman's state: created, running, exited, … */
  state: string;
  exitCode?: number;
  startedAt?: string;
}

export interface WorkloadRuntime {
  workload: string;
  pod: string;
  /** Podman's pod status: Running, Degraded, Exited, … */
  status: string;
  containers: ContainerRuntimeState[];
  ports: PublishedPort[];
  deploymentId?: string;
}

export interface RuntimeLogEntry {
  workload: string;
  container: string;
  timestamp: string;
  level: 'INFO' | 'ERROR';
  payload: string;
}

/** Targets that can say what runs and show container logs (the Podman target today). */
export interface RuntimeTarget {
  runtime(appId: string, envId: string): Promise<WorkloadRuntime[]>;
  logs(appId: string, envId: string, options?: { workload?: string; container?: string; limit?: number }): Promise<RuntimeLogEntry[]>;
}

export function isRuntimeTarget(target: Target): target is Target & RuntimeTarget {
  return typeof (target as Partial<RuntimeTarget>).runtime === 'function' && typeof (target as Partial<RuntimeTarget>).logs === 'function';
}

interface PodListEntry {
  Name: string;
  Status: string;
  Labels?: Record<string, string> | null;
}

interface ContainerListEntry {
  Names?: string[];
  Image?: string;
  State?: string;
  ExitCode?: number;
  StartedAt?: number;
  Labels?: Record<string, string> | null;
}

const MAX_LOG_LINES = 1000;

function podNamePart(value: string): string {
  return value.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export function podName(appId: string, envId: string, workload: string): string {
  return `baton-${podNamePart(appId)}-${podNamePart(envId)}-${podNamePart(workload)}`;
}

export function networkName(appId: string, envId: string): string {
  return `baton-${podNamePart(appId)}-${podNamePart(envId)}`;
}

function portKey(appId: string, envId: string, workload: string, port: { servicePort: number; protocol: string }): string {
  return `${appId}/${envId}/${workload}/${port.servicePort}/${port.protocol}`;
}

/** Secret values never rest in the target's state file: only a digest of each, enough for plans to see a change. */
function redactSecrets(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret') return object;
  const digestOf = (value: unknown): string => `sha256:${createHash('sha256').update(String(value)).digest('hex').slice(0, 16)}`;
  const redacted: K8sObject = { ...object };
  for (const field of ['data', 'stringData'] as const) {
    const data = object[field];
    if (typeof data === 'object' && data !== null) {
      redacted[field] = Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, digestOf(v)]));
    }
  }
  return redacted;
}

function parseJsonArray<T>(text: string, what: string): T[] {
  if (text.trim() === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new DriverFailed(`podman ${what} did not answer a list`, { target: 'baton/podman' });
  return parsed as T[];
}

export interface PodmanTargetOptions extends PodmanOptions {
  dataDir: string;
  /** How long a readiness probe may keep failing before `available` gives up (default the request's timeout or 120 s). */
  readinessTimeoutMs?: number;
}

export class PodmanTarget implements Target, RuntimeTarget {
  readonly id = 'baton/podman';
  private readonly podman: PodmanCli;
  private readonly root: string;
  private readonly ports: PortAllocator;
  /** One apply per app/env at a time: two deployments of one env must not interleave pod replacement. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: PodmanTargetOptions) {
    this.podman = new PodmanCli(options);
    this.root = join(options.dataDir, 'podman');
    this.ports = new PortAllocator(join(this.root, 'ports.json'));
  }

  private envDir(appId: string, envId: string): string {
    return join(this.root, assertId('app', appId), assertId('env', envId));
  }

  private serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return run;
  }

  apply(request: ApplyRequest): Promise<ApplyResult> {
    return this.serialised(`${request.appId}/${request.envId}`, () => this.applyNow(request));
  }

  private async applyNow(request: ApplyRequest): Promise<ApplyResult> {
    const { appId, envId } = request;
    const objects = desiredObjects(request);
    const pods = planPods(objects, appId, envId);
    await this.checkImages(pods, pullAuthsByImage(objects), request.signal);
    const allocated = await this.ports.allocate(pods.flatMap((pod) => pod.ports.map((port) => portKey(appId, envId, pod.workload, port))));
    const existing = await this.listPods(appId, envId);
    const byName = new Map(existing.map((pod) => [pod.Name, pod]));
    const wanted = new Set<string>();
    const replaced: PlannedPod[] = [];
    for (const pod of pods) {
      const name = podName(appId, envId, pod.workload);
      wanted.add(name);
      const current = byName.get(name);
      if (current && current.Labels?.[POD_HASH_LABEL] === pod.contentHash && current.Status === 'Running') continue;
      if (current) await this.removePod(name, request.signal);
      await this.startPod(request, pod, name, allocated);
      replaced.push(pod);
    }
    for (const pod of existing) {
      if (!wanted.has(pod.Name)) {
        await this.removePod(pod.Name, request.signal);
        const workload = pod.Labels?.[WORKLOAD_LABEL];
        if (workload) await rm(join(this.envDir(appId, envId), 'pods', podNamePart(workload)), { recursive: true, force: true });
      }
    }
    if (request.waitFor === 'available') {
      const timeoutMs = request.timeoutMs ?? this.options.readinessTimeoutMs ?? 120_000;
      for (const pod of replaced) await this.waitReady(appId, envId, pod, allocated, timeoutMs, request.signal);
    }
    const previous = await this.lastApplied(appId, envId);
    const stored = objects.map(redactSecrets);
    const diff = diffObjects(previous, stored);
    await this.writeState(appId, envId, stored);
    return {
      changed: [...diff.added.map((a) => a.key), ...diff.changed.map((c) => c.key)].sort(),
      removed: diff.removed.map((r) => r.key).sort(),
      unchanged: diff.unchanged,
    };
  }

  /**
   * Every image must be on this machine: the local runtime works offline and does not pull public images. An image
   * the org's registries give credentials for (its pod names their pull secret) is pulled with them when missing.
   */
  private async checkImages(pods: readonly PlannedPod[], auths: ReadonlyMap<string, DockerAuthConfig>, signal?: AbortSignal): Promise<void> {
    const images = [...new Set(pods.flatMap((pod) => pod.containers.map((c) => c.image)))];
    for (const image of images) {
      const result = await this.podman.run(['image', 'exists', image], signal ? { signal } : {});
      if (result.code === 0) continue;
      const auth = auths.get(image);
      if (auth) {
        await this.pullWithCredentials(image, auth, signal);
        continue;
      }
      throw new InvalidInput(
        `image "${image}" is not available locally: the local runtime pulls only images under a registry with credentials (/orgs/{orgId}/registries). Load it with "podman load -i <file>.tar" (saved with "podman save" on a connected machine) or "podman pull ${image}" where a registry is reachable`,
        { image },
      );
    }
  }

  /**
   * `podman pull --authfile`: the credentials go to a file of their own (mode 0600 in a fresh 0700 folder), never on
   * the command line or in Podman's shared auth file, and the folder is removed whatever the outcome. Podman's
   * answer is passed on with the credentials cut out.
   */
  private async pullWithCredentials(image: string, auth: DockerAuthConfig, signal?: AbortSignal): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'baton-pull-'));
    try {
      const file = join(dir, 'auth.json');
      await writeFile(file, JSON.stringify(auth), { mode: 0o600, flag: 'wx' });
      const result = await this.podman.run(['pull', '--quiet', '--authfile', file, image], signal ? { signal } : {});
      if (result.code !== 0) {
        let tail = result.stderr.trim().split('\n').slice(-3).join('\n');
        const sensitive = Object.values(auth.auths).flatMap((entry) => [entry.password, entry.auth].filter((v): v is string => typeof v === 'string' && v !== ''));
        for (const value of sensitive.sort((a, b) => b.length - a.length)) tail = tail.split(value).join('***');
        throw new DriverFailed(`pulling image "${image}" with the credentials of its registry failed (exit ${result.code}): ${tail}`, { target: this.id, image });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async listPods(appId: string, envId: string): Promise<PodListEntry[]> {
    const stdout = await this.podman.check(['pod', 'ps', '--format', 'json', '--filter', `label=${APP_LABEL}=${appId}`, '--filter', `label=${ENV_LABEL}=${envId}`]);
    // Filter again: whether podman ANDs repeated label filters has changed between versions.
    return parseJsonArray<PodListEntry>(stdout, 'pod ps').filter(
      (pod) => pod.Labels?.[APP_LABEL] === appId && pod.Labels[ENV_LABEL] === envId && pod.Labels[MANAGED_BY_LABEL] === 'baton',
    );
  }

  private async listContainers(appId: string, envId: string): Promise<ContainerListEntry[]> {
    const stdout = await this.podman.check(['ps', '--all', '--format', 'json', '--filter', `label=${APP_LABEL}=${appId}`, '--filter', `label=${ENV_LABEL}=${envId}`]);
    return parseJsonArray<ContainerListEntry>(stdout, 'ps').filter((c) => c.Labels?.[APP_LABEL] === appId && c.Labels[ENV_LABEL] === envId);
  }

  /** One network per app/env: its pods resolve each other's Service names (netavark + aardvark-dns). */
  private async ensureNetwork(appId: string, envId: string, signal?: AbortSignal): Promise<string> {
    const network = networkName(appId, envId);
    const signalOption = signal ? { signal } : {};
    if ((await this.podman.run(['network', 'exists', network], signalOption)).code !== 0) {
      const created = await this.podman.run(['network', 'create', '--label', `${MANAGED_BY_LABEL}=baton`, '--label', `${APP_LABEL}=${appId}`, '--label', `${ENV_LABEL}=${envId}`, network], signalOption);
      // Another apply may have created it meanwhile; only a network that still does not exist is an error.
      if (created.code !== 0 && (await this.podman.run(['network', 'exists', network])).code !== 0) {
        throw new DriverFailed(`podman network create ${network} failed: ${created.stderr.trim()}`, { target: this.id });
      }
    }
    return network;
  }

  private async removePod(name: string, signal?: AbortSignal): Promise<void> {
    await this.podman.check(['pod', 'rm', '--force', '--time', '2', name], signal ? { signal } : {});
  }

  private labels(appId: string, envId: string, pod: PlannedPod, deploymentId: string): string[] {
    const labels: Record<string, string> = {
      [MANAGED_BY_LABEL]: 'baton',
      [APP_LABEL]: appId,
      [ENV_LABEL]: envId,
      [WORKLOAD_LABEL]: pod.workload,
      [POD_HASH_LABEL]: pod.contentHash,
      [DEPLOYMENT_LABEL]: deploymentId,
    };
    return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  }

  private async writeFiles(podDir: string, pod: PlannedPod): Promise<void> {
    await rm(podDir, { recursive: true, force: true });
    await mkdir(podDir, { recursive: true, mode: 0o700 });
    for (const file of pod.files) {
      const path = join(podDir, file.relativePath);
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      // Readable by the container's user, whoever it is; the pod folder above stays 0700.
      await writeFile(path, file.content, { mode: 0o644 });
    }
    for (const container of pod.containers) {
      for (const mount of container.mounts) {
        if (mount.source.kind === 'file' && mount.source.relativePath.startsWith('empty/')) {
          await mkdir(join(podDir, mount.source.relativePath), { recursive: true, mode: 0o777 });
        }
      }
    }
  }

  private async startPod(request: ApplyRequest, pod: PlannedPod, name: string, allocated: Map<string, number>): Promise<void> {
    const { appId, envId, deploymentId } = request;
    const signalOption = request.signal ? { signal: request.signal } : {};
    const podDir = join(this.envDir(appId, envId), 'pods', podNamePart(pod.workload));
    await this.writeFiles(podDir, pod);
    const publish = pod.ports.flatMap((port) => {
      const hostPort = allocated.get(portKey(appId, envId, pod.workload, port));
      return ['--publish', `127.0.0.1:${String(hostPort)}:${port.containerPort}/${port.protocol}`];
    });
    const network = await this.ensureNetwork(appId, envId, request.signal);
    // Other workloads of the environment reach this one by its Services' names, as in a Kubernetes namespace.
    const aliases = pod.serviceNames.flatMap((alias) => ['--network-alias', alias]);
    await this.podman.check(['pod', 'create', '--name', name, '--hostname', pod.workload, '--network', network, ...aliases, ...this.labels(appId, envId, pod, deploymentId), ...publish], signalOption);
    try {
      for (const container of pod.containers) await this.runContainer(name, podDir, appId, envId, pod, container, deploymentId, request.signal);
    } catch (error) {
      await this.removePod(name).catch(() => undefined);
      throw error;
    }
  }

  private async runContainer(pod: string, podDir: string, appId: string, envId: string, planned: PlannedPod, container: PlannedContainer, deploymentId: string, signal?: AbortSignal): Promise<void> {
    const env: Record<string, string> = {};
    const envArgs: string[] = [];
    for (const [key, value] of Object.entries(container.env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new InvalidInput(`workload "${planned.workload}": "${key}" cannot be an environment variable name`);
      env[key] = value;
      envArgs.push('--env', key);
    }
    const mounts = container.mounts.flatMap((mount) => {
      const source = mount.source.kind === 'file' ? join(podDir, mount.source.relativePath) : mount.source.name;
      return ['--volume', `${source}:${mount.containerPath}${mount.readOnly ? ':ro' : ''}`];
    });
    const args = [
      'run',
      '--detach',
      '--pod',
      pod,
      '--name',
      `${pod}-${podNamePart(container.name)}`,
      '--pull',
      'never',
      ...this.labels(appId, envId, planned, deploymentId),
      '--label',
      `${CONTAINER_LABEL}=${container.name}`,
      ...envArgs,
      ...mounts,
      ...(container.workingDir ? ['--workdir', container.workingDir] : []),
      ...(container.command ? ['--entrypoint', JSON.stringify(container.command)] : []),
      container.image,
      ...(container.args ?? []),
    ];
    await this.podman.check(args, { env, ...(signal ? { signal } : {}) });
  }

  private async probeOnce(podName: string, container: PlannedContainer, probe: PlannedProbe, hostPortOf: (containerPort: number) => number | undefined): Promise<boolean> {
    const hostPort = probe.port !== undefined ? hostPortOf(probe.port) : undefined;
    if (probe.kind === 'http' && hostPort !== undefined) {
      try {
        const response = await fetch(`${probe.scheme === 'HTTPS' ? 'https' : 'http'}://127.0.0.1:${hostPort}${probe.path ?? '/'}`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return response.status >= 200 && response.status < 400;
      } catch {
        return false;
      }
    }
    if (probe.kind === 'tcp' && hostPort !== undefined) {
      return new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: hostPort });
        socket.setTimeout(2000, () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('connect', () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    }
    const name = `${podName}-${podNamePart(container.name)}`;
    if (probe.kind === 'exec') return (await this.podman.run(['exec', name, ...(probe.command ?? [])], { timeoutMs: 10_000 })).code === 0;
    // A port the workload does not publish: ask from inside the pod (busybox and most images have wget).
    const url = `http://127.0.0.1:${String(probe.port)}${probe.path ?? '/'}`;
    const inside = probe.kind === 'http' ? ['wget', '-q', '-O', '/dev/null', url] : ['sh', '-c', `nc -z 127.0.0.1 ${String(probe.port)}`];
    return (await this.podman.run(['exec', name, ...inside], { timeoutMs: 10_000 })).code === 0;
  }

  private async waitReady(appId: string, envId: string, pod: PlannedPod, allocated: Map<string, number>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const name = podName(appId, envId, pod.workload);
    const deadline = Date.now() + timeoutMs;
    const hostPortOf = (containerPort: number): number | undefined => {
      const port = pod.ports.find((p) => p.containerPort === containerPort && p.protocol === 'tcp');
      return port ? allocated.get(portKey(appId, envId, pod.workload, port)) : undefined;
    };
    for (;;) {
      if (signal?.aborted) throw new DriverFailed(`waiting for workload "${pod.workload}" was cancelled`, { target: this.id });
      const containers = (await this.listContainers(appId, envId)).filter((c) => c.Labels?.[WORKLOAD_LABEL] === pod.workload && c.Labels[CONTAINER_LABEL] !== undefined);
      const exited = containers.find((c) => c.State === 'exited' || c.State === 'stopped');
      if (exited) {
        throw new DriverFailed(`workload "${pod.workload}": container "${exited.Labels?.[CONTAINER_LABEL] ?? '?'}" exited with code ${String(exited.ExitCode ?? '?')} (see its logs)`, { target: this.id, workload: pod.workload });
      }
      const running = containers.length === pod.containers.length && containers.every((c) => c.State === 'running');
      if (running) {
        let ready = true;
        for (const container of pod.containers) {
          if (container.readiness && !(await this.probeOnce(name, container, container.readiness, hostPortOf))) ready = false;
        }
        if (ready) return;
      }
      if (Date.now() >= deadline) throw new Timeout(`workload "${pod.workload}" did not become ready in time`, { workload: pod.workload });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async writeState(appId: string, envId: string, objects: K8sObject[]): Promise<void> {
    const dir = this.envDir(appId, envId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'applied.json');
    await writeFile(`${file}.tmp`, JSON.stringify(objects), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  async lastApplied(appId: string, envId: string): Promise<K8sObject[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.envDir(appId, envId), 'applied.json'), 'utf8'));
      return Array.isArray(parsed) ? (parsed as K8sObject[]) : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  removeEnvironment(appId: string, envId: string, options: { signal?: AbortSignal } = {}): Promise<RemoveEnvironmentResult> {
    return this.serialised(`${appId}/${envId}`, async () => {
      const removed = (await this.lastApplied(appId, envId)).map((o) => objectKey(o)).sort();
      for (const pod of await this.listPods(appId, envId)) await this.removePod(pod.Name, options.signal);
      await this.podman.run(['network', 'rm', '--force', networkName(appId, envId)], options.signal ? { signal: options.signal } : {});
      await rm(this.envDir(appId, envId), { recursive: true, force: true });
      await this.ports.release(`${appId}/${envId}/`);
      return { removed };
    });
  }

  async runtime(appId: string, envId: string): Promise<WorkloadRuntime[]> {
    const pods = await this.listPods(appId, envId);
    const containers = await this.listContainers(appId, envId);
    const applied = await this.lastApplied(appId, envId);
    const planned = new Map(planPodsQuietly(applied, appId, envId).map((p) => [p.workload, p]));
    const ports = planned.size > 0 ? await this.ports.allocate([...planned.values()].flatMap((p) => p.ports.map((port) => portKey(appId, envId, p.workload, port)))) : new Map<string, number>();
    return pods
      .map((pod): WorkloadRuntime => {
        const workload = pod.Labels?.[WORKLOAD_LABEL] ?? pod.Name;
        const plannedPod = planned.get(workload);
        return {
          workload,
          pod: pod.Name,
          status: pod.Status,
          containers: containers
            .filter((c) => c.Labels?.[WORKLOAD_LABEL] === workload && c.Labels[CONTAINER_LABEL] !== undefined)
            .map((c) => ({
              name: c.Labels?.[CONTAINER_LABEL] ?? '',
              image: c.Image ?? '',
              state: c.State ?? 'unknown',
              ...(c.ExitCode !== undefined && c.State !== 'running' ? { exitCode: c.ExitCode } : {}),
              ...(c.StartedAt ? { startedAt: new Date(c.StartedAt * 1000).toISOString() } : {}),
            })),
          ports: (plannedPod?.ports ?? []).map((port) => ({
            workload,
            ...port,
            host: '127.0.0.1' as const,
            hostPort: ports.get(portKey(appId, envId, workload, port)) ?? 0,
          })),
          ...(pod.Labels?.[DEPLOYMENT_LABEL] ? { deploymentId: pod.Labels[DEPLOYMENT_LABEL] } : {}),
        };
      })
      .sort((a, b) => a.workload.localeCompare(b.workload));
  }

  async logs(appId: string, envId: string, options: { workload?: string; container?: string; limit?: number } = {}): Promise<RuntimeLogEntry[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), MAX_LOG_LINES);
    const containers = (await this.listContainers(appId, envId)).filter(
      (c) =>
        c.Labels?.[CONTAINER_LABEL] !== undefined &&
        (options.workload === undefined || c.Labels[WORKLOAD_LABEL] === options.workload) &&
        (options.container === undefined || c.Labels[CONTAINER_LABEL] === options.container),
    );
    const entries: RuntimeLogEntry[] = [];
    for (const container of containers) {
      const name = container.Names?.[0];
      if (!name) continue;
      const result = await this.podman.run(['logs', '--timestamps', '--tail', String(limit), name], { timeoutMs: 15_000 });
      const add = (text: string, level: 'INFO' | 'ERROR'): void => {
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const space = line.indexOf(' ');
          const stamp = space > 0 ? new Date(line.slice(0, space)) : new Date(Number.NaN);
          const valid = !Number.isNaN(stamp.getTime());
          entries.push({
            workload: container.Labels?.[WORKLOAD_LABEL] ?? '',
            container: container.Labels?.[CONTAINER_LABEL] ?? '',
            timestamp: valid ? stamp.toISOString() : new Date(0).toISOString(),
            level,
            payload: valid ? line.slice(space + 1) : line,
          });
        }
      };
      add(result.stdout, 'INFO');
      add(result.stderr, 'ERROR');
    }
    return entries.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0)).slice(-limit);
  }
}

/** Plans from the stored (secret-redacted) objects only to learn the ports; a plan that cannot be made has none. */
function planPodsQuietly(objects: readonly K8sObject[], appId: string, envId: string): PlannedPod[] {
  try {
    return planPods(objects, appId, envId);
  } catch {
    return [];
  }
}
