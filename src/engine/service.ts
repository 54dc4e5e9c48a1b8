/**
 * The engine as the API sees it: submit and read deployments, their errors and logs, rebase an environment,
 * list and remove active resources, and the worker that runs queued deployments. Everything goes through the
 * store's repositories; drivers, targets and values are injected (see `EngineOptions`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createClusterDrivers, createTargetResolver, FALLBACK_DEFINITIONS } from './defaults.js';
import { IN_NAMESPACE_DEFINITIONS } from './dev-definitions.js';
import { emptyProgress, runDeployment } from './pipeline.js';
import { createEnvironmentLifecycle } from '../deployments/environment-lifecycle.js';
import { toActiveResourceView } from '../resources/service/active-resource-view.js';
import type { ActiveResourceView } from '../resources/service/active-resource-view.js';
import type { PipelineDeps, Progress } from './pipeline.js';
import { createPlan } from './plan.js';
import type { PlanRequest, PlanView } from './plan.js';
import { createPlansRepo } from '../store/plans-repo.js';
import type { PlanRow } from '../store/plans-repo.js';
import { EMPTY_VALUE_SOURCE } from './types.js';
import type { EngineOptions, ValueSource } from './types.js';
import { Worker } from './worker.js';
import { createSetsService } from '../sets/service.js';
import type { Driver, JsonObject } from '../drivers/contract.js';
import { createHttpDriver } from '../drivers/http.js';
import { createBuiltinRegistry } from '../drivers/registry.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { CoreServices } from '../org/index.js';
import { workloadProfilesServiceFor } from '../profiles/service/index.js';
import type { ResourceDefinition } from '../resources/index.js';
import { openLeaves, restoredDriverInputs } from '../resources/service/definition-secrets.js';
import { createResourceTypesService } from '../resources/service/types-service.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import type { DeploymentErrorRow, DeploymentLogRow, DeploymentRow } from '../store/deployments-repo.js';
import { createDeploymentsRepo } from '../store/deployments-repo.js';
import type { Store } from '../store/index.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import { createJobsRepo } from '../store/jobs-repo.js';
import { createActiveResourcesRepo } from '../store/resource-active-repo.js';
import type { ActiveResourceRow } from '../store/resource-active-repo.js';
import { createResourceDefinitionsRepo } from '../store/resource-definitions-repo.js';
import { createResourceDriversRepo } from '../store/resource-drivers-repo.js';

export const DEPLOY_JOB = 'deploy';

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

/**
 * The one driver registry of a Baton process: the built-ins (generic and infrastructure drivers), the cluster
 * drivers that name deployment targets, and `extra` drivers (tests, benchmarks) over them. The API and the engine
 * share it, so a definition may name exactly the drivers a deployment can run.
 */
export function createRegistry(extra: readonly Driver[] = [], options: { dataDir?: string } = {}): DriverRegistry {
  const registry = createBuiltinRegistry(options.dataDir !== undefined ? { terraformStateDir: join(options.dataDir, 'terraform') } : {});
  for (const driver of createClusterDrivers()) registry.register(driver);
  for (const driver of extra) {
    for (const name of [driver.id, ...(driver.aliases ?? [])]) registry.unregister(name);
    registry.register(driver);
  }
  return registry;
}

/** A positive integer from the environment (engine tuning knobs, see docs/engine.md), or undefined. */
function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

export function createEngine(store: Store, core: CoreServices, options: EngineOptions) {
  const jobs = createJobsRepo(store.db);
  const deployments = createDeploymentsRepo(store.db);
  const activeResources = createActiveResourcesRepo(store.db);
  const definitionsRepo = createResourceDefinitionsRepo(store.db);
  const driversRepo = createResourceDriversRepo(store.db);
  const setsService = createSetsService(store, core);
  const box = options.box;
  // A registry handed in (the API's) gets the extra drivers too, so both keep seeing the same drivers.
  const registry = options.registry ?? createRegistry([], { dataDir: options.dataDir });
  for (const driver of options.extraDrivers ?? []) {
    for (const name of [driver.id, ...(driver.aliases ?? [])]) registry.unregister(name);
    registry.register(driver);
  }
  let values: ValueSource = options.values ?? EMPTY_VALUE_SOURCE;

  async function loadDefinitions(orgId: string): Promise<ResourceDefinition[]> {
    const [rows, criteria] = await Promise.all([definitionsRepo.list(orgId), definitionsRepo.listCriteria(orgId)]);
    const byDef = new Map<string, ResourceDefinition['criteria']>();
    for (const c of criteria) {
      const list = byDef.get(c.def_id) ?? [];
      list.push({
        id: c.id,
        class: c.class,
        ...(c.app_id !== null ? { app_id: c.app_id } : {}),
        ...(c.env_id !== null ? { env_id: c.env_id } : {}),
        ...(c.env_type !== null ? { env_type: c.env_type } : {}),
        ...(c.res_id !== null ? { res_id: c.res_id } : {}),
      });
      byDef.set(c.def_id, list);
    }
    const definitions = rows.map((row): ResourceDefinition => {
      const leaves = openLeaves(box, orgId, row.id, row.secrets_sealed);
      const inputs = restoredDriverInputs(fromJsonText<JsonObject>(row.driver_values) ?? {}, leaves, fromJsonText<JsonObject>(row.external_secret_refs));
      return {
        id: row.id,
        name: row.name,
        type: row.type,
        driver_type: row.driver_type,
        ...(row.driver_account !== null ? { driver_account: row.driver_account } : {}),
        driver_inputs: inputs,
        provision: fromJsonText<ResourceDefinition['provision']>(row.provision) ?? {},
        criteria: byDef.get(row.id) ?? [],
        in_place_driver_change: row.in_place_driver_change === 1,
        version_id: row.active_version_id,
        created_at: row.created_at,
      };
    });
    return [...definitions, ...FALLBACK_DEFINITIONS, ...(options.fallbackDefinitions ?? IN_NAMESPACE_DEFINITIONS)];
  }

  const customDrivers = new Map<string, Driver>();
  async function driverFor(orgId: string, driverType: string): Promise<Driver> {
    if (registry.has(driverType)) return registry.get(driverType);
    const [owner, id] = driverType.split('/');
    if (owner === orgId && id !== undefined) {
      const row = await driversRepo.get(orgId, id);
      if (row) {
        const key = `${driverType}@${row.target}`;
        let driver = customDrivers.get(key);
        if (!driver) customDrivers.set(key, (driver = createHttpDriver({ id: driverType, target: row.target })));
        return driver;
      }
    }
    return registry.get(driverType); // NotFound naming the known drivers
  }

  const plans = createPlansRepo(store.db);
  const resourceTypes = createResourceTypesService(store, core);
  const pipelineDeps: PipelineDeps = {
    store,
    deployments,
    activeResources,
    sets: {
      async load(orgId, appId, id) {
        const { id: _id, ...set } = await setsService.sets.get(orgId, appId, id);
        return set;
      },
      store: (orgId, appId, set, trx) => setsService.sets.store(orgId, appId, set, trx),
      delta: (orgId, appId, deltaId) => setsService.deltas.getDelta(orgId, appId, deltaId),
    },
    definitions: loadDefinitions,
    profiles: (orgId) => workloadProfilesServiceFor({ store, core }).profileRegistryFor(orgId),
    driver: driverFor,
    get values() {
      return values;
    },
    resolveTarget: options.resolveTarget ?? createTargetResolver(options.dataDir),
    box,
    types: (orgId) => resourceTypes.registry(orgId),
    driverTimeoutMs: options.driverTimeoutMs ?? 10 * 60_000,
    nodeConcurrency: options.nodeConcurrency ?? 8,
  };

  // Lifecycle (resource deletion, env and app deletion with retries): src/deployments/environment-lifecycle.ts.
  const lifecycle = createEnvironmentLifecycle({
    store,
    core,
    deployments,
    activeResources,
    definitions: loadDefinitions,
    driver: driverFor,
    box,
    driverTimeoutMs: pipelineDeps.driverTimeoutMs,
    resolveTarget: pipelineDeps.resolveTarget,
  });

  const worker = new Worker({
    jobs,
    dialect: store.dialect,
    kinds: [DEPLOY_JOB],
    ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
    concurrency: options.concurrency ?? envInteger('BATON_ENGINE_CONCURRENCY') ?? 4,
    leaseMs: options.leaseMs ?? envInteger('BATON_ENGINE_LEASE_MS') ?? 15_000,
    pollMs: options.pollMs ?? envInteger('BATON_ENGINE_POLL_MS') ?? 250,
    handler: async ({ job, guard, signal }) => {
      const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deployId: string };
      const { status, timings } = await runDeployment(pipelineDeps, ref, { guard, signal });
      options.onTimings?.(ref.deployId, timings);
      return status;
    },
    onDead: async (job, error) => {
      const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deployId: string };
      const at = nowIso();
      await deployments.replaceErrors(ref.orgId, ref.appId, ref.deployId, [
        { scope: 'deployment', object_id: ref.deployId, code: 'INTERNAL', summary: 'Deployment gave up', message: `gave up after ${job.attempts} attempts: ${error instanceof Error ? error.message : String(error)}`, error_type: 'InternalError' },
      ]);
      await deployments.update(ref.orgId, ref.appId, ref.deployId, { status: 'failed', status_changed_at: at });
    },
  });

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

  function toResourceView(row: ActiveResourceRow, orphaned: boolean): Promise<ActiveResourceView> {
    return Promise.resolve(toActiveResourceView(row, box, orphaned));
  }

  const service = {
    async submit(orgId: string, appId: string, envId: string, submitted: SubmitDeployment, actor: string, options: { queue?: boolean } = {}): Promise<DeploymentView> {
      await core.envs.get(orgId, appId, envId);
      const plan = submitted.plan_id !== undefined && submitted.plan_id !== '' ? await requirePlan(orgId, appId, envId, submitted.plan_id) : undefined;
      // A deployment of a plan without its own delta or set deploys what the plan planned.
      const request: SubmitDeployment =
        plan && !submitted.delta_id && !submitted.set_id ? { ...submitted, ...(fromJsonText<SubmitDeployment>(plan.request) ?? {}) } : submitted;
      if (request.delta_id !== undefined && request.delta_id !== '') await setsService.deltas.get(orgId, appId, request.delta_id);
      else if (request.set_id !== undefined && request.set_id !== '') await setsService.sets.get(orgId, appId, request.set_id);
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
        const seq = await jobs.enqueue({ id: `deploy-${orgId}-${appId}-${id}`, kind: DEPLOY_JOB, queueKey: `${orgId}/${appId}/${envId}`, payload: { orgId, appId, deployId: id } }, trx);
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
        return newRow;
      });
      worker.wake();
      return toDeploymentView(row);
    },
    /** `POST .../baton/plans`: what deploying `request` would do, without doing it (see plan.ts). */
    async plan(orgId: string, appId: string, envId: string, request: PlanRequest, actor: string): Promise<PlanView> {
      await core.envs.get(orgId, appId, envId);
      if (request.delta_id !== undefined && request.delta_id !== '') await setsService.deltas.get(orgId, appId, request.delta_id);
      else if (request.set_id !== undefined && request.set_id !== '') await setsService.sets.get(orgId, appId, request.set_id);
      return createPlan({ ...pipelineDeps, plans }, { orgId, appId, envId, actor }, request);
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
      const views = await Promise.all(rows.map((row) => toResourceView(row, links.get(row.guresid) ?? false)));
      return filter.orphaned === undefined ? views : views.filter((v) => v.orphaned === filter.orphaned);
    },
    /** `DELETE .../resources/{type[.class]}/{resId}`: deprovision (or with `detach`, forget) one active resource. */
    deleteResource(orgId: string, appId: string, envId: string, typeAndClass: string, resId: string, detach: boolean): Promise<void> {
      return lifecycle.deleteResource(orgId, appId, envId, typeAndClass, resId, detach);
    },
    /** Deprovisions the env's resources, dependents first, continuing past failures (see the lifecycle module). */
    async deprovisionEnv(orgId: string, appId: string, envId: string): Promise<void> {
      await lifecycle.deprovisionEnv(orgId, appId, envId);
    },
  };

  return {
    service,
    lifecycle,
    worker,
    box,
    registry,
    /** Wires the values concern in once it exists. */
    setValueSource(source: ValueSource): void {
      values = source;
    },
    start(): void {
      worker.start();
    },
    stop(): Promise<void> {
      return worker.stop();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
export type DeploymentService = Engine['service'];
