/**
 * The create phase's second half, for workloads: apply the `workload` resource's `update` patches, resolve the
 * module's placeholders (`externals`, `shared`, `values`, `modules`, `context`, `resources`; not in containers'
 * `command`/`args`), turn secret-tainted strings into `SecretString`s, gather the manifests its resources inject,
 * and render it with its profile. Pure apart from the profile call.
 */
import type { DriverManifest, JsonObject } from '../drivers/contract.js';
import { SecretString, attachPullSecrets, dockerConfigJson, renderPullSecret, renderWorkload } from '../profiles/index.js';
import type { InjectedManifest, K8sObject, ProfileRegistry, PullRegistry, PullSecretContext, ResolvedObject, ResolvedValue } from '../profiles/index.js';
import { createPlaceholderScope, findNode, findPlaceholders, nodeByGuresid, resolvePlaceholders, restoreVerbatimFields, withoutVerbatimFields } from '../resources/index.js';
import type { GraphNode, PlaceholderScope, ProvisionedOutputs, ResourceGraph } from '../resources/index.js';
import type { DeploymentSet, Module } from '../sets/index.js';
import { InvalidInput } from '../shared/errors.js';
import { closestName } from '../shared/suggest.js';
import { pointerSegments } from '../shared/safe-path.js';
import type { KeyedHasher } from '../shared/keyed-hash.js';
import type { PinnedValueSet } from './types.js';
import { applyWorkloadUpdate } from './workload-patch.js';

export interface NodeResult {
  values: JsonObject;
  secrets: JsonObject;
  manifests: DriverManifest[];
}

export interface RenderedWorkload {
  workloadId: string;
  when: 'before' | 'deploy' | 'after';
  /** `deploy.success`: `available` asks the target to wait for the rollout (targets that can observe it). */
  success: 'deploy' | 'available' | 'complete';
  /** `deploy.timeout` in seconds, when given. */
  timeoutSeconds?: number;
  objects: K8sObject[];
  /** Things the deployment goes on with but a person should know (an unset environment value in a variable). */
  warnings?: string[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPath(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** An output of a provisioned node: values first, then secrets (marked secret). */
function outputAt(result: { values: JsonObject; secrets: JsonObject } | undefined, path: readonly string[], placeholder: string): { value: unknown; secret: boolean } | undefined {
  if (!result) return undefined;
  if (path.length === 0) return { value: { ...result.values }, secret: false };
  const plain = readPath(result.values, path);
  if (plain !== undefined) return { value: plain, secret: false };
  const secret = readPath(result.secrets, path);
  if (secret !== undefined) return { value: secret, secret: true };
  const [first] = path;
  const known = [...Object.keys(result.values), ...Object.keys(result.secrets)];
  if (first !== undefined && !known.includes(first)) {
    // A mistyped output (`${resources.db.hots}`): name the outputs the resource has, and the one meant.
    const meant = first.length <= 64 ? closestName(first, known) : undefined;
    throw new InvalidInput(
      `placeholder "\${${placeholder}}": the resource has no output "${first}"${meant ? ` (did you mean "${meant}"?)` : ''}; its outputs: ${known.sort().join(', ') || 'none'}`,
      { placeholder, output: first },
    );
  }
  return undefined;
}

/**
 * Score's `environment` resource in container variables, deferred as score-compose defers it to the container
 * runtime: a `${values.X}` the environment does not set becomes an empty string there, with a warning, instead
 * of failing the deployment. Anywhere else (files, other fields) an unset value stays an error. Returns the spec
 * with those placeholders removed and one warning per variable.
 */
export function deferUnsetVariableValues(spec: unknown, values: PinnedValueSet['values'], workloadId: string): { spec: unknown; warnings: string[] } {
  const containers = isObject(spec) && isObject(spec.containers) ? spec.containers : undefined;
  if (!containers) return { spec, warnings: [] };
  const warnings: string[] = [];
  let copy: JsonObject | undefined;
  for (const [containerId, container] of Object.entries(containers)) {
    if (!isObject(container) || !isObject(container.variables)) continue;
    for (const [name, text] of Object.entries(container.variables)) {
      if (typeof text !== 'string' || !text.includes('${values.')) continue;
      const unset = findPlaceholders(text).flatMap(({ expression }) =>
        expression.kind === 'other' && expression.namespace === 'values' && expression.path.length === 1 && !Object.hasOwn(values, expression.path[0]!) ? [expression.text] : [],
      );
      if (unset.length === 0) continue;
      copy ??= structuredClone(spec) as JsonObject;
      const variables = ((copy.containers as JsonObject)[containerId] as JsonObject).variables as JsonObject;
      let replaced = text;
      for (const placeholder of unset) replaced = replaced.split(`\${${placeholder}}`).join('');
      variables[name] = replaced;
      warnings.push(
        `workload "${workloadId}": ${unset.map((p) => `\${${p}}`).join(', ')} at /containers/${containerId}/variables/${name} is not set in the environment's values; the variable gets an empty string (set the value to give it one)`,
      );
    }
  }
  return { spec: copy ?? spec, warnings };
}

function setAtPointer(root: unknown, pointer: string, make: (value: unknown) => unknown): unknown {
  if (pointer === '') return make(root);
  const tokens = pointerSegments(pointer);
  let node = root as Record<string, unknown>;
  for (let i = 0; i < tokens.length - 1; i++) node = node[tokens[i]!] as Record<string, unknown>;
  const last = tokens[tokens.length - 1]!;
  node[last] = make(node[last]);
  return root;
}

/** Strings at `pointers` become `SecretString`s (a whole secret object or list taints every string inside). */
function taint(value: unknown, pointers: readonly string[]): ResolvedValue {
  const wrap = (v: unknown): unknown => {
    if (typeof v === 'string') return new SecretString(v);
    if (Array.isArray(v)) return v.map(wrap);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wrap(x)]));
    return v;
  };
  let root = value;
  for (const pointer of pointers) root = setAtPointer(root, pointer, wrap);
  return root as ResolvedValue;
}

export interface WorkloadInputs {
  graph: ResourceGraph;
  set: DeploymentSet;
  results: ReadonlyMap<string, NodeResult>;
  values: PinnedValueSet;
  deployId: string;
  setId: string;
  namespace: string;
  /** Keys the config and content hashes of the rendered objects (ProfileContext.hasher). */
  hasher: KeyedHasher;
  /** The org's workload profiles (built-ins plus custom ones); the built-ins alone when absent. */
  profiles?: ProfileRegistry;
  /**
   * Render only these workloads (a plan renders one at a time so one that needs unknown outputs does not hide
   * the others). The whole set stays visible, so `${modules.<other>.service.name}` still resolves.
   */
  only?: readonly string[];
}

/** The placeholder scope of module `w`: the graph's scope plus the deployment-set namespaces. */
function workloadScope(inputs: WorkloadInputs, workloadId: string, workloadNode: GraphNode, outputs: ProvisionedOutputs): PlaceholderScope {
  const base = createPlaceholderScope(inputs.graph, workloadNode, outputs, { deployId: inputs.deployId, setId: inputs.setId });
  const module = inputs.set.modules[workloadId];
  const context = { ...base.context };
  delete context.res;
  return {
    ...base,
    context,
    other: (expression) => {
      const [name, ...rest] = expression.path;
      if (name === undefined) return undefined;
      switch (expression.namespace) {
        case 'values': {
          const entry = Object.hasOwn(inputs.values.values, name) ? inputs.values.values[name] : undefined;
          if (entry) return { value: entry.value, secret: entry.secret };
          if (rest.length > 0) return undefined;
          const meant = name.length <= 64 ? closestName(name, Object.keys(inputs.values.values)) : undefined;
          throw new InvalidInput(
            `placeholder "\${${expression.text}}": the value "${name}" is not set for this environment (neither an app nor an environment value)${meant ? ` (did you mean "${meant}"?)` : ''}`,
            { placeholder: expression.text, value: name },
          );
        }
        case 'externals': {
          const ref = module?.externals?.[name];
          if (!ref) return undefined;
          const node = findNode(inputs.graph, { type: ref.type, ...(ref.class ? { class: ref.class } : {}), resId: `modules.${workloadId}.externals.${name}` });
          return node ? outputAt(outputs.get(node.guresid), rest, expression.text) : undefined;
        }
        case 'shared': {
          const ref = inputs.set.shared[name];
          if (!ref) return undefined;
          const node = findNode(inputs.graph, { type: ref.type, ...(ref.class ? { class: ref.class } : {}), resId: `shared.${name}` });
          return node ? outputAt(outputs.get(node.guresid), rest, expression.text) : undefined;
        }
        case 'modules': {
          // `${modules.<w>.service.name}`: the in-cluster service name of another workload is its id.
          if (inputs.set.modules[name] === undefined) return undefined;
          return rest.join('.') === 'service.name' ? { value: name, secret: false } : undefined;
        }
        default:
          return undefined;
      }
    },
  };
}

/** The reference a module uses for a resource it depends on (what `volume_mounts[].id` names). */
function referenceFor(workloadId: string, node: GraphNode): string {
  const prefix = `modules.${workloadId}.`;
  if (node.resId.startsWith(prefix)) return node.resId.slice(prefix.length);
  if (node.resId.startsWith('shared.')) return node.resId;
  return `resources.${node.descriptor}`;
}

/** The asked workloads (all when `only` is absent) in id order; with `only`, the set's modules are not sorted. */
function workloadIdsToRender(inputs: WorkloadInputs): string[] {
  return inputs.only === undefined ? Object.keys(inputs.set.modules).sort() : [...new Set(inputs.only)].sort().filter((id) => Object.hasOwn(inputs.set.modules, id));
}

async function renderWorkloadsAsIs(inputs: WorkloadInputs): Promise<RenderedWorkload[]> {
  // Read as they are, and only the asked workloads looked at: a plan renders one workload per call, so a copy of
  // the results or a sort of every module per call made planning quadratic in the number of workloads.
  const outputs: ProvisionedOutputs = inputs.results;
  const rendered: RenderedWorkload[] = [];
  for (const workloadId of workloadIdsToRender(inputs)) {
    const module: Module = inputs.set.modules[workloadId]!;
    const node = findNode(inputs.graph, { type: 'workload', resId: `modules.${workloadId}` });
    if (!node) throw new InvalidInput(`workload "${workloadId}" has no node in the resource graph`, { workload: workloadId });
    const own = inputs.results.get(node.guresid);

    // 1. The workload resource's `update` patches, rooted at the module (`/spec/...`); `add` creates parents.
    let patched: { spec: unknown } = { spec: structuredClone(module.spec) };
    const update = own?.values.update;
    if (update !== undefined && update !== null) {
      if (!Array.isArray(update)) {
        throw new InvalidInput(`workload "${workloadId}": the "update" output of definition "${node.definition.id}" must be a list of JSON-patch operations`, { workload: workloadId, definition: node.definition.id });
      }
      patched = applyWorkloadUpdate(patched, update, { workload: workloadId, definition: node.definition.id });
    }

    // 2. Placeholders; secret-tainted strings become SecretStrings. Containers' command/args are not resolved
    //    (Humanitec resolves labels, variables and files; Score leaves command/args verbatim).
    const deferred = deferUnsetVariableValues(patched.spec, inputs.values.values, workloadId);
    patched = { spec: deferred.spec };
    let resolved: ReturnType<typeof resolvePlaceholders>;
    try {
      resolved = resolvePlaceholders(withoutVerbatimFields(patched.spec), workloadScope(inputs, workloadId, node, outputs));
    } catch (error) {
      // The deployment's errors name the workload a placeholder failed in (scope workload, object_id).
      if (error instanceof InvalidInput && error.details.workload === undefined) throw new InvalidInput(error.message, { ...error.details, workload: workloadId });
      throw error;
    }
    const spec = restoreVerbatimFields(taint(resolved.value, resolved.secretPaths), patched.spec) as ResolvedObject;

    // 3. Containers/volumes the workload's resources (and the workload resource itself) inject.
    const manifests: InjectedManifest[] = [];
    for (const dep of [node.guresid, ...node.dependsOn]) {
      const depNode = nodeByGuresid(inputs.graph, dep);
      const result = inputs.results.get(dep);
      if (!depNode || !result) continue;
      for (const manifest of result.manifests) {
        if (manifest.location === 'containers' || manifest.location === 'volumes') {
          manifests.push({ ...manifest, resource: dep === node.guresid ? `modules.${workloadId}` : referenceFor(workloadId, depNode) });
        }
      }
    }

    const objects = await renderWorkload({
      workloadId,
      module: { profile: module.profile, spec },
      context: { orgId: inputs.graph.context.orgId, appId: inputs.graph.context.appId, envId: inputs.graph.context.envId, deploymentId: inputs.deployId, namespace: inputs.namespace, hasher: inputs.hasher },
      manifests,
    }, inputs.profiles);
    rendered.push({
      workloadId,
      when: module.deploy?.when ?? 'deploy',
      success: module.deploy?.success ?? 'deploy',
      ...(module.deploy?.timeout !== undefined ? { timeoutSeconds: module.deploy.timeout } : {}),
      objects,
      ...(deferred.warnings.length > 0 ? { warnings: deferred.warnings } : {}),
    });
  }
  return rendered;
}

/**
 * Renders the set's workloads (or `only` those), one at a time, so that a failure names the workload it happened in
 * (issue #23: a promotion failed with `workload : Workload could not be rendered`, an empty workload name). Invalid
 * input (an unresolved placeholder, a bad patch, a profile refusing the spec) becomes `workload "w": ...` with
 * `details.workload`, which the deployment's error carries as its object id; a missing shared value also says
 * where it was looked for, since a value set in another environment only does not follow a promotion. Other errors
 * (a store outage, ...) pass unchanged.
 */
export async function renderWorkloads(inputs: WorkloadInputs): Promise<RenderedWorkload[]> {
  const rendered: RenderedWorkload[] = [];
  for (const workloadId of workloadIdsToRender(inputs)) {
    try {
      rendered.push(...(await renderWorkloadsAsIs({ ...inputs, only: [workloadId] })));
    } catch (error) {
      throw namingWorkload(error, workloadId, inputs.graph.context.envId);
    }
  }
  return rendered;
}

function namingWorkload(error: unknown, workloadId: string, envId: string): unknown {
  if (!(error instanceof InvalidInput)) return error;
  const prefix = `workload "${workloadId}"`;
  let message = error.message.startsWith(prefix) ? error.message : `${prefix}: ${error.message}`;
  const placeholder = error.details.placeholder;
  if (typeof placeholder === 'string' && placeholder.startsWith('values.')) {
    const key = placeholder.slice('values.'.length).split('.')[0] ?? '';
    message += / is not set for this environment\b/.test(message)
      ? ` (environment "${envId}"; a value set in another environment only does not follow a promotion)`
      : ` (there is no shared value "${key}" in environment "${envId}" nor in the application; a value set in another environment only does not follow a promotion)`;
  }
  return new InvalidInput(message, { ...error.details, workload: workloadId }, { cause: error });
}

/**
 * The org's registries applied to rendered workloads: each pod spec names the pull secrets of the registries its
 * images come from (src/profiles/pull-secrets.ts), and one `kubernetes.io/dockerconfigjson` Secret per registry used
 * goes to the namespace. The Secrets belong to the environment, not to a workload (two workloads may share one), so
 * they travel apart from the workloads' objects, like driver manifests. `sensitive` lists the strings that carry
 * the credentials (password, encoded forms), for masking.
 */
export function withPullSecrets(
  rendered: readonly RenderedWorkload[],
  registries: readonly PullRegistry[],
  context: PullSecretContext,
): { rendered: RenderedWorkload[]; secrets: K8sObject[]; warnings: string[]; sensitive: string[] } {
  const used = new Map<string, PullRegistry>();
  const warnings: string[] = [];
  const out = rendered.map((workload) => {
    const result = attachPullSecrets(workload.objects, registries, context.hasher);
    for (const registry of result.used) used.set(registry.id, registry);
    for (const { image, registry } of result.unsupported) {
      warnings.push(`workload "${workload.workloadId}": image "${image}" is under registry "${registry.id}" of type amazon_ecr; Baton does not exchange AWS keys for an ECR token, so its pods get no pull secret from it (the nodes' own ECR access applies)`);
    }
    return result.objects.every((o, i) => o === workload.objects[i]) ? workload : { ...workload, objects: result.objects };
  });
  const secrets: K8sObject[] = [];
  const sensitive: string[] = [];
  for (const registry of [...used.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!registry.creds) continue;
    const creds = registry.creds;
    secrets.push(renderPullSecret({ ...registry, creds }, context));
    const config = dockerConfigJson(registry.registry, creds);
    sensitive.push(creds.password, Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64'), config, Buffer.from(config, 'utf8').toString('base64'));
  }
  return { rendered: out, secrets, warnings, sensitive };
}

/** Driver manifests that go to the target directly: `namespace` ones land in the env's namespace. */
export function targetManifests(results: ReadonlyMap<string, NodeResult>, namespace: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const result of results.values()) {
    for (const manifest of result.manifests) {
      if (manifest.location !== 'namespace' && manifest.location !== 'cluster') continue;
      const data = structuredClone(manifest.data) as unknown as K8sObject;
      if (!isObject(data.metadata)) continue;
      if (manifest.location === 'namespace') data.metadata = { ...data.metadata, namespace };
      objects.push(data);
    }
  }
  return objects;
}

/**
 * What a `workload` resource's driver sees as `.resource` (Humanitec's inputs): `id` (the workload's name),
 * `profile`, `spec` (containers, service, pod, deployment, labels, annotations, ...) and `deploy` when set. The
 * spec is the module as stored in the set, placeholders not yet resolved (they are resolved after the update
 * patches apply), with `deployment` and `pod` always present. Undefined for any other node.
 */
export function workloadResourceInputs(set: DeploymentSet, node: Pick<GraphNode, 'type' | 'resId'>): JsonObject | undefined {
  if (node.type !== 'workload' || !node.resId.startsWith('modules.')) return undefined;
  const id = node.resId.slice('modules.'.length);
  const module = Object.hasOwn(set.modules, id) ? set.modules[id] : undefined;
  if (!module) return undefined;
  // Humanitec's workload spec always carries `deployment` and `pod` (with `annotations` and `labels`), so its
  // definitions read `.resource.spec.deployment.annotations` without a guard (example library: annotations, labels).
  const spec: JsonObject = structuredClone(module.spec);
  for (const key of ['deployment', 'pod']) {
    const part = isObject(spec[key]) ? spec[key] : {};
    spec[key] = { annotations: {}, labels: {}, ...part };
  }
  const inputs: JsonObject = { id, profile: module.profile ?? 'humanitec/default-module', spec };
  if (module.deploy) inputs.deploy = structuredClone(module.deploy);
  return inputs;
}
