/**
 * Deployments as the API sees them: submit (queued on the engine's durable job queue), plans, list and read
 * deployments with their errors, phases and logs, rebase an environment, list and remove active resources.
 * Running a deployment is the engine's job (src/engine); this service only records requests and reads results.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine/engine.js';
import { DEPLOY_JOB, deployJobId } from '../engine/engine.js';
import { emptyProgress } from '../engine/pipeline.js';
import { manifestDiff, openApplied } from '../engine/applied-manifests.js';
import type { ManifestDiff } from '../engine/applied-manifests.js';
import type { K8sObject } from '../targets/types.js';
import type { EnvironmentLifecycle } from './environment-lifecycle.js';
import type { Progress } from '../engine/pipeline.js';
import type { PlanRequest, PlanView } from '../engine/plan.js';
import type { CoreServices, EnvRow } from '../org/index.js';
import { toActiveResourceView } from '../resources/service/active-resource-view.js';
import type { ActiveResourceView } from '../resources/service/active-resource-view.js';
import type { SecretBox } from '../secrets/index.js';
import type { SetsService } from '../sets/service.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import type { DeploymentErrorRow, DeploymentLogRow, DeploymentRow } from '../store/deployments-repo.js';
import type { Executor, Store } from '../store/index.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import type { PlanRow } from '../store/plans-repo.js';

export interface SubmitDeployment {
  delta_id?: string | undefined;
  set_id?: string | undefined;
  value_set_version_id?: string | null | undefined;
  comment?: string | undefined;
  /** Baton: the plan this deployment carries out; refused (Conflict) when the env changed since that plan. */
  plan_id?: string | undefined;
}

/** Humanitec's DeploymentResponse. */
export interface DeploymentView {
  id: string;
  env_id: string;
  from_id: string;
  delta_id?: string;
  set_id: string;
  value_set_version_id?: string;
  comment: string;
  status: string;
  status_changed_at: string;
  created_at: string;
  created_by: string;
  export_status: string;
  export_file: string;
  dependency_graph_id?: string;
}

/** Deployment ids: 16 hex digits, time first so they sort roughly by creation (Humanitec's ids look like this). */
let lastIdMs = 0;
let idCounter = 0;
export function newDeploymentId(): string {
  const now = Date.now();
  idCounter = now === lastIdMs ? idCounter + 1 : 0;
  lastIdMs = now;
  return now.toString(16).padStart(11, '0').slice(-11) + ((idCounter & 0xf).toString(16)) + randomBytes(2).toString('hex');
}

export function toDeploymentView(row: DeploymentRow): DeploymentView {
  return {
    id: row.id,
    env_id: row.env_id,
    from_id: row.from_id,
    ...(row.delta_id !== null ? { delta_id: row.delta_id } : {}),
    set_id: row.set_id,
    ...(row.value_set_version_id !== null ? { value_set_version_id: row.value_set_version_id } : {}),
    comment: row.comment,
    status: row.status,
    status_changed_at: row.status_changed_at,
    created_at: row.created_at,
    created_by: row.created_by,
    export_status: '',
    export_file: '',
    ...(row.dependency_graph_id !== null ? { dependency_graph_id: row.dependency_graph_id } : {}),
  };
}

export interface DeploymentsServiceDeps {
  store: Store;
  core: CoreServices;
  sets: SetsService;
  engine: Engine;
  box: SecretBox;
  /** Env and app deletion, resource deletion (src/deployments/environment-lifecycle.ts). */
  lifecycle: EnvironmentLifecycle;
  /** Told when an environment was created or is gone (webhooks, src/ci); never throws. */
  events?: EnvironmentEvents | undefined;
}

/** The `environment/created` and `environment/deleted` events, and `deployment/finished` of a cancel (src/ci records them for webhooks). */
export interface EnvironmentEvents {
  environment(kind: 'created' | 'deleted', env: EnvRow, actor: string): Promise<void>;
  deployment(kind: 'finished', ref: { orgId: string; appId: string; deployId: string }): Promise<void>;
}

/** `GET …/deploys/{id}/baton/manifests`. */
export interface DeploymentManifestsView extends ManifestDiff {
  deploy_id: string;
  previous_deploy_id?: string;
  /** False when this deployment never applied (failed before, running, or older than the record). */
  recorded: boolean;
  /** False when the previous deployment's apply was not recorded: then every object shows as added. */
  previous_recorded: boolean;
}

export function createDeploymentsService({ store, core, sets, engine, box, lifecycle, events }: DeploymentsServiceDeps) {
  const { deployments, activeResources } = engine.pipeline;
  const { jobs, plans } = engine;

  async function requireDeployment(orgId: string, appId: string, envId: string, deployId: string): Promise<DeploymentRow> {
    await core.envs.get(orgId, appId, envId);
    const row = await deployments.get(orgId, appId, deployId);
    if (!row || row.env_id !== envId) throw new NotFound('deployment', deployId, undefined, { org_id: orgId, app_id: appId, env_id: envId });
    return row;
  }

  async function requirePlan(orgId: string, appId: string, envId: string, planId: string): Promise<PlanRow> {
    const row = await plans.get(orgId, appId, planId);
    if (!row || row.env_id !== envId) throw new NotFound('plan', planId, undefined, { org_id: orgId, app_id: appId, env_id: envId });
    return row;
  }

  const service = {
    /**
     * Queues a deployment. `options.within` runs in the transaction that queues it (an automation rule records its
     * run there, so both commit or neither does).
     */
    async submit(
      orgId: string,
      appId: string,
      envId: string,
      submitted: SubmitDeployment,
      actor: string,
      options: { queue?: boolean; within?: (trx: Executor, deployId: string) => Promise<void> } = {},
    ): Promise<DeploymentView> {
      await core.envs.get(orgId, appId, envId);
      const plan = submitted.plan_id !== undefined && submitted.plan_id !== '' ? await requirePlan(orgId, appId, envId, submitted.plan_id) : undefined;
      // A deployment of a plan without its own delta or set deploys what the plan planned.
      const request: SubmitDeployment =
        plan && !submitted.delta_id && !submitted.set_id ? { ...submitted, ...(fromJsonText<SubmitDeployment>(plan.request) ?? {}) } : submitted;
      if (request.delta_id !== undefined && request.delta_id !== '') await sets.deltas.get(orgId, appId, request.delta_id);
      else if (request.set_id !== undefined && request.set_id !== '') await sets.sets.get(orgId, appId, request.set_id);
      const deltaId = request.delta_id ? request.delta_id : null;
      const id = newDeploymentId();
      const row = await store.transaction(async (trx) => {
        await lifecycle.assertAcceptsDeployments(orgId, appId, envId, trx); // 409 while the env is being deleted
        const active = await deployments.activeInEnv(orgId, appId, envId, trx);
        if (active.length > 0 && !options.queue) {
          throw new Conflict(`environment "${envId}" already has a deployment ${active[0]!.status} ("${active[0]!.id}"); wait for it or pass ?queue=true`, {
            kind: 'deployment',
            id: active[0]!.id,
          });
        }
        const state = await deployments.getEnvState(orgId, appId, envId, trx);
        if (plan) {
          // Anything deployed (or queued) since the plan means it no longer shows what this deployment would do.
          const moved = (state?.from_deploy_id ?? null) !== plan.from_deploy_id || (state?.last_deploy_id ?? null) !== plan.last_deploy_id || active.length > 0;
          if (moved) {
            throw new Conflict(`plan "${plan.id}" is stale: environment "${envId}" changed since it was made; make a new plan`, { kind: 'plan', id: plan.id });
          }
        }
        const seq = await jobs.enqueue({ id: deployJobId(orgId, appId, id), kind: DEPLOY_JOB, queueKey: `${orgId}/${appId}/${envId}`, payload: { orgId, appId, deployId: id } }, trx);
        const at = nowIso();
        const newRow: DeploymentRow = {
          org_id: orgId,
          app_id: appId,
          id,
          env_id: envId,
          seq,
          from_id: state?.from_deploy_id ?? '',
          delta_id: deltaId,
          base_set_id: null,
          set_id: deltaId === null && request.set_id ? request.set_id : '',
          value_set_version_id: request.value_set_version_id ?? null,
          comment: request.comment ?? '',
          status: 'pending',
          status_changed_at: at,
          dependency_graph_id: null,
          progress: toJsonText(emptyProgress()),
          created_at: at,
          created_by: actor,
        };
        await deployments.insert(newRow, trx);
        await options.within?.(trx, id);
        return newRow;
      });
      engine.wake();
      return toDeploymentView(row);
    },
    /**
     * `POST .../deploys/{id}/baton/cancel`: ends a pending or running deployment as `failed` with a `DEP-CANCELLED`
     * error naming who cancelled, in one transaction with its job (so the environment is free at once). The worker
     * running it — here or on another replica — stops at its next heartbeat or guarded commit (between steps), its
     * running driver call aborted through the deployment's signal; nothing it does after that is recorded.
     */
    async cancel(orgId: string, appId: string, envId: string, deployId: string, actor: string): Promise<DeploymentView> {
      await requireDeployment(orgId, appId, envId, deployId);
      const jobId = deployJobId(orgId, appId, deployId);
      const at = nowIso();
      const message = `deployment cancelled by ${actor}`;
      const row = await store.transaction(async (trx) => {
        // The job row first, as the worker's guarded commits do: the two serialise on it.
        // False when no job is left to stop (e.g. it gave up): the deployment is still ended below.
        await jobs.cancel(jobId, message, trx);
        const ended = await deployments.updateIfActive(orgId, appId, deployId, { status: 'failed', status_changed_at: at }, trx);
        if (!ended) {
          const current = await deployments.get(orgId, appId, deployId, trx);
          throw new Conflict(`deployment "${deployId}" has already ${current?.status ?? 'ended'}; only a pending or running deployment can be cancelled`, { kind: 'deployment', id: deployId });
        }
        await deployments.replaceErrors(orgId, appId, deployId, [
          { scope: 'deployment', object_id: deployId, code: 'DEP-CANCELLED', summary: 'Deployment cancelled', message, error_type: 'DeploymentCancelled' },
        ], trx);
        await deployments.appendLogs([{ org_id: orgId, app_id: appId, deploy_id: deployId, at, phase: 'deploy', level: 'error', resource: null, message }], trx);
        const state = await deployments.getEnvState(orgId, appId, envId, trx);
        await deployments.setEnvState({ org_id: orgId, app_id: appId, env_id: envId, from_deploy_id: state?.from_deploy_id ?? null, last_deploy_id: deployId, updated_at: at }, trx);
        return (await deployments.get(orgId, appId, deployId, trx))!;
      });
      engine.cancelled(jobId, message);
      engine.wake();
      await events?.deployment('finished', { orgId, appId, deployId });
      return toDeploymentView(row);
    },
    /** `POST .../baton/plans`: what deploying `request` would do, without doing it (see plan.ts). */
    async plan(orgId: string, appId: string, envId: string, request: PlanRequest, actor: string): Promise<PlanView> {
      await core.envs.get(orgId, appId, envId);
      if (request.delta_id !== undefined && request.delta_id !== '') await sets.deltas.get(orgId, appId, request.delta_id);
      else if (request.set_id !== undefined && request.set_id !== '') await sets.sets.get(orgId, appId, request.set_id);
      return engine.plan({ orgId, appId, envId, actor }, request);
    },
    async getPlan(orgId: string, appId: string, envId: string, planId: string): Promise<PlanView> {
      await core.envs.get(orgId, appId, envId);
      return fromJsonText<PlanView>((await requirePlan(orgId, appId, envId, planId)).plan)!;
    },
    async list(orgId: string, appId: string, envId: string, page: { limit: number; token?: string | undefined }): Promise<{ items: DeploymentView[]; nextToken?: string }> {
      await core.envs.get(orgId, appId, envId);
      let before: number | undefined;
      if (page.token !== undefined) {
        before = Number(Buffer.from(page.token, 'base64url').toString('utf8'));
        if (!Number.isInteger(before)) throw new InvalidInput('page: not a page token returned by this server', { field: 'page' });
      }
      const rows = await deployments.listByEnv(orgId, appId, envId, page.limit + 1, before);
      const items = rows.slice(0, page.limit);
      return {
        items: items.map(toDeploymentView),
        ...(rows.length > page.limit ? { nextToken: Buffer.from(String(items.at(-1)!.seq)).toString('base64url') } : {}),
      };
    },
    async get(orgId: string, appId: string, envId: string, deployId: string): Promise<DeploymentView> {
      return toDeploymentView(await requireDeployment(orgId, appId, envId, deployId));
    },
    /** NotFound unless `deployId` is a deployment of the app (any env). */
    async requireInApp(orgId: string, appId: string, deployId: string): Promise<DeploymentRow> {
      const row = await deployments.get(orgId, appId, deployId);
      if (!row) throw new NotFound('deployment', deployId, undefined, { org_id: orgId, app_id: appId });
      return row;
    },
    async getRow(orgId: string, appId: string, envId: string, deployId: string): Promise<DeploymentRow> {
      return requireDeployment(orgId, appId, envId, deployId);
    },
    async errors(orgId: string, appId: string, envId: string, deployId: string): Promise<Omit<DeploymentErrorRow, 'org_id' | 'app_id' | 'deploy_id' | 'position'>[]> {
      await requireDeployment(orgId, appId, envId, deployId);
      return (await deployments.listErrors(orgId, appId, deployId)).map(({ org_id: _o, app_id: _a, deploy_id: _d, position: _p, ...e }) => e);
    },
    async phases(orgId: string, appId: string, envId: string, deployId: string): Promise<Progress['phases']> {
      const row = await requireDeployment(orgId, appId, envId, deployId);
      return fromJsonText<Progress>(row.progress)?.phases ?? [];
    },
    /**
     * The manifest diff of a deployment from the one it built on (`from_id`): what its final apply gave the target
     * compared with what the previous deployment's gave it (Secrets as hashes). `recorded` is false when the
     * deployment never applied (failed earlier, still running, or made before Baton recorded applies).
     */
    async manifests(orgId: string, appId: string, envId: string, deployId: string): Promise<DeploymentManifestsView> {
      const row = await requireDeployment(orgId, appId, envId, deployId);
      const appliedOf = (r: DeploymentRow): K8sObject[] | undefined => {
        const sealed = fromJsonText<Progress>(r.progress)?.applied;
        return sealed ? openApplied(box, { orgId, appId, deployId: r.id }, sealed) : undefined;
      };
      const current = appliedOf(row);
      const previousRow = row.from_id ? await deployments.get(orgId, appId, row.from_id) : undefined;
      const previous = previousRow ? appliedOf(previousRow) : [];
      const empty = { added: [], changed: [], removed: [], unchanged: [] };
      return {
        deploy_id: row.id,
        ...(row.from_id ? { previous_deploy_id: row.from_id } : {}),
        recorded: current !== undefined,
        previous_recorded: previous !== undefined,
        ...(current !== undefined ? manifestDiff(previous ?? [], current) : empty),
      };
    },
    async logs(orgId: string, appId: string, envId: string, deployId: string, afterSeq = 0): Promise<{ entries: DeploymentLogRow[]; finished: boolean }> {
      const row = await requireDeployment(orgId, appId, envId, deployId);
      const entries = await deployments.listLogs(orgId, appId, deployId, afterSeq);
      return { entries, finished: row.status === 'succeeded' || row.status === 'failed' };
    },
    /** `PUT .../from_deploy_id`: the next deployment of the env builds on `deployId` (any env of the same app). */
    async rebase(orgId: string, appId: string, envId: string, deployId: string): Promise<void> {
      await core.envs.get(orgId, appId, envId);
      const target = await deployments.get(orgId, appId, deployId);
      if (!target) throw new NotFound('deployment', deployId, undefined, { org_id: orgId, app_id: appId });
      if (target.set_id === '') throw new Conflict(`deployment "${deployId}" has not resolved its set yet`, { kind: 'deployment', id: deployId });
      const state = await deployments.getEnvState(orgId, appId, envId);
      await deployments.setEnvState({ org_id: orgId, app_id: appId, env_id: envId, from_deploy_id: deployId, last_deploy_id: state?.last_deploy_id ?? null, updated_at: nowIso() });
    },
    async envState(orgId: string, appId: string, envId: string): Promise<{ from_deploy?: DeploymentView; last_deploy?: DeploymentView }> {
      const state = await deployments.getEnvState(orgId, appId, envId);
      const from = state?.from_deploy_id ? await deployments.get(orgId, appId, state.from_deploy_id) : undefined;
      const last = state?.last_deploy_id ? await deployments.get(orgId, appId, state.last_deploy_id) : undefined;
      return { ...(from ? { from_deploy: toDeploymentView(from) } : {}), ...(last ? { last_deploy: toDeploymentView(last) } : {}) };
    },
    async resources(orgId: string, appId: string, envId: string, filter: { orphaned?: boolean | undefined } = {}): Promise<ActiveResourceView[]> {
      await core.envs.get(orgId, appId, envId);
      const links = new Map((await deployments.listLinks(orgId, appId, envId)).map((l) => [l.guresid, l.orphaned === 1]));
      const rows = await activeResources.listByEnv(orgId, appId, envId);
      const views = rows.map((row) => toActiveResourceView(row, box, links.get(row.guresid) ?? false));
      return filter.orphaned === undefined ? views : views.filter((v) => v.orphaned === filter.orphaned);
    },
    /**
     * One page of `resources` (with the API's `scheduled_deletion` filter too), ordered by `type/class/res_id`, read
     * from the store a page at a time (`pageByEnv`) rather than whole.
     */
    async resourcesPage(
      orgId: string,
      appId: string,
      envId: string,
      filter: { orphaned?: boolean | undefined; scheduledDeletion?: boolean | undefined },
      page: PageRequest,
    ): Promise<Page<ActiveResourceView>> {
      await core.envs.get(orgId, appId, envId);
      const rows = await activeResources.pageByEnv(orgId, appId, envId, filter, page);
      const items = rows.items.map(({ link_orphaned, ...row }) => toActiveResourceView(row, box, link_orphaned === 1));
      return rows.nextToken === undefined ? { items } : { items, nextToken: rows.nextToken };
    },
    /** `DELETE .../resources/{type[.class]}/{resId}`: deprovision (or with `detach`, forget) one active resource. */
    deleteResource(orgId: string, appId: string, envId: string, typeAndClass: string, resId: string, detach: boolean): Promise<void> {
      return lifecycle.deleteResource(orgId, appId, envId, typeAndClass, resId, detach);
    },
    /**
     * `POST .../envs`: creates the environment; with `from_deploy_id` it is a clone whose first deployment
     * builds on that deployment (any env of the app).
     */
    async createEnvironment(orgId: string, appId: string, body: { id: string; name: string; type?: string | undefined; from_deploy_id?: string | undefined }, actor: string): Promise<EnvRow> {
      const from = body.from_deploy_id !== undefined && body.from_deploy_id !== '' ? body.from_deploy_id : undefined;
      await lifecycle.assertAcceptsEnvironments(orgId, appId); // 409 while the app is being deleted
      if (from !== undefined) await service.requireInApp(orgId, appId, from);
      const env = await core.envs.create(orgId, appId, body, actor);
      if (from !== undefined) await service.rebase(orgId, appId, env.id, from);
      await events?.environment('created', env, actor);
      return env;
    },
    /**
     * `DELETE .../envs/{envId}`: deprovisions the environment's resources (dependents first, past failures) and
     * removes it; with failures it stays `deleting` (see environment-lifecycle.ts).
     */
    async deleteEnvironment(orgId: string, appId: string, envId: string, actor = ''): Promise<void> {
      const env = await core.envs.get(orgId, appId, envId);
      await lifecycle.deleteEnvironment(orgId, appId, envId);
      await events?.environment('deleted', env, actor);
    },
    /** `POST .../envs/{envId}/baton/retry`: retries a deletion left `deleting`. */
    async retryEnvironmentDeletion(orgId: string, appId: string, envId: string, actor = ''): Promise<void> {
      const env = await core.envs.get(orgId, appId, envId);
      await lifecycle.retryEnvironment(orgId, appId, envId);
      await events?.environment('deleted', env, actor);
    },
    /** `GET .../envs/{envId}/runtime`: what runs, where the env's target can tell (the local runtime). */
    runtime(orgId: string, appId: string, envId: string) {
      return lifecycle.runtime(orgId, appId, envId);
    },
    /** `GET .../envs/{envId}/logs`: container logs (local runtime), secrets masked. */
    containerLogs(orgId: string, appId: string, envId: string, options: { workload?: string; container?: string; limit?: number }) {
      return lifecycle.logs(orgId, appId, envId, options);
    },
    /** `DELETE .../apps/{appId}`: deletes every environment (deprovisioning), then the app. */
    deleteApplication(orgId: string, appId: string): Promise<void> {
      return lifecycle.deleteApplication(orgId, appId);
    },
  };

  return service;
}

export type DeploymentsService = ReturnType<typeof createDeploymentsService>;
