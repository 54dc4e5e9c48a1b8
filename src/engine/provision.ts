/**
 * The provisioning walk shared by deployments and plans: graph levels in order, and for one node, its inputs
 * resolved from the outputs so far and its driver called with the same deadline and the same outputs check
 * against its resource type. A deployment runs every node this way; a plan (the dry run) runs the drivers
 * without side effects this way and stands in for the others (src/engine/plan.ts).
 */
import { MAX_DRIVER_RESULT_CHARS } from '../drivers/contract.js';
import type { DriverLog, JsonObject, ProvisionResult } from '../drivers/contract.js';
import { splitDeadline } from '../drivers/deadline.js';
import { callDriver } from '../drivers/registry.js';
import type { OutputsValidator } from '../drivers/registry.js';
import { checkOutputs, resolveNodeInputs } from '../resources/index.js';
import { DriverFailed, SecretStoreFailed } from '../shared/errors.js';
import type { GraphNode, ResolvedNodeInputs, ResourceGraph, ResourceTypeRegistry } from '../resources/index.js';
import { mergeSecrets, resolveSecretRefs } from '../secrets/stores/resolve.js';
import type { SecretReader } from '../secrets/stores/resolve.js';
import type { PipelineDeps } from './pipeline.js';
import type { AccountCredentials, ResolvedAccount } from './types.js';
import type { DeploymentSet } from '../sets/index.js';
import { workloadResourceInputs, type NodeResult } from './workloads.js';

/** Checks a driver's outputs against its resource type's outputs schema: the same check for deploys and plans. */
export function outputsValidator(types: ResourceTypeRegistry): OutputsValidator {
  return (type, out) => {
    const resourceType = types.get(type);
    return resourceType ? checkOutputs(resourceType, out) : [];
  };
}

/** The nodes of each graph level, in provisioning order. */
export function graphLevels(graph: ResourceGraph): GraphNode[][] {
  const byId = new Map(graph.nodes.map((n) => [n.guresid, n]));
  return graph.levels.map((level) => level.map((id) => byId.get(id)!));
}

export interface NodeCall {
  deps: Pick<PipelineDeps, 'driver' | 'driverTimeoutMs'>;
  graph: ResourceGraph;
  types: ResourceTypeRegistry;
  context: { orgId: string; appId: string; envId: string; envType: string };
  deployId: string;
  setId: string;
  cookie?: unknown;
  signal?: AbortSignal;
  log: DriverLog;
  /** The set being deployed: a `workload` node's `.resource` is its module (id, profile, spec). */
  set?: DeploymentSet;
}

/** The node's inputs resolved from the outputs provisioned so far (throws naming an unresolved placeholder). */
export function resolveInputs(call: Pick<NodeCall, 'graph' | 'deployId' | 'setId' | 'set'>, node: GraphNode, results: ReadonlyMap<string, NodeResult>): ResolvedNodeInputs {
  // The results map is read as it is (copying it per node made a deployment quadratic in its resources).
  const resolved = resolveNodeInputs(call.graph, node, results, { deployId: call.deployId, setId: call.setId });
  const workload = call.set ? workloadResourceInputs(call.set, node) : undefined;
  return workload ? { ...resolved, params: { ...resolved.params, ...workload } } : resolved;
}

/**
 * The node's definition's external `secret_refs` read from their stores (a `{}` when it has none), at the paths of
 * the driver's `secrets`. Read at every provisioning, so a value rotated in the store reaches the next deployment.
 */
export async function storeSecretsOf(read: SecretReader | undefined, node: GraphNode): Promise<JsonObject> {
  const refs = node.driverInputs.secret_refs;
  if (refs === undefined || Object.keys(refs).length === 0) return {};
  const where = `definition "${node.definition.id}" driver_inputs.secret_refs`;
  if (!read) throw new SecretStoreFailed(`${where}: this Baton reads no secret stores`, { definition: node.definition.id });
  return resolveSecretRefs(refs, read, where);
}

/**
 * `inputs` with the store secrets laid over the driver's `secrets` after placeholders were resolved: a value read
 * from a store is handed over as it is, never parsed for `${…}`.
 */
export function withStoreSecrets(inputs: ResolvedNodeInputs, storeSecrets: JsonObject): ResolvedNodeInputs {
  if (Object.keys(storeSecrets).length === 0) return inputs;
  return { ...inputs, driver: { ...inputs.driver, secrets: mergeSecrets(inputs.driver.secrets, storeSecrets) } };
}

/**
 * The credentials of the node's resolved `driver_account`, opened from the org's resource accounts (undefined when the
 * definition names none). Read at every provisioning, so rotated credentials reach the next deployment. The caller
 * adds them to the strings it masks; they go to the driver as `account` only, never into the sealed inputs.
 */
export async function accountOf(deps: { accountCredentials?: AccountCredentials | undefined }, orgId: string, node: GraphNode, inputs: ResolvedNodeInputs): Promise<ResolvedAccount | undefined> {
  if (inputs.account === undefined) return undefined;
  if (!deps.accountCredentials) throw new DriverFailed(`definition "${node.definition.id}" names driver_account "${inputs.account}", but this Baton reads no resource accounts`, { definition: node.definition.id });
  return deps.accountCredentials(orgId, inputs.account);
}

/**
 * Throws a non-retryable DriverFailed naming the definition and resource when `result` is over
 * MAX_DRIVER_RESULT_CHARS: it is stored with the active resource and returned by later reads, so a runaway driver
 * must not write a huge row (docs/internals/engine.md).
 */
export function checkResultSize(node: GraphNode, result: ProvisionResult): void {
  const size = JSON.stringify(result).length;
  if (size > MAX_DRIVER_RESULT_CHARS) {
    throw new DriverFailed(
      `definition "${node.definition.id}" (driver "${node.driverType}") returned ${size} characters of outputs, manifests and cookie for ${node.resId}, more than the limit of ${MAX_DRIVER_RESULT_CHARS}`,
      { definition: node.definition.id, driver: node.driverType, resId: node.resId, size, limit: MAX_DRIVER_RESULT_CHARS },
    );
  }
}

/** Calls the node's driver with its resolved inputs; outputs are checked against the resource type and in size. */
export async function runNodeDriver(call: NodeCall, node: GraphNode, inputs: ResolvedNodeInputs, account?: ResolvedAccount): Promise<ProvisionResult> {
  const result = await callNodeDriver(call, node, inputs, account);
  checkResultSize(node, result);
  return result;
}

async function callNodeDriver(call: NodeCall, node: GraphNode, inputs: ResolvedNodeInputs, account: ResolvedAccount | undefined): Promise<ProvisionResult> {
  const driver = await call.deps.driver(call.context.orgId, node.driverType);
  // Humanitec's rule: the driver must support the account's type (custom drivers list theirs in `account_types`).
  if (account !== undefined && driver.accountTypes !== undefined && driver.accountTypes.length > 0 && !driver.accountTypes.includes(account.type)) {
    throw new DriverFailed(
      `definition "${node.definition.id}": driver "${node.driverType}" accepts accounts of type ${driver.accountTypes.map((t) => `"${t}"`).join(', ')}; driver_account "${account.id}" is of type "${account.type}"`,
      { definition: node.definition.id, driver: node.driverType, account: account.id },
    );
  }
  // The definition's own deadline (`baton_timeout_seconds`) wins over the global one and is not sent to the driver.
  const { values, timeoutMs } = splitDeadline(inputs.driver.values, call.deps.driverTimeoutMs);
  return callDriver(
    driver,
    {
      guresid: node.guresid,
      type: node.type,
      class: node.class,
      resId: node.resId,
      resource: inputs.params,
      driver: { ...inputs.driver, values },
      ...(account !== undefined ? { account: account.credentials } : {}),
      ...(call.cookie !== undefined ? { cookie: call.cookie } : {}),
      context: { ...call.context, deployId: call.deployId },
      ...(call.signal ? { signal: call.signal } : {}),
      log: call.log,
    },
    { timeoutMs, validateOutputs: outputsValidator(call.types) },
  );
}
