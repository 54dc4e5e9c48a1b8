/**
 * The end of an environment's (and an application's) life: deprovisioning its active resources, dependents first,
 * removing it from its deployment target, and only then forgetting it. See docs/internals/engine.md, "Lifecycle".
 *
 * Rules:
 * - Deprovisioning continues past a failing resource: everything that can go goes. A failed resource stays with
 *   status `deprovision_failed` and its error (secrets masked) in `last_error`, its sealed outputs, cookie and inputs
 *   untouched; what it depends on is kept too (it may still need it) and retried with it.
 * - An environment being deleted has status `deleting` from the first attempt until it is gone; it refuses
 *   deployments (409). When anything failed, it stays `deleting` and the request fails (DriverFailed, 502) naming the
 *   failed resources; `DELETE` again or `POST .../baton/retry` retries. Once no resource is left its deployment
 *   target forgets it (`Target.removeEnvironment`: the gitops folder in one commit), then the `k8s-cluster` resource
 *   that named the target (and what it depends on) is deprovisioned, and finally the env's rows are deleted.
 * - An application being deleted has status `deleting`; every one of its environments is deleted as above (all are
 *   attempted). The application is removed when its last environment is — by that request, a later `DELETE` of the
 *   app (which retries every remaining env), or the last successful env retry. While `deleting` it accepts no new
 *   environments (409).
 *
 * Everything reaches storage, drivers and targets through `EnvironmentLifecycleDeps`, so the module has no knowledge
 * of the engine that composes it.
 */
import type { Driver, JsonObject } from '../drivers/contract.js';
import type { CoreServices } from '../org/index.js';
import type { ResourceDefinition } from '../resources/index.js';
import { activeResourceAad } from '../resources/service/active-resource-view.js';
import type { SecretBox } from '../secrets/index.js';
import { Conflict, DriverFailed, NotFound } from '../shared/errors.js';
import type { DeploymentsRepo } from '../store/deployments-repo.js';
import type { EnvRow } from '../store/envs-repo.js';
import type { Executor, Store } from '../store/index.js';
import { fromJsonText, nowIso } from '../store/index.js';
import type { ActiveResourceRow, ActiveResourcesRepo } from '../store/resource-active-repo.js';
import type { Target } from '../targets/types.js';
import { isRuntimeTarget } from '../targets/index.js';
import type { RuntimeLogEntry, WorkloadRuntime } from '../targets/index.js';
import { maskSecrets } from '../engine/masking.js';
import { deprovisionActiveResource, resourceSecretStrings } from '../engine/resource-inputs.js';
import { collectStrings } from '../engine/masking.js';
import type { AccountCredentials } from '../engine/types.js';

/** Lifecycle status of an environment or application (`envs.status`, `apps.status`). */
export const LIFECYCLE_ACTIVE = 'active';
export const LIFECYCLE_DELETING = 'deleting';
/** Status of an active resource whose driver is deprovisioning it, or failed to (`last_error` says why). */
export const RESOURCE_DELETING = 'deleting';
export const RESOURCE_DEPROVISION_FAILED = 'deprovision_failed';

export interface EnvironmentLifecycleDeps {
  /** Transactions. */
  store: Store;
  /** Orgs, apps and envs (their repositories set statuses and delete rows). */
  core: CoreServices;
  deployments: DeploymentsRepo;
  activeResources: ActiveResourcesRepo;
  /** The org's definitions: fallback deprovisioning inputs for resources provisioned before inputs were stored. */
  definitions: (orgId: string) => Promise<ResourceDefinition[]>;
  /** The driver of a driver type (built-in, or the org's custom HTTP driver). */
  driver: (orgId: string, driverType: string) => Promise<Driver>;
  box: SecretBox;
  /** Time limit of one driver call. */
  driverTimeoutMs: number;
  /** The deployment target a `k8s-cluster` resource names (the same resolver, and cache, the pipeline uses). */
  resolveTarget: (cluster: { driverType: string; values: Record<string, unknown>; secrets: Record<string, unknown> }) => Target;
  /** Credentials of a resource's `driver_account`, handed to its driver when deprovisioning. */
  accountCredentials?: AccountCredentials | undefined;
}

/** A resource that could not be deprovisioned, as error details and listings show it. */
export interface FailedResource {
  type: string;
  class: string;
  res_id: string;
  gu_res_id: string;
  def_id: string;
  driver_type: string;
  /** The failure, secrets masked. */
  error: string;
}

export interface RemovalOutcome {
  /** GUResIDs deprovisioned (or detached) and forgotten. */
  removed: string[];
  failed: FailedResource[];
  /** Resources not attempted because a resource depending on them could not be removed (`type.class#res_id`). */
  kept: string[];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const descriptor = (row: Pick<ActiveResourceRow, 'type' | 'class' | 'res_id'>): string => `${row.type}.${row.class}#${row.res_id}`;

/** The resource whose driver names the deployment target (as `resolveClusterTarget` in the pipeline picks it). */
const isClusterResource = (row: ActiveResourceRow): boolean => row.type === 'k8s-cluster' && row.res_id === 'k8s-cluster';

export function createEnvironmentLifecycle(deps: EnvironmentLifecycleDeps) {
  const { envs, apps } = deps.core.repos;

  /** Secret strings of the given resources (outputs, cookies, inputs; the definition's for old rows), for masking. */
  async function secretStringsOf(orgId: string, rows: readonly ActiveResourceRow[]): Promise<Set<string>> {
    const secrets = new Set<string>();
    const definitions = rows.some((r) => r.inputs_sealed === null) ? await deps.definitions(orgId) : [];
    for (const row of rows) {
      try {
        resourceSecretStrings(deps.box, row, row.inputs_sealed === null ? definitions.find((d) => d.id === row.def_id) : undefined, secrets);
      } catch {
        // A part that cannot be opened holds nothing to mask here; deprovisioning that resource will say why.
      }
      if (row.driver_account !== null && deps.accountCredentials) {
        collectStrings(await deps.accountCredentials(orgId, row.driver_account).then((account) => account.credentials, () => ({})), secrets);
      }
    }
    return secrets;
  }

  /**
   * Deprovisions (or, with `detach`, only forgets) active resources of one env, dependents before what they depend
   * on, continuing past failures: a failed resource is marked `deprovision_failed` with its masked error and kept,
   * and so is everything it depends on.
   */
  async function removeResources(orgId: string, appId: string, envId: string, rows: readonly ActiveResourceRow[], detach: boolean): Promise<RemovalOutcome> {
    const links = new Map((await deps.deployments.listLinks(orgId, appId, envId)).map((l) => [l.guresid, fromJsonText<string[]>(l.depends_on) ?? []]));
    const secrets = detach ? new Set<string>() : await secretStringsOf(orgId, rows);
    const remaining = new Map(rows.map((r) => [r.guresid, r]));
    const outcome: RemovalOutcome = { removed: [], failed: [], kept: [] };
    const failedIds = new Set<string>();
    while (remaining.size > 0) {
      // Those nothing remaining (or failed, hence still there) depends on go first.
      const needed = new Set([...remaining.keys(), ...failedIds].flatMap((id) => links.get(id) ?? []));
      let wave = [...remaining.values()].filter((r) => !needed.has(r.guresid));
      if (wave.length === 0) {
        if (failedIds.size > 0) {
          outcome.kept.push(...[...remaining.values()].map(descriptor));
          break;
        }
        wave = [...remaining.values()]; // a cycle cannot be stored, but never loop forever
      }
      for (const row of wave) {
        remaining.delete(row.guresid);
        if (!detach) {
          await deps.activeResources.setStatus(orgId, appId, envId, row.guresid, RESOURCE_DELETING, row.last_error);
          try {
            await deprovisionActiveResource(deps, row, { orgId, appId, envId, envType: row.env_type }, undefined, undefined);
          } catch (error) {
            const message = maskSecrets(messageOf(error), secrets);
            await deps.activeResources.setStatus(orgId, appId, envId, row.guresid, RESOURCE_DEPROVISION_FAILED, message);
            failedIds.add(row.guresid);
            outcome.failed.push({ type: row.type, class: row.class, res_id: row.res_id, gu_res_id: row.guresid, def_id: row.def_id, driver_type: row.driver_type, error: message });
            continue;
          }
        }
        await deps.store.transaction(async (trx) => {
          await deps.activeResources.delete(orgId, appId, envId, row.guresid, trx);
          await deps.deployments.deleteLink(orgId, appId, envId, row.guresid, trx);
        });
        outcome.removed.push(row.guresid);
      }
    }
    return outcome;
  }

  function failureText(outcome: RemovalOutcome): string {
    const failed = outcome.failed.map((f) => `${f.type}.${f.class}#${f.res_id} (definition "${f.def_id}", driver "${f.driver_type}"): ${f.error}`).join('; ');
    const kept = outcome.kept.length > 0 ? `; kept because resources depending on them remain: ${outcome.kept.join(', ')}` : '';
    return `${outcome.failed.length} resource(s) could not be deprovisioned: ${failed}${kept}`;
  }

  function envDeletionFailed(orgId: string, appId: string, envId: string, reason: string, details: Record<string, unknown>): DriverFailed {
    return new DriverFailed(
      `environment "${envId}" could not be deleted: ${reason}. It stays in status "${LIFECYCLE_DELETING}"; DELETE it again or POST /orgs/${orgId}/apps/${appId}/envs/${envId}/baton/retry to retry`,
      { kind: 'environment', id: envId, status: LIFECYCLE_DELETING, ...details },
      { retryable: true },
    );
  }

  async function refuseWhileDeploying(orgId: string, appId: string, envId: string, trx?: Executor): Promise<void> {
    const active = await deps.deployments.activeInEnv(orgId, appId, envId, trx);
    if (active.length > 0) {
      throw new Conflict(`environment "${envId}" has a deployment ${active[0]!.status} ("${active[0]!.id}"); try again when it ends`, { kind: 'deployment', id: active[0]!.id });
    }
  }

  /** Marks envs (and optionally their app) `deleting`, refusing while any of them has a deployment pending or running. */
  async function markDeleting(orgId: string, appId: string, envIds: readonly string[], app: boolean): Promise<void> {
    await deps.store.transaction(async (trx) => {
      for (const envId of envIds) await refuseWhileDeploying(orgId, appId, envId, trx);
      const at = nowIso();
      if (app) await apps.setStatus(orgId, appId, LIFECYCLE_DELETING, at, trx);
      for (const envId of envIds) {
        const env = await envs.get(orgId, appId, envId, trx);
        if (env && env.status !== LIFECYCLE_DELETING) await envs.setStatus(orgId, appId, envId, LIFECYCLE_DELETING, at, trx);
      }
    });
  }

  /** Removes the env from the deployment target its `k8s-cluster` resource names (the one its deployments used). */
  /** The target spec the env's `k8s-cluster` resource names; undefined when the env never deployed. */
  async function clusterSpec(orgId: string, appId: string, envId: string, cluster: ActiveResourceRow | undefined): Promise<{ driverType: string; values: JsonObject; secrets: JsonObject } | undefined> {
    if (cluster) {
      const secrets = cluster.secrets_sealed !== null ? deps.box.open(cluster.secrets_sealed, activeResourceAad(orgId, appId, envId, cluster.guresid, 'secrets')) : {};
      return { driverType: cluster.driver_type, values: fromJsonText<JsonObject>(cluster.resource) ?? {}, secrets: (secrets ?? {}) as JsonObject };
    }
    // No cluster resource (never deployed, or forgotten): the default target, when a deployment ever ran.
    if (!(await deps.deployments.getEnvState(orgId, appId, envId))?.last_deploy_id) return undefined;
    return { driverType: 'baton/gitops', values: {}, secrets: {} };
  }

  async function removeFromTarget(orgId: string, appId: string, envId: string, cluster: ActiveResourceRow | undefined): Promise<void> {
    const spec = await clusterSpec(orgId, appId, envId, cluster);
    if (!spec) return;
    try {
      const target = deps.resolveTarget(spec);
      await target.removeEnvironment?.(appId, envId);
    } catch (error) {
      const secrets = cluster ? await secretStringsOf(orgId, [cluster]) : new Set<string>();
      const message = `removing the environment from its deployment target failed: ${maskSecrets(messageOf(error), secrets)}`;
      if (cluster) await deps.activeResources.setStatus(orgId, appId, envId, cluster.guresid, RESOURCE_DEPROVISION_FAILED, message);
      throw envDeletionFailed(orgId, appId, envId, message, { failed: [] });
    }
  }

  /**
   * Runs (or continues) the deletion of an env already marked `deleting`: resources, target, cluster resource, rows.
   * Throws DriverFailed when anything is left; the env then stays `deleting`.
   */
  async function completeEnvDeletion(orgId: string, appId: string, envId: string): Promise<void> {
    const rows = await deps.activeResources.listByEnv(orgId, appId, envId);
    // The cluster resource names the target; it (and what it depends on) goes after the target forgot the env.
    const links = new Map((await deps.deployments.listLinks(orgId, appId, envId)).map((l) => [l.guresid, fromJsonText<string[]>(l.depends_on) ?? []]));
    const held = new Set<string>();
    const hold = (id: string): void => {
      if (held.has(id)) return;
      held.add(id);
      for (const dependency of links.get(id) ?? []) hold(dependency);
    };
    const clusters = rows.filter(isClusterResource);
    for (const cluster of clusters) hold(cluster.guresid);

    const first = await removeResources(orgId, appId, envId, rows.filter((r) => !held.has(r.guresid)), false);
    if (first.failed.length > 0 || first.kept.length > 0) {
      throw envDeletionFailed(orgId, appId, envId, failureText(first), { failed: first.failed, kept: first.kept });
    }
    await removeFromTarget(orgId, appId, envId, clusters[0]);
    const second = await removeResources(orgId, appId, envId, rows.filter((r) => held.has(r.guresid)), false);
    if (second.failed.length > 0 || second.kept.length > 0) {
      throw envDeletionFailed(orgId, appId, envId, failureText(second), { failed: second.failed, kept: second.kept });
    }

    await deps.store.transaction(async (trx) => {
      await envs.delete(orgId, appId, envId, trx); // its links, state, plans, graphs and values cascade
      const app = await apps.get(orgId, appId, trx);
      if (app?.status === LIFECYCLE_DELETING && (await envs.list(orgId, appId, trx)).length === 0) {
        await deps.deployments.deleteAppHistory(orgId, appId, trx);
        await apps.delete(orgId, appId, trx);
      }
    });
  }

  async function requireEnv(orgId: string, appId: string, envId: string): Promise<EnvRow> {
    return deps.core.envs.get(orgId, appId, envId);
  }

  return {
    removeResources,

    /**
     * What runs for the env where its target can tell (the local runtime): pods, containers, published ports.
     * `undefined` when the env never deployed or its target only holds manifests (gitops, directory, Kubernetes).
     */
    async runtime(orgId: string, appId: string, envId: string): Promise<{ namespace: string; workloads: WorkloadRuntime[] } | undefined> {
      await requireEnv(orgId, appId, envId);
      const rows = await deps.activeResources.listByEnv(orgId, appId, envId);
      const spec = await clusterSpec(orgId, appId, envId, rows.find(isClusterResource));
      const target = spec ? deps.resolveTarget(spec) : undefined;
      if (!target || !isRuntimeTarget(target)) return undefined;
      const namespaceRow = rows.find((r) => r.type === 'k8s-namespace' && r.res_id === 'k8s-namespace');
      const namespace = (fromJsonText<JsonObject>(namespaceRow?.resource ?? null) ?? {}).namespace;
      return { namespace: typeof namespace === 'string' ? namespace : `${appId}-${envId}`, workloads: await target.runtime(appId, envId) };
    },

    /** Container logs of the env's workloads (local runtime), with the env's resource secrets masked. */
    async logs(orgId: string, appId: string, envId: string, options: { workload?: string; container?: string; limit?: number }): Promise<RuntimeLogEntry[]> {
      await requireEnv(orgId, appId, envId);
      const rows = await deps.activeResources.listByEnv(orgId, appId, envId);
      const spec = await clusterSpec(orgId, appId, envId, rows.find(isClusterResource));
      const target = spec ? deps.resolveTarget(spec) : undefined;
      if (!target || !isRuntimeTarget(target)) return [];
      const secrets = await secretStringsOf(orgId, rows);
      return (await target.logs(appId, envId, options)).map((entry) => ({ ...entry, payload: maskSecrets(entry.payload, secrets) }));
    },

    /** `DELETE .../resources/{type[.class]}/{resId}`: deprovision (or with `detach`, forget) one active resource. */
    async deleteResource(orgId: string, appId: string, envId: string, typeAndClass: string, resId: string, detach: boolean): Promise<void> {
      await requireEnv(orgId, appId, envId);
      const [type, cls] = typeAndClass.split('.', 2) as [string, string | undefined];
      const rows = (await deps.activeResources.listByEnv(orgId, appId, envId)).filter((r) => r.type === type && r.res_id === resId && (cls === undefined || r.class === cls));
      if (rows.length === 0) throw new NotFound('active resource', `${typeAndClass}/${resId}`, undefined, { env_id: envId });
      await refuseWhileDeploying(orgId, appId, envId);
      const outcome = await removeResources(orgId, appId, envId, rows, detach);
      if (outcome.failed.length > 0) {
        throw new DriverFailed(`${failureText(outcome)}; the resource stays with status "${RESOURCE_DEPROVISION_FAILED}"`, { failed: outcome.failed }, { retryable: true });
      }
    },

    /** `DELETE .../envs/{envId}`: mark it `deleting`, deprovision, remove it from its target, delete it. */
    async deleteEnvironment(orgId: string, appId: string, envId: string): Promise<void> {
      await requireEnv(orgId, appId, envId);
      await markDeleting(orgId, appId, [envId], false);
      await completeEnvDeletion(orgId, appId, envId);
    },

    /** `POST .../envs/{envId}/baton/retry`: retries the deletion of an env in `deleting`; 409 for any other env. */
    async retryEnvironment(orgId: string, appId: string, envId: string): Promise<void> {
      const env = await requireEnv(orgId, appId, envId);
      if (env.status !== LIFECYCLE_DELETING) {
        throw new Conflict(`environment "${envId}" is ${env.status}, not ${LIFECYCLE_DELETING}: there is nothing to retry`, { kind: 'environment', id: envId, status: env.status });
      }
      await refuseWhileDeploying(orgId, appId, envId);
      await completeEnvDeletion(orgId, appId, envId);
    },

    /**
     * `DELETE /orgs/{orgId}/apps/{appId}`: mark the app and its envs `deleting`, delete every env (all are attempted),
     * and remove the app with its last env. DriverFailed naming each env that is left.
     */
    async deleteApplication(orgId: string, appId: string): Promise<void> {
      await deps.core.apps.get(orgId, appId);
      const envIds = (await envs.list(orgId, appId)).map((e) => e.id);
      await markDeleting(orgId, appId, envIds, true);
      const left: { id: string; message: string; details: Record<string, unknown> }[] = [];
      for (const envId of envIds) {
        try {
          await completeEnvDeletion(orgId, appId, envId);
        } catch (error) {
          if (!(error instanceof DriverFailed)) throw error;
          left.push({ id: envId, message: error.message, details: error.details });
        }
      }
      if (left.length > 0) {
        throw new DriverFailed(
          `application "${appId}" could not be deleted: ${left.map((e) => e.message).join(' | ')}. The application stays in status "${LIFECYCLE_DELETING}" until its last environment is gone; DELETE it again to retry`,
          { kind: 'application', id: appId, status: LIFECYCLE_DELETING, environments: left.map((e) => ({ id: e.id, ...e.details })) },
          { retryable: true },
        );
      }
      if (envIds.length === 0) {
        await deps.store.transaction(async (trx) => {
          await deps.deployments.deleteAppHistory(orgId, appId, trx);
          await apps.delete(orgId, appId, trx);
        });
      }
    },

    /** Conflict unless the env accepts deployments (it is not being deleted). Runs inside the submit transaction. */
    async assertAcceptsDeployments(orgId: string, appId: string, envId: string, trx?: Executor): Promise<void> {
      const env = await envs.get(orgId, appId, envId, trx);
      if (env && env.status !== LIFECYCLE_ACTIVE) {
        throw new Conflict(`environment "${envId}" is ${env.status}: it accepts no deployments (retry its deletion with DELETE or POST .../baton/retry)`, {
          kind: 'environment',
          id: envId,
          status: env.status,
        });
      }
    },

    /** Conflict when the app is being deleted (no new environments then). */
    async assertAcceptsEnvironments(orgId: string, appId: string): Promise<void> {
      const app = await apps.get(orgId, appId);
      if (app && app.status !== LIFECYCLE_ACTIVE) {
        throw new Conflict(`application "${appId}" is ${app.status}: it accepts no new environments`, { kind: 'application', id: appId, status: app.status });
      }
    },
  };
}

export type EnvironmentLifecycle = ReturnType<typeof createEnvironmentLifecycle>;
