/**
 * One deployment, phase by phase (read → match → create → deploy), resumable. Progress (phases with times and the
 * GUResIDs already provisioned) is written in the same lease-checked transaction as each step's result, so a
 * worker that takes over a dead worker's job continues after the last completed step; drivers are idempotent, so
 * the step that was running when the worker died is simply repeated.
 */
import type { Driver, DriverManifest, JsonObject, ProvisionResult } from '../drivers/contract.js';
import { withImplicitDriverInputs } from '../drivers/kubernetes-builtins.js';
import { deprovisionActiveResource, sealResourceInputs } from './resource-inputs.js';
import { buildResourceGraph, createMatcher, NoMatchingDefinition } from '../resources/index.js';
import type { GraphNode, ResolvedNodeInputs, ResourceDefinition, ResourceGraph, ResourceTypeRegistry } from '../resources/index.js';
import type { ProfileRegistry, PullRegistry } from '../profiles/index.js';
import type { SecretBox } from '../secrets/index.js';
import { createSecretReader } from '../secrets/stores/resolve.js';
import type { SecretReader } from '../secrets/stores/resolve.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import { EMPTY_SET_ID, applyDelta } from '../sets/index.js';
import type { Delta, DeploymentSet } from '../sets/index.js';
import { BatonError, DriverFailed, InvalidInput, StoreUnavailable } from '../shared/errors.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';
import type { DeploymentsRepo, DeploymentRow } from '../store/deployments-repo.js';
import type { Executor, Store } from '../store/index.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import { createEnvsRepo } from '../store/envs-repo.js';
import { activeResourceAad } from '../resources/service/active-resource-view.js';
export { activeResourceAad };
import type { ActiveResourceRow, ActiveResourcesRepo, ActiveResourceWrite } from '../store/resource-active-repo.js';
import type { K8sObject, Target } from '../targets/types.js';
import { desiredObjects } from '../targets/objects.js';
import { sealApplied } from './applied-manifests.js';
import { createDeploymentLog, type DeploymentLog } from './logs.js';
import type { AccountCredentials, PinnedValueSet, TargetResolver, ValueSource } from './types.js';
import { renderWorkloads, targetManifests, withPullSecrets, type NodeResult, type RenderedWorkload } from './workloads.js';
import { createPersistenceBatcher } from './persistence.js';
import type { PersistenceBatcher } from './persistence.js';
import { accountOf, graphLevels, resolveInputs, runNodeDriver, storeSecretsOf, withStoreSecrets } from './provision.js';
import type { NodeCall } from './provision.js';
import { LeaseLostError as LeaseLost } from './worker.js';
import { collectStrings, maskSecrets } from './masking.js';

export type PhaseName = 'read' | 'match' | 'create' | 'deploy';

export interface PhaseRecord {
  name: PhaseName;
  status: 'running' | 'succeeded' | 'failed';
  started_at: string;
  ended_at?: string;
}

export interface Progress {
  phases: PhaseRecord[];
  /** GUResIDs provisioned by this deployment so far. */
  done: string[];
  /** Driver manifests of provisioned nodes, sealed (they may hold Secrets). */
  manifests: Record<string, string>;
  /** The objects of the final apply, Secrets redacted, sealed (src/engine/applied-manifests.ts); set when the deploy phase applied. */
  applied?: string;
}

export function emptyProgress(): Progress {
  return { phases: [], done: [], manifests: {} };
}

export interface DeploymentError {
  scope: string;
  object_id: string;
  code: string;
  summary: string;
  message: string;
  error_type: string;
}

/** A failure the deployment reports (errors listed at `/errors`), as opposed to an infrastructure failure to retry. */
export class DeploymentFailed extends Error {
  constructor(readonly errors: DeploymentError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}


export interface PipelineDeps {
  store: Store;
  deployments: DeploymentsRepo;
  activeResources: ActiveResourcesRepo;
  sets: {
    load(orgId: string, appId: string, id: string): Promise<DeploymentSet>;
    store(orgId: string, appId: string, set: DeploymentSet, trx?: Executor): Promise<string>;
    delta(orgId: string, appId: string, deltaId: string): Promise<Delta>;
  };
  definitions: (orgId: string) => Promise<ResourceDefinition[]>;
  /** The env's active resources pinned to a definition version (descriptor → that version); none when absent. */
  pins?: (orgId: string, appId: string, envId: string) => Promise<ReadonlyMap<string, ResourceDefinition>>;
  /** Stores the deployment's resource graph; returns its id (`dependency_graph_id`). */
  recordGraph: (ref: { orgId: string; appId: string; envId: string }, graph: ResourceGraph) => Promise<string>;
  /** The org's workload profiles (built-ins plus its custom ones). */
  profiles: (orgId: string) => Promise<ProfileRegistry>;
  driver: (orgId: string, driverType: string) => Promise<Driver>;
  values: ValueSource;
  resolveTarget: TargetResolver;
  box: SecretBox;
  /** Keys the config and content hashes profiles write into objects (never the sealing key itself). */
  manifestHasher: KeyedHasher;
  /** The org's secret stores: definitions' `secret_refs` are read through it at deploy time (none: refs fail). */
  secretStores?: SecretStoreResolver;
  /** Opened credentials of a resource account (a definition's `driver_account`), read at every provisioning. */
  accountCredentials?: AccountCredentials;
  /** The org's container registries, credentials opened from Baton's store: images under them get pull secrets (none: no pull secrets). */
  registries?: (orgId: string) => Promise<PullRegistry[]>;
  /** Resource types the org may use: the built-ins plus its own (`<org>/<name>`). */
  types: (orgId: string) => Promise<ResourceTypeRegistry>;
  driverTimeoutMs: number;
  nodeConcurrency: number;
}

export interface RunControl {
  /** Confirms (and renews) the lease inside `trx`; throws `LeaseLost` when another worker owns the job now. */
  guard: (trx: Executor) => Promise<void>;
  signal: AbortSignal;
  /** Wraps each of the deployment's transactions (the worker watches them: a stuck one stops lease renewal). */
  work?: <T>(run: () => Promise<T>) => Promise<T>;
}

export interface RunTimings {
  driverMs: number;
  targetMs: number;
}

export function deploymentAad(orgId: string, appId: string, deployId: string): string {
  return `orgs/${orgId}/apps/${appId}/deploys/${deployId}/manifests`;
}

/** Runs `work` over `items` with at most `limit` running at once; the first failure stops new starts. */
async function boundedAll<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(runners);
  if (failed !== undefined) throw failed as Error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}


/**
 * Everything one run of a deployment shares between its phases: the request, the mutable deployment row and
 * progress, the log (with the secrets it masks), the persistence batcher and the phase being run.
 */
interface DeploymentRun {
  deps: PipelineDeps;
  control: RunControl;
  orgId: string;
  appId: string;
  envId: string;
  deployId: string;
  deployment: DeploymentRow;
  progress: Progress;
  secrets: Set<string>;
  /** Reads `secret_refs` from the org's stores, each reference once per run. */
  readSecret: SecretReader | undefined;
  log: DeploymentLog;
  persist: PersistenceBatcher['persist'];
  timings: RunTimings;
  resumed: boolean;
  current: PhaseRecord | undefined;
}

async function startPhase(run: DeploymentRun, name: PhaseName): Promise<PhaseRecord> {
  let record = run.progress.phases.find((p) => p.name === name);
  if (!record) {
    record = { name, status: 'running', started_at: nowIso() };
    run.progress.phases.push(record);
  }
  run.current = record;
  run.log.add(name, 'info', `phase ${name} started${run.resumed ? ' (resumed)' : ''}`);
  await run.persist();
  return record;
}

/** Marks the running phase done; `persist` false when the caller commits it together with the phase's result. */
async function endPhase(run: DeploymentRun, persist = true): Promise<void> {
  const record = run.current!;
  record.status = 'succeeded';
  record.ended_at = nowIso();
  run.log.add(record.name, 'info', `phase ${record.name} succeeded`);
  run.current = undefined;
  if (persist) await run.persist();
}

function phaseDone(run: DeploymentRun, name: PhaseName): boolean {
  return run.progress.phases.some((p) => p.name === name && p.status === 'succeeded');
}

function openSealedObject(box: SecretBox, sealed: string | null, aad: string): JsonObject {
  if (sealed === null) return {};
  const opened = box.open(sealed, aad);
  return typeof opened === 'object' && opened !== null ? (opened as JsonObject) : {};
}

/** Read: the set to deploy (base + delta) and the value set version, pinned on the deployment. */
async function readPhase(run: DeploymentRun): Promise<{ set: DeploymentSet; valueSet: PinnedValueSet }> {
  const { deps, orgId, appId, envId, deployId } = run;
  if (phaseDone(run, 'read')) {
    const set = await deps.sets.load(orgId, appId, run.deployment.set_id);
    const valueSet = await deps.values.valueSetFor(orgId, appId, envId, run.deployment.value_set_version_id ?? undefined);
    return { set, valueSet };
  }
  await startPhase(run, 'read');
  // The base is resolved now, not at submission: deployments queued behind each other build on each other.
  const read = await readDeploymentSet(deps, { orgId, appId, envId, deltaId: run.deployment.delta_id, setId: run.deployment.set_id, valueSetVersionId: run.deployment.value_set_version_id });
  const { set, valueSet, base, baseSetId } = read;
  run.deployment = { ...run.deployment, from_id: base?.id ?? run.deployment.from_id, base_set_id: baseSetId };
  let setId = '';
  run.log.add('read', 'info', `set with ${Object.keys(set.modules).length} workload(s); value set version ${valueSet.id ?? '(none)'}`);
  await endPhase(run, false);
  await run.persist(async (trx) => {
    setId = await deps.sets.store(orgId, appId, set, trx);
    await deps.deployments.update(orgId, appId, deployId, { set_id: setId, value_set_version_id: valueSet.id, from_id: run.deployment.from_id, base_set_id: run.deployment.base_set_id }, trx);
  });
  run.deployment = { ...run.deployment, set_id: setId, value_set_version_id: valueSet.id };
  return { set, valueSet };
}

/** Match: every resource of the set to its definition, as a graph (recorded and reported by id). */
async function matchPhase(run: DeploymentRun, set: DeploymentSet): Promise<{ graph: ResourceGraph; context: EnvironmentContext; types: ResourceTypeRegistry }> {
  const { deps, orgId, appId, envId } = run;
  const context = await environmentContext(deps.store, orgId, appId, envId);
  await startPhase(run, 'match');
  const definitions = await deps.definitions(orgId);
  const pins = (await deps.pins?.(orgId, appId, envId)) ?? new Map<string, ResourceDefinition>();
  for (const d of [...definitions, ...pins.values()]) collectStrings(d.driver_inputs.secrets, run.secrets);
  const types = await deps.types(orgId);
  const graph = matchGraph(set, context, definitions, types, pins);
  run.log.add('match', 'info', `resource graph ${graph.hash.slice(0, 12)}: ${graph.nodes.length} resource(s) in ${graph.levels.length} level(s)`);
  await endPhase(run);
  await run.persist(undefined, { dependency_graph_id: await deps.recordGraph({ orgId, appId, envId }, graph) });
  return { graph, context, types };
}

/** Create, first half: provision level by level (parallel within a level), each node committed as it ends. */
async function provisionPhase(run: DeploymentRun, set: DeploymentSet, matched: { graph: ResourceGraph; context: EnvironmentContext; types: ResourceTypeRegistry }): Promise<Map<string, NodeResult>> {
  const { deps, orgId, appId, envId, deployId, control, log } = run;
  const { graph, context, types } = matched;
  await startPhase(run, 'create');
  const existing = new Map<string, ActiveResourceRow>();
  for (const row of await deps.activeResources.listByEnv(orgId, appId, envId)) existing.set(row.guresid, row);
  const results = new Map<string, NodeResult>();
  const done = new Set(run.progress.done);

  let driversRunning = 0;
  let driversSince = 0;
  const provision = async (node: GraphNode): Promise<void> => {
    const row = existing.get(node.guresid);
    if (done.has(node.guresid) && row !== undefined && row.deploy_id === deployId) {
      // Completed before a restart: reuse what it produced.
      const secretOutputs = openSealedObject(deps.box, row.secrets_sealed, activeResourceAad(orgId, appId, envId, node.guresid, 'secrets'));
      const manifests = run.progress.manifests[node.guresid];
      results.set(node.guresid, {
        values: fromJsonText<JsonObject>(row.resource) ?? {},
        secrets: secretOutputs,
        manifests: manifests ? (deps.box.open(manifests, deploymentAad(orgId, appId, deployId)) as DriverManifest[]) : [],
      });
      collectStrings(secretOutputs, run.secrets);
      return;
    }
    const sameDefinition = row !== undefined && row.def_id === node.definition.id;
    const cookie = sameDefinition && row.cookie_sealed !== null ? deps.box.open(row.cookie_sealed, activeResourceAad(orgId, appId, envId, node.guresid, 'cookie')) : undefined;
    const call: NodeCall = {
      deps,
      graph,
      types,
      context,
      deployId,
      setId: run.deployment.set_id,
      set,
      ...(cookie !== undefined ? { cookie } : {}),
      signal: control.signal,
      log: (level, message) => log.add('create', level, message, node.resId),
    };
    // Driver time counts wall time during which at least one driver runs (calls overlap within a level).
    if (driversRunning++ === 0) driversSince = performance.now();
    log.add('create', 'info', `provisioning ${node.descriptor} with definition "${node.definition.id}" (driver ${node.driverType})`, node.resId);
    let inputs: ResolvedNodeInputs;
    let result: ProvisionResult;
    try {
      const storeSecrets = await storeSecretsOf(run.readSecret, node);
      collectStrings(storeSecrets, run.secrets);
      inputs = withStoreSecrets(resolveInputs(call, node, results), storeSecrets);
      const account = await accountOf(deps, orgId, node, inputs);
      collectStrings(account?.credentials, run.secrets);
      result = await runNodeDriver(call, node, inputs, account);
    } catch (error) {
      if (control.signal.aborted) throw new LeaseLost('deployment stopped while a driver was running');
      if (error instanceof StoreUnavailable) throw error;
      throw new DeploymentFailed([driverError(node, error)]);
    } finally {
      if (--driversRunning === 0) run.timings.driverMs += performance.now() - driversSince;
    }
    collectStrings(result.secrets, run.secrets);
    results.set(node.guresid, { values: result.values, secrets: result.secrets, manifests: result.manifests });

    if (row !== undefined && !sameDefinition) {
      // The resource now comes from another definition: the old one is deprovisioned (Humanitec's rule).
      await deprovisionOld(deps, row, context, control.signal, log).catch((error: unknown) =>
        log.add('create', 'warn', `deprovisioning the previous ${node.descriptor} (definition "${row.def_id}") failed: ${messageOf(error)}`, node.resId),
      );
    }
    done.add(node.guresid);
    run.progress.done = [...done];
    if (result.manifests.length > 0) run.progress.manifests[node.guresid] = deps.box.seal(result.manifests, deploymentAad(orgId, appId, deployId));
    const newRow: ActiveResourceWrite = {
      org_id: orgId,
      app_id: appId,
      env_id: envId,
      guresid: node.guresid,
      env_type: context.envType,
      type: node.type,
      class: node.class,
      res_id: node.resId,
      def_id: node.definition.id,
      def_version_id: node.definition.versionId ?? '',
      criteria_id: node.criteriaId,
      driver_type: node.driverType,
      driver_account: inputs.account ?? null,
      deploy_id: deployId,
      status: 'active',
      resource: toJsonText(result.values),
      secrets_sealed: Object.keys(result.secrets).length > 0 ? deps.box.seal(result.secrets, activeResourceAad(orgId, appId, envId, node.guresid, 'secrets')) : null,
      cookie_sealed: result.cookie !== undefined ? deps.box.seal(result.cookie, activeResourceAad(orgId, appId, envId, node.guresid, 'cookie')) : null,
      scheduled_deletion: 0,
      updated_at: nowIso(),
      // Lifecycle: the resolved inputs, sealed, so deprovisioning uses exactly them (src/engine/resource-inputs.ts).
      inputs_sealed: sealResourceInputs(deps.box, { org_id: orgId, app_id: appId, env_id: envId, guresid: node.guresid }, inputs),
      last_error: null,
      // A pin names a version of the previous definition: it ends when the resource moves to another one.
      ...(row !== undefined && !sameDefinition ? { target_def_version_id: null } : {}),
    };
    log.add('create', 'info', `provisioned ${node.descriptor}`, node.resId);
    await run.persist(async (trx) => {
      await deps.activeResources.upsert(newRow, trx);
      await deps.deployments.upsertLink({ org_id: orgId, app_id: appId, env_id: envId, guresid: node.guresid, depends_on: toJsonText(node.dependsOn), orphaned: 0 }, trx);
    });
  };

  for (const level of graphLevels(graph)) await boundedAll(level, deps.nodeConcurrency, provision);
  await markOrphans(run, graph);
  return results;
}

/** Resources the set no longer needs stay (rollbacks keep their data) but are marked orphaned. */
async function markOrphans(run: DeploymentRun, graph: ResourceGraph): Promise<void> {
  const { deps, orgId, appId, envId } = run;
  const inGraph = new Set(graph.order);
  const links = await deps.deployments.listLinks(orgId, appId, envId);
  await run.persist(async (trx) => {
    for (const link of links) {
      const orphaned = inGraph.has(link.guresid) ? 0 : 1;
      if (link.orphaned !== orphaned) await deps.deployments.upsertLink({ ...link, orphaned }, trx);
    }
  });
}

/** What the render step hands the deploy step: the namespace, the workloads' objects and the env's pull secrets. */
interface RenderOutput {
  namespace: string;
  rendered: RenderedWorkload[];
  /** One `kubernetes.io/dockerconfigjson` Secret per registry the workloads' images need (src/profiles/pull-secrets.ts). */
  pullSecrets: K8sObject[];
}

/** Create, second half: the workload resources' patches, placeholders and profiles, then the registries' pull secrets. */
async function renderPhase(run: DeploymentRun, graph: ResourceGraph, set: DeploymentSet, valueSet: PinnedValueSet, results: ReadonlyMap<string, NodeResult>): Promise<RenderOutput> {
  const { deps, orgId, appId, envId, deployId } = run;
  const namespace = envNamespace(graph, results, appId, envId);
  let rendered: RenderedWorkload[];
  try {
    rendered = await renderWorkloads({ graph, set, results, values: valueSet, deployId, setId: run.deployment.set_id, namespace, profiles: await deps.profiles(orgId), hasher: deps.manifestHasher });
  } catch (error) {
    if (!(error instanceof BatonError) || error instanceof StoreUnavailable) throw error;
    throw new DeploymentFailed([
      { scope: 'workload', object_id: typeof error.details.workload === 'string' ? error.details.workload : '', code: 'WL-001', summary: 'Workload could not be rendered', message: maskSecrets(error.message, run.secrets), error_type: 'WorkloadError' },
    ]);
  }
  const registries = (await deps.registries?.(orgId)) ?? [];
  for (const registry of registries) collectStrings(registry.creds?.password, run.secrets);
  const pull = withPullSecrets(rendered, registries, { orgId, appId, envId, namespace, hasher: deps.manifestHasher });
  for (const value of pull.sensitive) collectStrings(value, run.secrets);
  rendered = pull.rendered;
  for (const warning of [...rendered.flatMap((w) => w.warnings ?? []), ...pull.warnings]) run.log.add('create', 'warn', warning);
  if (pull.secrets.length > 0) run.log.add('create', 'info', `image pull secrets from registries: ${pull.secrets.map((s) => s.metadata.name).join(', ')}`);
  run.log.add('create', 'info', `rendered ${rendered.length} workload(s) into ${rendered.reduce((n, w) => n + w.objects.length, 0)} object(s)`);
  await endPhase(run);
  return { namespace, rendered, pullSecrets: pull.secrets };
}

/** Deploy: everything to the target, `deploy.when` stage by stage. */
async function deployPhase(run: DeploymentRun, graph: ResourceGraph, results: ReadonlyMap<string, NodeResult>, output: RenderOutput): Promise<void> {
  const { deps, appId, envId, deployId, control, log } = run;
  const { namespace, rendered } = output;
  await startPhase(run, 'deploy');
  const target = resolveClusterTarget(deps, graph, results);
  // Pull secrets belong to the env, like driver manifests: in every stage, so no stage prunes one a pod still names.
  const driverObjects = [...targetManifests(results, namespace), ...output.pullSecrets];
  const stageOf = { before: 0, deploy: 1, after: 2 } as const;
  const staged = rendered.some((w) => w.when !== 'deploy');
  const previous = staged ? await target.lastApplied(appId, envId) : [];
  const workloadLabel = 'baton.dev/workload';
  let applied: K8sObject[] = [];
  for (const stage of staged ? [0, 1, 2] : [2]) {
    const objects: K8sObject[] = [...driverObjects];
    for (const w of rendered) {
      if (stageOf[w.when] <= stage) objects.push(...w.objects);
      else objects.push(...previous.filter((o) => o.metadata.labels?.[workloadLabel] === w.workloadId));
    }
    const started = performance.now();
    try {
      // `deploy.success: available|complete` of a module in this stage makes the target wait for the rollout.
      const stageModules = rendered.filter((w) => stageOf[w.when] === stage || (!staged && stage === 2));
      const wait = stageModules.some((w) => w.success !== 'deploy');
      const timeouts = stageModules.flatMap((w) => (w.timeoutSeconds !== undefined ? [w.timeoutSeconds * 1000] : []));
      const result = await target.apply({
        deploymentId: deployId,
        comment: run.deployment.comment,
        orgId: run.orgId,
        appId,
        envId,
        namespace,
        objects,
        signal: control.signal,
        ...(wait ? { waitFor: 'available' as const } : {}),
        ...(timeouts.length > 0 ? { timeoutMs: Math.max(...timeouts) } : {}),
      });
      log.add('deploy', 'info', `target ${target.id}: ${result.changed.length} changed, ${result.removed.length} removed, ${result.unchanged.length} unchanged${result.revision ? ` (revision ${result.revision})` : ''}`);
      for (const warning of result.warnings ?? []) log.add('deploy', 'warn', `target ${target.id}: ${warning}`);
      applied = objects;
    } catch (error) {
      if (control.signal.aborted) throw new LeaseLost('deployment stopped while the target was applying');
      throw new DeploymentFailed([{ scope: 'deployment', object_id: deployId, code: 'DEP-001', summary: `Target ${target.id} failed`, message: maskSecrets(messageOf(error), run.secrets), error_type: 'TargetError' }]);
    } finally {
      run.timings.targetMs += performance.now() - started;
    }
  }
  // What the target now holds for the env (as plans see it), for the deployment's manifest diff; written with the final status.
  run.progress.applied = sealApplied(deps.box, deps.manifestHasher, { orgId: run.orgId, appId, deployId }, desiredObjects({ deploymentId: deployId, appId, envId, namespace, objects: applied }));
}

async function succeed(run: DeploymentRun): Promise<void> {
  const { deps, orgId, appId, envId, deployId } = run;
  await endPhase(run, false);
  run.log.add('deploy', 'info', 'deployment succeeded');
  const at = nowIso();
  await run.persist(
    async (trx) => {
      await deps.deployments.setEnvState({ org_id: orgId, app_id: appId, env_id: envId, from_deploy_id: deployId, last_deploy_id: deployId, updated_at: at }, trx);
    },
    { status: 'succeeded', status_changed_at: at },
  );
}

/** Records a deployment failure (errors masked of secrets); anything else is infrastructure trouble, rethrown. */
async function fail(run: DeploymentRun, error: unknown): Promise<void> {
  const { deps, orgId, appId, envId, deployId, log } = run;
  let errors: DeploymentError[];
  if (error instanceof StoreUnavailable) throw error; // the database, not the deployment: the worker retries the job
  if (error instanceof DeploymentFailed) errors = error.errors;
  else if (error instanceof BatonError) {
    errors = [{ scope: 'deployment', object_id: deployId, code: error.code, summary: 'Deployment failed', message: error.message, error_type: error.name }];
  } else throw error; // infrastructure trouble (database, bug): the worker retries the job
  errors = errors.map((e) => ({ ...e, message: maskSecrets(e.message, run.secrets) }));
  const phase = run.current;
  if (phase) {
    phase.status = 'failed';
    phase.ended_at = nowIso();
  }
  for (const e of errors) log.add(phase?.name ?? 'read', 'error', e.message, e.object_id);
  log.add(phase?.name ?? 'read', 'error', 'deployment failed');
  const at = nowIso();
  await run.persist(
    async (trx) => {
      await deps.deployments.replaceErrors(orgId, appId, deployId, errors, trx);
      const state = await deps.deployments.getEnvState(orgId, appId, envId, trx);
      await deps.deployments.setEnvState({ org_id: orgId, app_id: appId, env_id: envId, from_deploy_id: state?.from_deploy_id ?? null, last_deploy_id: deployId, updated_at: at }, trx);
    },
    { status: 'failed', status_changed_at: at },
  );
}

/** One deployment, phase by phase: read → match → create (provision, render) → deploy. */
export async function runDeployment(
  deps: PipelineDeps,
  ref: { orgId: string; appId: string; deployId: string },
  control: RunControl,
): Promise<{ status: 'succeeded' | 'failed'; timings: RunTimings }> {
  const { orgId, appId, deployId } = ref;
  const timings: RunTimings = { driverMs: 0, targetMs: 0 };
  const initial = await deps.deployments.get(orgId, appId, deployId);
  if (!initial) throw new InvalidInput(`deployment "${deployId}" does not exist`);
  if (initial.status === 'succeeded' || initial.status === 'failed') return { status: initial.status, timings };
  const progress: Progress = { ...emptyProgress(), ...(fromJsonText<Progress>(initial.progress) ?? {}) };
  const secrets = new Set<string>();
  const log = createDeploymentLog(deps.deployments, { orgId, appId, deployId }, secrets);
  const run: DeploymentRun = {
    deps,
    control,
    orgId,
    appId,
    envId: initial.env_id,
    deployId,
    deployment: initial,
    progress,
    secrets,
    readSecret: deps.secretStores ? createSecretReader(deps.secretStores, orgId) : undefined,
    log,
    persist: () => Promise.resolve(),
    timings,
    resumed: progress.phases.length > 0,
    current: undefined,
  };
  run.persist = createPersistenceBatcher({
    store: deps.store,
    deployments: deps.deployments,
    ref,
    guard: control.guard,
    ...(control.work ? { work: control.work } : {}),
    progress: () => run.progress,
    log,
    onCommitted: (changes) => {
      run.deployment = { ...run.deployment, ...changes };
    },
  }).persist;

  try {
    if (run.deployment.status === 'pending') {
      log.add('read', 'info', run.resumed ? 'deployment resumed' : 'deployment started');
      await run.persist(undefined, { status: 'in progress', status_changed_at: nowIso() });
    } else {
      log.add(progress.phases.at(-1)?.name ?? 'read', 'warn', 'deployment resumed by another worker after its previous worker stopped');
    }
    const { set, valueSet } = await readPhase(run);
    for (const v of Object.values(valueSet.values)) if (v.secret) collectStrings(v.value, secrets);
    const matched = await matchPhase(run, set);
    const results = await provisionPhase(run, set, matched);
    const output = await renderPhase(run, matched.graph, set, valueSet, results);
    await deployPhase(run, matched.graph, results, output);
    await succeed(run);
    return { status: 'succeeded', timings };
  } catch (error) {
    if (error instanceof LeaseLost) throw error;
    await fail(run, error);
    return { status: 'failed', timings };
  }
}

/** The set a deployment (or a plan) deploys, the deployment it builds on, and the value set version it pins. */
export async function readDeploymentSet(
  deps: Pick<PipelineDeps, 'deployments' | 'sets' | 'values'>,
  request: { orgId: string; appId: string; envId: string; deltaId: string | null; setId: string; valueSetVersionId: string | null },
): Promise<{ set: DeploymentSet; valueSet: PinnedValueSet; base: DeploymentRow | undefined; baseSetId: string }> {
  const { orgId, appId, envId } = request;
  const state = await deps.deployments.getEnvState(orgId, appId, envId);
  const base = state?.from_deploy_id ? await deps.deployments.get(orgId, appId, state.from_deploy_id) : undefined;
  const explicitSet = request.deltaId === null && request.setId !== '';
  const baseSetId = explicitSet ? request.setId : base?.set_id || EMPTY_SET_ID;
  const baseSet = await deps.sets.load(orgId, appId, baseSetId);
  const set = request.deltaId !== null ? applyDelta(baseSet, await deps.sets.delta(orgId, appId, request.deltaId)) : baseSet;
  // A deployment without a delta redeploys its base: same set, same value set version (rollback, clone).
  // Value set versions belong to one env, so a clone from another env takes this env's current values.
  const reuseVersion = request.deltaId === null && !explicitSet && base?.env_id === envId;
  const versionId = request.valueSetVersionId ?? (reuseVersion ? (base.value_set_version_id ?? undefined) : undefined);
  const valueSet = await deps.values.valueSetFor(orgId, appId, envId, versionId ?? undefined);
  return { set, valueSet, base, baseSetId };
}

export interface EnvironmentContext {
  orgId: string;
  appId: string;
  envId: string;
  envType: string;
}

export async function environmentContext(store: Store, orgId: string, appId: string, envId: string): Promise<EnvironmentContext> {
  const env = await createEnvsRepo(store.db).get(orgId, appId, envId);
  if (!env) throw new DeploymentFailed([{ scope: 'environment', object_id: envId, code: 'ENV-001', summary: 'Environment not found', message: `environment "${envId}" no longer exists`, error_type: 'EnvironmentError' }]);
  return { orgId, appId, envId, envType: env.type };
}

/** The resource graph of `set`; a `DeploymentFailed` listing every unmatched resource (or the cycle) otherwise. */
export function matchGraph(set: DeploymentSet, context: EnvironmentContext, definitions: ResourceDefinition[], types: ResourceTypeRegistry, pins?: ReadonlyMap<string, ResourceDefinition>): ResourceGraph {
  try {
    return buildResourceGraph({ set, context, definitions: definitions.map(withImplicitDriverInputs), types, ...(pins && pins.size > 0 ? { pins } : {}) });
  } catch (error) {
    throw new DeploymentFailed(matchErrors(error, set, definitions, context));
  }
}

/** The env's namespace: the `k8s-namespace` resource's output, else `<app>-<env>`. */
export function envNamespace(graph: ResourceGraph, results: ReadonlyMap<string, NodeResult>, appId: string, envId: string): string {
  const namespaceNode = graph.nodes.find((n) => n.type === 'k8s-namespace' && n.resId === 'k8s-namespace');
  const namespaceOutput = results.get(namespaceNode?.guresid ?? '')?.values.namespace;
  return typeof namespaceOutput === 'string' && namespaceOutput !== '' ? namespaceOutput : `${appId}-${envId}`;
}

/** The deployment target the matched `k8s-cluster` resource names. */
export function resolveClusterTarget(deps: Pick<PipelineDeps, 'resolveTarget'>, graph: ResourceGraph, results: ReadonlyMap<string, NodeResult>): Target {
  const clusterNode = graph.nodes.find((n) => n.type === 'k8s-cluster' && n.resId === 'k8s-cluster');
  const cluster = results.get(clusterNode?.guresid ?? '');
  try {
    return deps.resolveTarget({ driverType: clusterNode?.driverType ?? 'baton/gitops', values: cluster?.values ?? {}, secrets: cluster?.secrets ?? {} });
  } catch (error) {
    throw new DeploymentFailed([{ scope: 'resource', object_id: 'k8s-cluster', code: 'DEP-002', summary: 'No deployment target', message: messageOf(error), error_type: 'TargetError' }]);
  }
}


function driverError(node: GraphNode, error: unknown): DeploymentError {
  const driverMessage = messageOf(error);
  return {
    scope: 'resource',
    object_id: node.resId,
    code: error instanceof DriverFailed ? 'DRV-001' : 'RES-001',
    summary: `Provisioning ${node.descriptor} failed`,
    message: `resource ${node.descriptor} (definition "${node.definition.id}", driver "${node.driverType}"): ${driverMessage}`,
    error_type: error instanceof DriverFailed ? 'DriverError' : 'ResourceError',
  };
}

/** One error per unmatched resource of the set (not only the first the graph builder met), or the cycle. */
function matchErrors(error: unknown, set: DeploymentSet, definitions: readonly ResourceDefinition[], context: { appId: string; envId: string; envType: string }): DeploymentError[] {
  if (!(error instanceof NoMatchingDefinition)) {
    const message = messageOf(error);
    const isCycle = /cycle/.test(message);
    return [{ scope: 'deployment', object_id: '', code: isCycle ? 'GRAPH-002' : 'GRAPH-001', summary: isCycle ? 'Resource graph has a cycle' : 'Resource graph could not be built', message, error_type: 'ResourceGraphError' }];
  }
  const matcher = createMatcher(definitions);
  const wanted: { type: string; class?: string; resId: string }[] = [];
  for (const [name, r] of Object.entries(set.shared)) wanted.push({ type: r.type, ...(r.class ? { class: r.class } : {}), resId: `shared.${name}` });
  for (const [w, m] of Object.entries(set.modules)) {
    wanted.push({ type: 'workload', resId: `modules.${w}` });
    for (const [name, r] of Object.entries(m.externals)) wanted.push({ type: r.type, ...(r.class ? { class: r.class } : {}), resId: `modules.${w}.externals.${name}` });
  }
  const errors: DeploymentError[] = [];
  for (const resource of wanted) {
    if (matcher.tryMatch(resource, context)) continue;
    const descriptor = `${resource.type}.${resource.class ?? 'default'}#${resource.resId}`;
    errors.push({ scope: 'resource', object_id: resource.resId, code: 'MATCH-001', summary: `No resource definition matches ${descriptor}`, message: `no resource definition matches ${descriptor} in env "${context.envId}" (type "${context.envType}")`, error_type: 'ResourceMatchError' });
  }
  if (errors.length === 0) {
    const details = error.details;
    errors.push({ scope: 'resource', object_id: typeof details.res_id === 'string' ? details.res_id : '', code: 'MATCH-001', summary: 'No matching resource definition', message: error.message, error_type: 'ResourceMatchError' });
  }
  return errors;
}

/**
 * Deprovisions an active resource with the driver of the definition that made it, using the inputs it was
 * provisioned with (see src/engine/resource-inputs.ts; rows from before migration 0008 fall back to the
 * definition's current inputs).
 */
export async function deprovisionOld(
  deps: Pick<PipelineDeps, 'definitions' | 'driver' | 'box' | 'driverTimeoutMs'>,
  row: ActiveResourceRow,
  context: { orgId: string; appId: string; envId: string; envType: string },
  signal: AbortSignal | undefined,
  log: DeploymentLog | undefined,
): Promise<void> {
  await deprovisionActiveResource(deps, row, context, signal, log);
}
