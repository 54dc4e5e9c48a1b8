/**
 * The deployment engine: the worker that claims queued deployments from the durable job queue and runs each
 * through the pipeline (src/engine/pipeline.ts), and the plan, which is the same pipeline in dry-run mode
 * (src/engine/plan.ts). Everything it reads comes through `EngineDeps`, built once by the composition root
 * (src/baton/create-baton.ts): the same definitions, drivers, types and profiles the API uses.
 */
import type { Driver } from '../drivers/contract.js';
import type { CoreServices } from '../org/index.js';
import type { ProfileRegistry, PullRegistry } from '../profiles/index.js';
import type { ResourceDefinition, ResourceGraph, ResourceTypeRegistry } from '../resources/index.js';
import type { SecretBox } from '../secrets/index.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import { KeyedHasher } from '../shared/keyed-hash.js';
import type { SetsService } from '../sets/service.js';
import { nowIso } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createDeploymentsRepo } from '../store/deployments-repo.js';
import { createJobsRepo } from '../store/jobs-repo.js';
import { createPlansRepo } from '../store/plans-repo.js';
import { createActiveResourcesRepo } from '../store/resource-active-repo.js';
import type { PipelineDeps } from './pipeline.js';
import { runDeployment } from './pipeline.js';
import { createPlan } from './plan.js';
import type { PlanRequest, PlanView } from './plan.js';
import type { AccountCredentials, EngineTimings, TargetResolver, ValueSource } from './types.js';
import { AttemptsSpentError, Worker } from './worker.js';

export const DEPLOY_JOB = 'deploy';

/** The queue job that runs a deployment. */
export function deployJobId(orgId: string, appId: string, deployId: string): string {
  return `deploy-${orgId}-${appId}-${deployId}`;
}

export interface EngineDeps {
  store: Store;
  core: CoreServices;
  sets: SetsService;
  /** The org's definitions followed by Baton's defaults, secrets opened (resources service `loadForEngine`). */
  definitions: (orgId: string) => Promise<ResourceDefinition[]>;
  /** The env's active resources pinned to a definition version (resources service `pinsForEngine`). */
  pins?: (orgId: string, appId: string, envId: string) => Promise<ReadonlyMap<string, ResourceDefinition>>;
  /** The driver a definition's `driver_type` names: built-in or the org's custom HTTP driver. */
  driver: (orgId: string, driverType: string) => Promise<Driver>;
  types: (orgId: string) => Promise<ResourceTypeRegistry>;
  profiles: (orgId: string) => Promise<ProfileRegistry>;
  /** Stores a deployment's resource graph; returns the id `GET .../resources/graphs/{id}` serves it under. */
  recordGraph: (ref: { orgId: string; appId: string; envId: string }, graph: ResourceGraph) => Promise<string>;
  values: ValueSource;
  resolveTarget: TargetResolver;
  box: SecretBox;
  /**
   * Key of the config and content hashes in rendered objects (`deriveManifestHashKey` of Baton's secret key): every
   * replica derives the same one, so replicas render the same hashes.
   */
  manifestHashKey: Uint8Array;
  /** The org's secret stores (`secret_refs` are read through them at deploy time). */
  secretStores?: SecretStoreResolver;
  /** Opened credentials of a resource account (a definition's `driver_account`); absent: such definitions fail. */
  accountCredentials?: AccountCredentials;
  /** The org's container registries with their credentials opened (registries service `forDeployments`): image pull secrets. */
  registries?: (orgId: string) => Promise<PullRegistry[]>;
  /** Told when a deployment starts running and when it ended (webhooks, src/ci); must not throw. */
  events?: DeploymentEvents | undefined;
}

/** `deployment/started` (each time a worker starts or resumes it) and `deployment/finished`. */
export interface DeploymentEvents {
  deployment(kind: 'started' | 'finished', ref: { orgId: string; appId: string; deployId: string }): Promise<void>;
}

export interface EngineSettings {
  /** Worker id (unique per process); defaults to host/pid/random. */
  workerId?: string | undefined;
  /** Deployments run at once by this replica (different environments). */
  concurrency: number;
  /** Lease of a claimed job; heartbeats renew it every third of it. */
  leaseMs: number;
  pollMs: number;
  /** Time limit of one driver call. */
  driverTimeoutMs: number;
  /** Nodes of one graph level provisioned at once. */
  nodeConcurrency: number;
  /** Called after each deployment with where the time went (benchmarks). */
  onTimings?: ((deployId: string, timings: EngineTimings) => void) | undefined;
  /** Called with the final status of every deployment this worker ends (metrics). */
  onDeploymentEnded?: ((status: string) => void) | undefined;
}

export function createEngine(deps: EngineDeps, settings: EngineSettings) {
  const { store, sets } = deps;
  const jobs = createJobsRepo(store.db);
  const deployments = createDeploymentsRepo(store.db);
  const plans = createPlansRepo(store.db);

  const pipeline: PipelineDeps = {
    store,
    deployments,
    activeResources: createActiveResourcesRepo(store.db),
    sets: {
      async load(orgId, appId, id) {
        const { id: _id, ...set } = await sets.sets.get(orgId, appId, id);
        return set;
      },
      store: (orgId, appId, set, trx) => sets.sets.store(orgId, appId, set, trx),
      delta: (orgId, appId, deltaId) => sets.deltas.getDelta(orgId, appId, deltaId),
    },
    definitions: deps.definitions,
    ...(deps.pins ? { pins: deps.pins } : {}),
    profiles: deps.profiles,
    driver: deps.driver,
    recordGraph: deps.recordGraph,
    values: deps.values,
    resolveTarget: deps.resolveTarget,
    box: deps.box,
    manifestHasher: new KeyedHasher(deps.manifestHashKey),
    ...(deps.secretStores ? { secretStores: deps.secretStores } : {}),
    ...(deps.accountCredentials ? { accountCredentials: deps.accountCredentials } : {}),
    ...(deps.registries ? { registries: deps.registries } : {}),
    types: deps.types,
    driverTimeoutMs: settings.driverTimeoutMs,
    nodeConcurrency: settings.nodeConcurrency,
  };

  const worker = new Worker({
    jobs,
    dialect: store.dialect,
    kinds: [DEPLOY_JOB],
    ...(settings.workerId !== undefined ? { workerId: settings.workerId } : {}),
    concurrency: settings.concurrency,
    leaseMs: settings.leaseMs,
    pollMs: settings.pollMs,
    handler: async ({ job, guard, signal, work }) => {
      const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deployId: string };
      await deps.events?.deployment('started', ref);
      const { status, timings } = await runDeployment(pipeline, ref, { guard, signal, work });
      settings.onTimings?.(ref.deployId, timings);
      settings.onDeploymentEnded?.(status);
      await deps.events?.deployment('finished', ref);
      return status;
    },
    onDead: async (job, error) => {
      const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deployId: string };
      const at = nowIso();
      await deployments.replaceErrors(ref.orgId, ref.appId, ref.deployId, [
        { scope: 'deployment', object_id: ref.deployId, code: 'INTERNAL', summary: 'Deployment gave up', message: error instanceof AttemptsSpentError ? `deployment ${error.message}` : `gave up after ${job.attempts} attempts: ${error instanceof Error ? error.message : String(error)}`, error_type: 'InternalError' },
      ]);
      await deployments.update(ref.orgId, ref.appId, ref.deployId, { status: 'failed', status_changed_at: at });
      settings.onDeploymentEnded?.('failed');
      await deps.events?.deployment('finished', ref);
    },
  });

  return {
    /** What the pipeline runs over; the deployments service and the environment lifecycle deprovision with it. */
    pipeline,
    jobs,
    worker,
    /** The pipeline in dry-run mode: what deploying `request` would do, stored as a plan. */
    plan(ref: { orgId: string; appId: string; envId: string; actor: string }, request: PlanRequest): Promise<PlanView> {
      return createPlan({ ...pipeline, plans }, ref, request);
    },
    plans,
    /** Stops this replica's run of a cancelled job now (the cancel itself is in the database: see `jobs.cancel`). */
    cancelled(jobId: string, reason: string): void {
      worker.cancel(jobId, reason);
    },
    /** Tells the worker a job was queued (it would find it on its next poll anyway). */
    wake(): void {
      worker.wake();
    },
    start(): void {
      worker.start();
    },
    /** Stops claiming; running deployments get `graceMs` to finish, then go back to the queue. */
    stop(graceMs = 0): Promise<void> {
      return worker.stop(graceMs);
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
