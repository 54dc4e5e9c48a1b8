/**
 * `humanitec/k8s-cluster` (alias `baton/kubernetes`): server-side apply with field manager `baton`.
 *
 * Order: the namespace, then cluster-scoped objects, then namespaced ones. Afterwards every object that
 * carries this app/env's ownership labels but was not rendered is deleted (Namespaces never are). An
 * inventory Secret (`baton-inventory` in the env's namespace) records what was applied: it answers
 * `lastApplied` for plans and names the kinds to look at when pruning, even kinds no longer rendered.
 * When the environment is deleted, `removeEnvironment` deletes every object carrying its ownership labels (of the
 * kinds the inventory names) and then the inventory; the Namespace stays, as it does when pruning (it may hold
 * things Baton did not put there).
 */
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { DriverFailed, InvalidInput, Timeout } from '../shared/errors.js';
import { CONTENT_HASH_ANNOTATION, desiredObjects, objectKey, ownershipLabels, ownershipSelector } from './objects.js';
import type { ApplyRequest, ApplyResult, K8sObject, RemoveEnvironmentResult, Target } from './types.js';

export const FIELD_MANAGER = 'baton';
const INVENTORY_NAME = 'baton-inventory';
const INVENTORY_APP_LABEL = 'baton.dev/inventory-app';
const INVENTORY_ENV_LABEL = 'baton.dev/inventory-env';

/** The `k8s-cluster` resource outputs Baton understands (Humanitec's `humanitec/k8s-cluster` driver inputs). */
export interface ClusterOutputs {
  cluster_data?: { server?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
  credentials?: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string };
}

/** A kubeconfig from a `k8s-cluster` resource's outputs; `InvalidInput` when they name no server or no way to log in. */
export function kubeConfigFromOutputs(outputs: ClusterOutputs): KubeConfig {
  const server = outputs.cluster_data?.server;
  if (!server) throw new InvalidInput('k8s-cluster outputs have no cluster_data.server');
  const credentials = outputs.credentials ?? {};
  const user: Record<string, string> = { name: 'baton' };
  if (credentials.token) user.token = credentials.token;
  if (credentials['client-certificate-data'] && credentials['client-key-data']) {
    user.certData = credentials['client-certificate-data'];
    user.keyData = credentials['client-key-data'];
  }
  if (!user.token && !user.certData) {
    throw new InvalidInput('k8s-cluster credentials need a token or client-certificate-data and client-key-data');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'cluster',
        server,
        caData: outputs.cluster_data?.['certificate-authority-data'],
        skipTLSVerify: outputs.cluster_data?.['insecure-skip-tls-verify'] ?? false,
      },
    ],
    users: [user],
    contexts: [{ name: 'baton', cluster: 'cluster', user: 'baton' }],
    currentContext: 'baton',
  });
  return kc;
}

/** The kubeconfig `KUBECONFIG` (or `~/.kube/config`, or in-cluster) points at. */
export function kubeConfigFromEnvironment(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export interface KubernetesTargetOptions {
  kubeConfig: KubeConfig;
  /** How often to poll rollouts when waiting for `available` (ms). */
  pollIntervalMs?: number;
}

type ApiObject = KubernetesObject & K8sObject;

function describeFailure(error: unknown): { message: string; status?: number } {
  if (error instanceof ApiException) {
    const status = (error as ApiException<unknown>).code;
    let body: unknown = (error as ApiException<unknown>).body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch {
        // keep the text
      }
    }
    const reason =
      body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : typeof body === 'string'
          ? body
          : (error as Error).message;
    return { message: `HTTP ${status}: ${reason}`, status };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** What a refused login means, for the statuses the API server answers when it does not accept the credentials. */
function loginHint(status: number | undefined): string {
  if (status === 401) {
    return ' (the Kubernetes API server did not accept the credentials of the k8s-cluster resource: a client certificate not signed by the cluster\'s CA or expired, or a wrong token; check `credentials` in its secrets or secret_refs)';
  }
  if (status === 403) return ' (the credentials of the k8s-cluster resource were accepted but are not allowed to do this: check the RBAC bindings of that user)';
  return '';
}

function failure(action: string, key: string, error: unknown): DriverFailed {
  const described = describeFailure(error);
  const status = described.status;
  const message = described.message + loginHint(status);
  // Conflicts, throttling, server errors and connection problems may pass; a rejected object will not.
  const retryable = status === undefined || status === 409 || status === 429 || status >= 500;
  return new DriverFailed(`${action} ${key} failed: ${message}`, { object: key, status }, { cause: error, retryable });
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && (error as ApiException<unknown>).code === 404;
}

export class KubernetesTarget implements Target {
  readonly id = 'humanitec/k8s-cluster';
  private readonly client: KubernetesObjectApi;

  constructor(private readonly options: KubernetesTargetOptions) {
    this.client = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  }

  private async readInventory(appId: string, envId: string): Promise<K8sObject[]> {
    const selector = `${INVENTORY_APP_LABEL}=${appId},${INVENTORY_ENV_LABEL}=${envId}`;
    let list;
    try {
      list = await this.client.list<KubernetesObject & { data?: Record<string, string> }>('v1', 'Secret', undefined, undefined, undefined, undefined, undefined, selector);
    } catch (error) {
      throw failure('reading the inventory of', `${appId}/${envId}`, error);
    }
    const secret = list.items[0];
    const encoded = secret?.data?.['objects.json'];
    if (!encoded) return [];
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as K8sObject[];
  }

  lastApplied(appId: string, envId: string): Promise<K8sObject[]> {
    return this.readInventory(appId, envId);
  }

  private async listOwned(apiVersion: string, kind: string, appId: string, envId: string): Promise<ApiObject[]> {
    try {
      const list = await this.client.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, ownershipSelector(appId, envId));
      // List items come without apiVersion/kind; the request names them.
      return list.items.map((item) => ({ ...item, apiVersion, kind }) as ApiObject);
    } catch (error) {
      if (isNotFound(error)) return []; // a kind whose API is gone holds nothing to prune
      throw failure('listing', `${kind} (${apiVersion})`, error);
    }
  }

  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const objects = desiredObjects(request);
    const previous = await this.readInventory(request.appId, request.envId);

    // Kinds to inspect: what we render now plus what we rendered before (to prune kinds no longer rendered).
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const o of [...objects, ...previous]) {
      if (o.kind !== 'Namespace') kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
    }
    const live = new Map<string, ApiObject>();
    for (const { apiVersion, kind } of [...kinds.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))) {
      for (const item of await this.listOwned(apiVersion, kind, request.appId, request.envId)) live.set(objectKey(item), item);
    }

    const result: ApplyResult = { changed: [], removed: [], unchanged: [] };
    for (const object of objects) {
      request.signal?.throwIfAborted();
      const key = objectKey(object);
      const hash = object.metadata.annotations?.[CONTENT_HASH_ANNOTATION];
      const liveHash = live.get(key)?.metadata?.annotations?.[CONTENT_HASH_ANNOTATION];
      try {
        // Applied even when unchanged: server-side apply is idempotent and repairs drift.
        await this.client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw failure('applying', key, error);
      }
      (hash !== undefined && hash === liveHash ? result.unchanged : result.changed).push(key);
    }

    const rendered = new Set(objects.map(objectKey));
    for (const [key, object] of [...live].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (rendered.has(key)) continue;
      request.signal?.throwIfAborted();
      try {
        await this.client.delete(object, undefined, undefined, undefined, undefined, 'Background');
      } catch (error) {
        if (!isNotFound(error)) throw failure('pruning', key, error);
      }
      result.removed.push(key);
    }

    await this.writeInventory(request, objects);
    if (request.waitFor === 'available') await this.waitForRollout(objects, request);
    result.changed.sort();
    result.unchanged.sort();
    return result;
  }

  async removeEnvironment(appId: string, envId: string, options: { signal?: AbortSignal } = {}): Promise<RemoveEnvironmentResult> {
    const selector = `${INVENTORY_APP_LABEL}=${appId},${INVENTORY_ENV_LABEL}=${envId}`;
    let inventories: (ApiObject & { data?: Record<string, string> })[];
    try {
      const list = await this.client.list<KubernetesObject & { data?: Record<string, string> }>('v1', 'Secret', undefined, undefined, undefined, undefined, undefined, selector);
      inventories = list.items.map((item) => ({ ...item, apiVersion: 'v1', kind: 'Secret' }) as ApiObject & { data?: Record<string, string> });
    } catch (error) {
      throw failure('reading the inventory of', `${appId}/${envId}`, error);
    }
    const encoded = inventories[0]?.data?.['objects.json'];
    const previous = encoded ? (JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as K8sObject[]) : [];
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const o of previous) if (o.kind !== 'Namespace') kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
    const live: ApiObject[] = [];
    for (const { apiVersion, kind } of kinds.values()) live.push(...(await this.listOwned(apiVersion, kind, appId, envId)));
    const removed: string[] = [];
    // Namespaced objects first, cluster-scoped ones after (the reverse of applying), then the inventory.
    const ordered = [...live.filter((o) => o.metadata.namespace), ...live.filter((o) => !o.metadata.namespace)];
    const remove = async (object: ApiObject): Promise<void> => {
      options.signal?.throwIfAborted();
      try {
        await this.client.delete(object, undefined, undefined, undefined, undefined, 'Background');
      } catch (error) {
        if (!isNotFound(error)) throw failure('deleting', objectKey(object), error);
      }
    };
    for (const object of ordered) {
      await remove(object);
      removed.push(objectKey(object));
    }
    for (const inventory of inventories) await remove(inventory);
    return { removed: removed.sort() };
  }

  private async writeInventory(request: ApplyRequest, objects: K8sObject[]): Promise<void> {
    const inventory: ApiObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: INVENTORY_NAME,
        namespace: request.namespace,
        // Deliberately not the ownership labels: the inventory must never be pruned as a rendered object.
        labels: {
          'app.kubernetes.io/managed-by': ownershipLabels(request.appId, request.envId)['app.kubernetes.io/managed-by']!,
          [INVENTORY_APP_LABEL]: request.appId,
          [INVENTORY_ENV_LABEL]: request.envId,
        },
        annotations: { 'baton.dev/deployment': request.deploymentId },
      },
      type: 'Opaque',
      data: { 'objects.json': Buffer.from(JSON.stringify(objects), 'utf8').toString('base64') },
    };
    try {
      await this.client.patch(inventory, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      throw failure('recording the inventory in', objectKey(inventory), error);
    }
  }

  /** `deploy.success: available`: Deployments and StatefulSets report all replicas updated and available. */
  private async waitForRollout(objects: K8sObject[], request: ApplyRequest): Promise<void> {
    const deadline = Date.now() + (request.timeoutMs ?? 600_000);
    const interval = this.options.pollIntervalMs ?? 2000;
    for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const key = objectKey(object);
      for (;;) {
        request.signal?.throwIfAborted();
        let current: ApiObject & { status?: Record<string, number | undefined>; spec?: { replicas?: number } };
        try {
          current = await this.client.read(object);
        } catch (error) {
          throw failure('reading', key, error);
        }
        if (rolledOut(current)) break;
        if (Date.now() >= deadline) throw new Timeout(`${key} did not become available in time`, { object: key });
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    }
  }
}

function rolledOut(object: { metadata: { generation?: unknown }; spec?: { replicas?: number }; status?: Record<string, number | undefined> }): boolean {
  const status = object.status ?? {};
  const wanted = object.spec?.replicas ?? 1;
  const generation = typeof object.metadata.generation === 'number' ? object.metadata.generation : 0;
  return (
    (status.observedGeneration ?? 0) >= generation &&
    (status.updatedReplicas ?? 0) >= wanted &&
    (status.availableReplicas ?? status.readyReplicas ?? 0) >= wanted
  );
}
