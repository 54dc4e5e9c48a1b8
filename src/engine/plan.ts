/**
 * Plans: what a deployment would do, computed without doing it. The plan runs the pipeline's read and match steps
 * as a deployment would (`readDeploymentSet`, `matchGraph`), then walks the graph like the create step but only
 * calls drivers that have no side effects (echo, template and the cluster drivers, which merely describe where
 * manifests go). Other drivers are reported as "will provision": their outputs are the active resource's
 * (when the same definition provisioned it before) or unknown. Workloads are rendered with the org's profiles and
 * the resulting objects are diffed against what the target last received.
 *
 * Side effects: none on resources, drivers or targets. The plan itself is stored (table `plans`) so a deployment
 * can name it (`plan_id`) and be refused when the environment moved on since.
 */
import { randomBytes } from 'node:crypto';
import type { DriverManifest, JsonObject } from '../drivers/contract.js';
import { contentHash } from '../profiles/index.js';
import { nodeByGuresid } from '../resources/index.js';
import type { GraphNode, ResourceGraph } from '../resources/index.js';
import { EMPTY_SET_ID, diffSets, setId as setIdOf } from '../sets/index.js';
import type { Delta } from '../sets/index.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { redactSecrets } from './applied-manifests.js';
import { BatonError, InvalidInput } from '../shared/errors.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import { diffObjects } from '../targets/index.js';
import { desiredObjects, objectKey } from '../targets/objects.js';
import type { K8sObject } from '../targets/types.js';
import type { PipelineDeps, Progress } from './pipeline.js';
import {
  DeploymentFailed,
  activeResourceAad,
  deploymentAad,
  envNamespace,
  environmentContext,
  matchGraph,
  readDeploymentSet,
  resolveClusterTarget,
} from './pipeline.js';
import type { PlanRow, PlansRepo } from '../store/plans-repo.js';
import { renderWorkloads, targetManifests, withPullSecrets, type NodeResult, type RenderedWorkload } from './workloads.js';
import { accountOf, graphLevels, resolveInputs, runNodeDriver, storeSecretsOf, withStoreSecrets } from './provision.js';
import { createSecretReader } from '../secrets/stores/resolve.js';
import type { NodeCall } from './provision.js';

/** Drivers a plan may run: they compute outputs from their inputs and touch nothing. */
const SIDE_EFFECT_FREE_DRIVERS: ReadonlySet<string> = new Set(['humanitec/echo', 'humanitec/template', 'baton/gitops', 'baton/directory', 'baton/kubernetes']);

/** Stands for the deployment id in placeholders (`${context.deploy.id}`) while planning. */
const PLAN_DEPLOY_ID = 'planned-deployment';

/** Marks a value that only a driver run at deploy time will know. */
const UNKNOWN_PREFIX = '(known after deploy: ';
function unknownMarker(descriptor: string, key: string): string {
  return `${UNKNOWN_PREFIX}${descriptor} ${key})`;
}

/**
 * Outputs of a resource whose driver does not run during a plan. The placeholder resolver looks outputs up by
 * own-property checks, so a proxy that answers every key with a marker lets everything that merely passes an
 * output along still render; objects carrying a marker are flagged, and what cannot render is reported.
 */
function unknownOutputs(descriptor: string): JsonObject {
  return new Proxy<JsonObject>({}, {
    get: (_target, key) => (typeof key === 'string' ? unknownMarker(descriptor, key) : undefined),
    has: (_target, key) => typeof key === 'string',
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' ? { value: unknownMarker(descriptor, key), writable: false, enumerable: true, configurable: true } : undefined,
  });
}

function mentionsUnknown(value: unknown): boolean {
  return JSON.stringify(value).includes(UNKNOWN_PREFIX);
}

export interface PlanRequest {
  delta_id?: string | undefined;
  set_id?: string | undefined;
  value_set_version_id?: string | null | undefined;
  comment?: string | undefined;
}

/** `create` (new), `update` (same definition, driver runs again), `reprovision` (definition changed), `unchanged`. */
export type ResourceAction = 'create' | 'update' | 'reprovision' | 'unchanged';

export interface PlannedResource {
  gu_res_id: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  /** The definition version it would be provisioned with: the active one, or the version the resource is pinned to. */
  def_version_id: string;
  driver_type: string;
  depends_on: string[];
  action: ResourceAction;
  /** The definition that provisioned the active resource, when it differs (`reprovision`). */
  previous_def_id?: string;
  /** The driver ran during the plan (it has no side effects). */
  rendered: boolean;
  /** The driver has side effects: it runs only when deploying. */
  will_provision: boolean;
  /** Every output is known (rendered now, or taken from the active resource). */
  outputs_known: boolean;
}

export interface PlannedObject {
  key: string;
  /** `contentHash` (deployment id and hash annotations left out): equal hashes, equal objects. */
  hash: string;
  workload?: string;
  /** A value in it comes from a resource whose outputs only the deployment will know. */
  depends_on_unknown_outputs: boolean;
}

export interface PlanView {
  id: string;
  env_id: string;
  created_at: string;
  created_by: string;
  /** The env's current deployment (what this plan builds on) and its latest one, at planning time. */
  from_deploy_id?: string;
  last_deploy_id?: string;
  base_set_id: string;
  set_id: string;
  set_diff: Delta;
  resources: PlannedResource[];
  /** Active resources the new set no longer needs: kept, but marked orphaned. */
  orphaned: { gu_res_id: string; type: string; class: string; res_id: string; def_id: string }[];
  objects: PlannedObject[];
  /** Against what the target last received. Secret data is shown as hashes, never as values. */
  manifests: {
    added: { key: string; object: K8sObject }[];
    changed: { key: string; diff: string }[];
    removed: { key: string }[];
    unchanged: string[];
  };
  /** Workloads that cannot be rendered before their resources exist, and why. */
  unresolved_workloads: { workload: string; message: string }[];
  /** What the deployment would go on with but a person should know (an unset environment value in a variable). */
  warnings: string[];
}

export interface PlanDeps extends PipelineDeps {
  plans: PlansRepo;
}

/** The ids of nodes `node` depends on, transitively. */
function ancestorsOf(graph: ResourceGraph, node: GraphNode): Set<string> {
  const seen = new Set<string>();
  const stack = [...node.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    // The graph's own index: a map built per call made planning quadratic in the graph's size.
    stack.push(...(nodeByGuresid(graph, id)?.dependsOn ?? []));
  }
  return seen;
}

export function newPlanId(): string {
  return `plan-${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
}

/** Plans a deployment of `request` to the env and stores the plan. `InvalidInput` when the deployment would fail. */
export async function createPlan(
  deps: PlanDeps,
  ref: { orgId: string; appId: string; envId: string; actor: string },
  request: PlanRequest,
): Promise<PlanView> {
  const { orgId, appId, envId } = ref;
  const state = await deps.deployments.getEnvState(orgId, appId, envId);
  const deltaId = request.delta_id ? request.delta_id : null;
  const { set, valueSet, baseSetId, base } = await readDeploymentSet(deps, {
    orgId,
    appId,
    envId,
    deltaId,
    setId: deltaId === null && request.set_id ? request.set_id : '',
    valueSetVersionId: request.value_set_version_id ?? null,
  });
  const newSetId = setIdOf(set);
  // The set diff is from what the env runs now (its from_deploy's set), also when the request names a set (redeploy).
  const currentSet = await deps.sets.load(orgId, appId, base?.set_id || EMPTY_SET_ID);

  const types = await deps.types(orgId);
  let graph: ResourceGraph;
  try {
    const context = await environmentContext(deps.store, orgId, appId, envId);
    graph = matchGraph(set, context, await deps.definitions(orgId), types, await deps.pins?.(orgId, appId, envId));
  } catch (error) {
    if (error instanceof DeploymentFailed) throw new InvalidInput(`the deployment would fail: ${error.errors.map((e) => e.message).join('; ')}`, { errors: error.errors });
    throw error;
  }
  const context = { orgId, appId, envId, envType: graph.context.envType };

  // Walk the graph as the create step does, running only side-effect-free drivers.
  const existing = new Map((await deps.activeResources.listByEnv(orgId, appId, envId)).map((row) => [row.guresid, row]));
  const previousManifests = new Map<string, DriverManifest[]>();
  const results = new Map<string, NodeResult>();
  const unknown = new Set<string>();
  const resources: PlannedResource[] = [];
  const openSecrets = (sealed: string | null, aad: string): JsonObject => {
    if (sealed === null) return {};
    const opened = deps.box.open(sealed, aad);
    return typeof opened === 'object' && opened !== null ? (opened as JsonObject) : {};
  };
  /** The driver manifests the active resource's last provisioning produced (kept sealed in that deployment's progress). */
  const manifestsOf = async (deployId: string, guresid: string): Promise<DriverManifest[]> => {
    if (!previousManifests.has(`${deployId}/${guresid}`)) {
      const row = await deps.deployments.get(orgId, appId, deployId);
      const sealed = fromJsonText<Progress>(row?.progress ?? null)?.manifests[guresid];
      previousManifests.set(`${deployId}/${guresid}`, sealed ? (deps.box.open(sealed, deploymentAad(orgId, appId, deployId)) as DriverManifest[]) : []);
    }
    return previousManifests.get(`${deployId}/${guresid}`)!;
  };

  // The same walk as the deployment's create step (src/engine/provision.ts), side-effect-free drivers only.
  const call: NodeCall = { deps, graph, types, context, deployId: PLAN_DEPLOY_ID, setId: newSetId, set, log: () => undefined };
  const readSecret = deps.secretStores ? createSecretReader(deps.secretStores, orgId) : undefined;
  for (const level of graphLevels(graph)) {
    for (const node of level) {
      const row = existing.get(node.guresid);
      const sameDefinition = row !== undefined && row.def_id === node.definition.id;
      const driver = await deps.driver(orgId, node.driverType);
      const pure = SIDE_EFFECT_FREE_DRIVERS.has(driver.id);
      const dependsOnUnknown = [...ancestorsOf(graph, node)].some((id) => unknown.has(id));
      let result: NodeResult;
      let known = true;
      let action: ResourceAction = row === undefined ? 'create' : sameDefinition ? 'update' : 'reprovision';
      if (pure) {
        try {
          const cookie = sameDefinition && row.cookie_sealed !== null ? deps.box.open(row.cookie_sealed, activeResourceAad(orgId, appId, envId, node.guresid, 'cookie')) : undefined;
          const inputs = withStoreSecrets(resolveInputs(call, node, results), await storeSecretsOf(readSecret, node));
          result = await runNodeDriver({ ...call, ...(cookie !== undefined ? { cookie } : {}) }, node, inputs, await accountOf(deps, orgId, node, inputs));
          known = !mentionsUnknown(result);
        } catch (error) {
          if (!dependsOnUnknown) throw new InvalidInput(`the deployment would fail: resource ${node.descriptor}: ${error instanceof Error ? error.message : String(error)}`, { resource: node.resId });
          result = { values: unknownOutputs(node.descriptor), secrets: {}, manifests: [] };
          known = false;
        }
        if (sameDefinition && known) {
          const before = { values: fromJsonText<JsonObject>(row.resource) ?? {}, secrets: openSecrets(row.secrets_sealed, activeResourceAad(orgId, appId, envId, node.guresid, 'secrets')) };
          if (canonicalJson(before) === canonicalJson({ values: result.values, secrets: result.secrets })) action = 'unchanged';
        }
      } else if (sameDefinition) {
        // The driver runs again when deploying (drivers are idempotent); until then its last outputs stand in.
        result = {
          values: fromJsonText<JsonObject>(row.resource) ?? {},
          secrets: openSecrets(row.secrets_sealed, activeResourceAad(orgId, appId, envId, node.guresid, 'secrets')),
          manifests: await manifestsOf(row.deploy_id, node.guresid),
        };
      } else {
        result = { values: unknownOutputs(node.descriptor), secrets: {}, manifests: [] };
        known = false;
      }
      if (!known) unknown.add(node.guresid);
      results.set(node.guresid, result);
      resources.push({
        gu_res_id: node.guresid,
        type: node.type,
        class: node.class,
        res_id: node.resId,
        def_id: node.definition.id,
        def_version_id: node.definition.versionId ?? '',
        driver_type: node.driverType,
        depends_on: [...node.dependsOn],
        action,
        ...(row !== undefined && !sameDefinition ? { previous_def_id: row.def_id } : {}),
        rendered: pure,
        will_provision: !pure,
        outputs_known: known,
      });
    }
  }

  const inGraph = new Set(graph.order);
  const links = await deps.deployments.listLinks(orgId, appId, envId);
  const orphaned = links
    .filter((link) => !inGraph.has(link.guresid) && link.orphaned === 0)
    .flatMap((link) => {
      const row = existing.get(link.guresid);
      return row ? [{ gu_res_id: row.guresid, type: row.type, class: row.class, res_id: row.res_id, def_id: row.def_id }] : [];
    });

  // Workloads, one at a time so one that needs unknown outputs does not hide the others.
  const namespace = envNamespace(graph, results, appId, envId);
  const profiles = await deps.profiles(orgId);
  const rendered: RenderedWorkload[] = [];
  const unresolved: PlanView['unresolved_workloads'] = [];
  for (const workloadId of Object.keys(set.modules).sort()) {
    try {
      rendered.push(...(await renderWorkloads({ graph, set, only: [workloadId], results, values: valueSet, deployId: PLAN_DEPLOY_ID, setId: newSetId, namespace, profiles, hasher: deps.manifestHasher })));
    } catch (error) {
      if (!(error instanceof BatonError)) throw error;
      const node = graph.nodes.find((n) => n.type === 'workload' && n.resId === `modules.${workloadId}`);
      const needsUnknown = node !== undefined && [node.guresid, ...ancestorsOf(graph, node)].some((id) => unknown.has(id));
      if (!needsUnknown) throw new InvalidInput(`the deployment would fail: ${error.message.startsWith(`workload "${workloadId}"`) ? error.message : `workload "${workloadId}": ${error.message}`}`, { workload: workloadId });
      unresolved.push({ workload: workloadId, message: `depends on outputs known only after deploying: ${error.message}` });
    }
  }

  // The registries' pull secrets, as the deployment adds them (src/engine/pipeline.ts renderPhase).
  const pull = withPullSecrets(rendered, (await deps.registries?.(orgId)) ?? [], { orgId, appId, envId, namespace, hasher: deps.manifestHasher });
  rendered.splice(0, rendered.length, ...pull.rendered);
  const target = resolveClusterTarget(deps, graph, results);
  const next = desiredObjects({
    deploymentId: PLAN_DEPLOY_ID,
    appId,
    envId,
    namespace,
    objects: [...targetManifests(results, namespace), ...pull.secrets, ...rendered.flatMap((w) => w.objects)],
  });
  // Objects of workloads that cannot be rendered yet are neither shown as removed nor as unchanged.
  const unresolvedIds = new Set(unresolved.map((u) => u.workload));
  const previous = (await target.lastApplied(appId, envId)).filter((o) => !unresolvedIds.has(o.metadata.labels?.['baton.dev/workload'] ?? ''));
  const redact = (o: K8sObject) => redactSecrets(o, deps.manifestHasher);
  const diff = diffObjects(previous.map(redact), next.map(redact));
  const workloadOf = new Map(rendered.flatMap((w) => w.objects.map((o) => [objectKey(o), w.workloadId] as const)));
  const objects: PlannedObject[] = next.map((object) => {
    const key = objectKey(object);
    const workload = workloadOf.get(key);
    return { key, hash: contentHash(object, deps.manifestHasher), ...(workload !== undefined ? { workload } : {}), depends_on_unknown_outputs: mentionsUnknown(object) };
  });

  const plan: PlanView = {
    id: newPlanId(),
    env_id: envId,
    created_at: nowIso(),
    created_by: ref.actor,
    ...(state?.from_deploy_id ? { from_deploy_id: state.from_deploy_id } : {}),
    ...(state?.last_deploy_id ? { last_deploy_id: state.last_deploy_id } : {}),
    base_set_id: baseSetId,
    set_id: newSetId,
    set_diff: diffSets(currentSet, set),
    resources,
    orphaned,
    objects,
    manifests: {
      added: diff.added.map((a) => ({ key: a.key, object: a.object })),
      changed: diff.changed.map((c) => ({ key: c.key, diff: c.diff })),
      removed: diff.removed.map((r) => ({ key: r.key })),
      unchanged: diff.unchanged,
    },
    unresolved_workloads: unresolved,
    warnings: [...rendered.flatMap((w) => w.warnings ?? []), ...pull.warnings],
  };
  const row: PlanRow = {
    org_id: orgId,
    app_id: appId,
    env_id: envId,
    id: plan.id,
    from_deploy_id: state?.from_deploy_id ?? null,
    last_deploy_id: state?.last_deploy_id ?? null,
    set_id: newSetId,
    request: toJsonText({ ...(deltaId !== null ? { delta_id: deltaId } : {}), ...(deltaId === null && request.set_id ? { set_id: request.set_id } : {}), ...(request.value_set_version_id ? { value_set_version_id: request.value_set_version_id } : {}) }),
    object_hashes: toJsonText(Object.fromEntries(objects.map((o) => [o.key, o.hash]))),
    plan: toJsonText(plan),
    created_at: plan.created_at,
    created_by: ref.actor,
  };
  await deps.plans.insert(row);
  return plan;
}
