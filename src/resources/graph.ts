import { InvalidInput } from '../shared/errors.js';
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { closestName } from '../shared/suggest.js';
import {
  DEFAULT_CLASS,
  describeCriterion,
  formatDescriptor,
  parseResourceDescriptor,
  type DriverInputs,
  type JsonObject,
  type MatchingCriterion,
  type ResourceDefinition,
} from './definitions.js';
import { guresid as computeGuresid } from './guresid.js';
import { createMatcher, explainMatch, NoMatchingDefinition, specificityOf, type MatchContext, type Matcher } from './matching.js';
import {
  completeRef,
  findPlaceholders,
  readAccessor,
  resolvePlaceholders,
  type FoundPlaceholder,
  type PlaceholderScope,
  type ResourceOutputsView,
  type ResourceRefKey,
  type ResolveResult,
  type WrittenResourceRef,
} from './placeholders.js';
import { defaultTypeRegistry, type ResourceTypeRegistry } from './types.js';
import { resolveServicePortParams, SERVICE_PORT_TYPE } from './service-port.js';

/**
 * The resource graph of one deployment set in one environment: which resources exist, which definition
 * provisions each, and in which order. Pure: the same inputs always give the same graph and hash.
 */

/** A resource as a deployment set declares it (`externals.<r>` or `shared.<r>`). */
export interface GraphSetResource {
  type: string;
  class?: string;
  params?: JsonObject;
}

/** The parts of a deployment set the graph needs (structurally compatible with the full set type). */
export interface GraphSetInput {
  modules: Record<string, { externals?: Record<string, GraphSetResource>; spec?: unknown } | undefined>;
  shared?: Record<string, GraphSetResource>;
}

export interface GraphContext extends MatchContext {
  orgId: string;
}

export interface BuildResourceGraphInput {
  set: GraphSetInput;
  context: GraphContext;
  /** Every definition of the org, or a prebuilt matcher over them (cheaper when building many graphs). */
  definitions: readonly ResourceDefinition[] | Matcher;
  types?: ResourceTypeRegistry;
  /**
   * Active resources pinned to a definition version: descriptor (`type.class#res_id`) → that version as a
   * definition. A node whose match is the pinned version's definition is provisioned with the version instead of the
   * definition's active one; when the resource now matches another definition, the pin does not apply.
   */
  pins?: ReadonlyMap<string, ResourceDefinition>;
}

export interface GraphNode {
  guresid: string;
  type: string;
  class: string;
  resId: string;
  /** `type.class#res_id` */
  descriptor: string;
  definition: { id: string; versionId?: string };
  criteriaId: string;
  driverType: string;
  /** As written in the definition (may be a placeholder); resolve with `resolveNodeInputs`. */
  driverAccount?: string;
  /** As written in the definition; placeholders unresolved. */
  driverInputs: DriverInputs;
  /** Resource inputs: set `params` or a `provision` entry's `params`; placeholders unresolved. */
  params: JsonObject;
  /** GUResIDs of the nodes this one is provisioned after, sorted. */
  dependsOn: string[];
  matchedBy: { criterion: MatchingCriterion; specificity: number; summary: string };
  /** Why the node exists (set entry, implicit, reference, co-provisioning), first reason first. */
  origins: string[];
  /** Index into `levels`. */
  level: number;
}

export interface ResourceGraph {
  context: GraphContext;
  /** In provisioning order (= `order`). */
  nodes: GraphNode[];
  /** Topological levels: every node only depends on nodes of earlier levels, so a level may run in parallel. */
  levels: string[][];
  /** GUResIDs in provisioning order: the levels, concatenated. */
  order: string[];
  /** sha256 of the canonical JSON of the node list sorted by GUResID (secret inputs left out). */
  hash: string;
}

/** The implicit resources every environment gets (res_id = type). */
export const IMPLICIT_RESOURCES: readonly string[] = ['base-env', 'k8s-cluster', 'k8s-namespace'];

/** The origin of a node the deployment set declares (`modules.<w>.externals.<r>` or `shared.<r>`). */
function setOrigin(resId: string): string {
  return `set: ${resId}`;
}

/**
 * Container fields Humanitec (and every Score implementation) passes through verbatim: placeholders are only
 * resolved in labels, variables and files, so `${...}` in `command`/`args` is the container's own business
 * (shell expansion) and must neither create edges nor be resolved.
 */
const VERBATIM_CONTAINER_FIELDS = ['command', 'args'] as const;

function containersOf(spec: unknown): Record<string, unknown> | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return undefined;
  const containers = (spec as Record<string, unknown>).containers;
  if (typeof containers !== 'object' || containers === null || Array.isArray(containers)) return undefined;
  return containers as Record<string, unknown>;
}

/** A shallow copy of a module spec without its containers' verbatim fields (what placeholders apply to). */
export function withoutVerbatimFields(spec: unknown): unknown {
  const containers = containersOf(spec);
  if (!containers) return spec;
  const stripped: Record<string, unknown> = {};
  for (const [name, container] of Object.entries(containers)) {
    if (typeof container !== 'object' || container === null || Array.isArray(container)) {
      stripped[name] = container;
      continue;
    }
    const copy = { ...(container as Record<string, unknown>) };
    for (const field of VERBATIM_CONTAINER_FIELDS) delete copy[field];
    stripped[name] = copy;
  }
  return { ...(spec as Record<string, unknown>), containers: stripped };
}

/** Puts the verbatim fields of `original` back into `resolved` (the result of resolving `withoutVerbatimFields`). */
export function restoreVerbatimFields<T>(resolved: T, original: unknown): T {
  const from = containersOf(original);
  const to = containersOf(resolved);
  if (!from || !to) return resolved;
  for (const [name, container] of Object.entries(from)) {
    const target = to[name];
    if (typeof container !== 'object' || container === null || typeof target !== 'object' || target === null) continue;
    for (const field of VERBATIM_CONTAINER_FIELDS) {
      const value = (container as Record<string, unknown>)[field];
      if (value !== undefined) (target as Record<string, unknown>)[field] = structuredClone(value);
    }
  }
  return resolved;
}

interface NodeState {
  key: ResourceRefKey;
  descriptor: string;
  params: JsonObject;
  origins: string[];
  definition?: ResourceDefinition;
  criterion?: MatchingCriterion;
}

interface SelectorUse {
  node: string;
  subject: string;
  direction: '<' | '>';
  target: { type: string; class?: string };
  where: string;
}

function isMatcher(value: readonly ResourceDefinition[] | Matcher): value is Matcher {
  return !Array.isArray(value) && typeof (value as Matcher).tryMatch === 'function';
}

function descriptorOf(key: ResourceRefKey): string {
  return formatDescriptor(key);
}

export function buildResourceGraph(input: BuildResourceGraphInput): ResourceGraph {
  const { set, context } = input;
  const types = input.types ?? defaultTypeRegistry;
  const matcher = isMatcher(input.definitions) ? input.definitions : createMatcher(input.definitions);
  const nodes = new Map<string, NodeState>();
  const edges = new Map<string, Map<string, string>>(); // from → (to → why)
  const queue: string[] = [];
  const selectors: SelectorUse[] = [];
  const matchDependents: { node: string; coProvisioned: string; why: string }[] = [];

  const addEdge = (from: string, to: string, why: string): boolean => {
    if (from === to) {
      throw new InvalidInput(`resource graph has a cycle: ${from} → ${from} (${why})`, { cycle: [from, from] });
    }
    let out = edges.get(from);
    if (!out) edges.set(from, (out = new Map<string, string>()));
    if (out.has(to)) return false;
    out.set(to, why);
    return true;
  };

  const typeSuggestion = (type: string): string => {
    const meant = closestName(type, types.list().map((t) => t.type));
    return meant === undefined ? '' : ` (did you mean "${meant}"?)`;
  };

  const ensureNode = (key: ResourceRefKey, params: JsonObject | undefined, origin: string): string => {
    const descriptor = descriptorOf(key);
    const existing = nodes.get(descriptor);
    if (existing) {
      if (params && Object.keys(existing.params).length === 0) existing.params = params;
      if (!existing.origins.includes(origin)) existing.origins.push(origin);
      return descriptor;
    }
    if (!types.has(key.type)) {
      throw new InvalidInput(`unknown resource type "${key.type}"${typeSuggestion(key.type)} for ${descriptor} (${origin})`, { type: key.type, descriptor, origin });
    }
    nodes.set(descriptor, { key, descriptor, params: params ?? {}, origins: [origin] });
    queue.push(descriptor);
    return descriptor;
  };

  const declared = (resource: GraphSetResource, resId: string, where: string): ResourceRefKey => {
    if (typeof resource?.type !== 'string' || resource.type === '') {
      throw new InvalidInput(`${where}: a resource needs a "type"`, { resId });
    }
    const type = types.get(resource.type);
    if (!type) throw new InvalidInput(`unknown resource type "${resource.type}"${typeSuggestion(resource.type)} for ${where}`, { type: resource.type, resId });
    if (type.use === 'implicit') {
      throw new InvalidInput(`${where}: type "${resource.type}" is implicit and cannot be declared as a dependency`, { type: resource.type, resId });
    }
    return { type: resource.type, class: resource.class || DEFAULT_CLASS, resId };
  };

  /** A declared resource's inputs: its params; a `service-port`'s checked against the set's modules (service-port.ts). */
  const inputsOf = (key: ResourceRefKey, params: JsonObject | undefined, resId: string): JsonObject | undefined =>
    key.type === SERVICE_PORT_TYPE ? resolveServicePortParams(set.modules, params, resId) : params;

  for (const type of IMPLICIT_RESOURCES) ensureNode({ type, class: DEFAULT_CLASS, resId: type }, undefined, 'implicit');

  const shared = set.shared ?? {};
  for (const [name, resource] of Object.entries(shared).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const resId = `shared.${name}`;
    const key = declared(resource, resId, `shared.${name}`);
    ensureNode(key, inputsOf(key, resource.params, resId), setOrigin(resId));
  }
  const moduleNames = Object.keys(set.modules).sort();
  for (const w of moduleNames) {
    const module = set.modules[w] ?? {};
    const workload = ensureNode({ type: 'workload', class: DEFAULT_CLASS, resId: `modules.${w}` }, undefined, `set: modules.${w}`);
    for (const [name, resource] of Object.entries(module.externals ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const resId = `modules.${w}.externals.${name}`;
      const key = declared(resource, resId, resId);
      const node = ensureNode(key, inputsOf(key, resource.params, resId), setOrigin(resId));
      addEdge(workload, node, `declared by module ${w}`);
    }
  }

  /** Placeholders written in the set: `externals.<r>`, `shared.<r>` and `resources.…` create edges. */
  const analyseSetPlaceholders = (from: string, moduleName: string | undefined, found: FoundPlaceholder[], where: string): void => {
    const referencing = nodes.get(from)!.key;
    for (const { expression, at } of found) {
      const place = `${where}${at}`;
      if (expression.kind === 'other') {
        const [name] = expression.path;
        if (expression.namespace === 'externals') {
          if (moduleName === undefined) {
            throw new InvalidInput(`placeholder "\${${expression.text}}" at ${place}: externals are only visible inside a module`, { placeholder: expression.text });
          }
          const resource = set.modules[moduleName]?.externals?.[name ?? ''];
          if (!resource) {
            throw new InvalidInput(`placeholder "\${${expression.text}}" at ${place}: module "${moduleName}" has no external "${name}"`, { placeholder: expression.text });
          }
          addEdge(from, descriptorOf({ type: resource.type, class: resource.class || DEFAULT_CLASS, resId: `modules.${moduleName}.externals.${name}` }), `placeholder at ${place}`);
        } else if (expression.namespace === 'shared') {
          const resource = shared[name ?? ''];
          if (!resource) {
            throw new InvalidInput(`placeholder "\${${expression.text}}" at ${place}: the set has no shared resource "${name}"`, { placeholder: expression.text });
          }
          addEdge(from, descriptorOf({ type: resource.type, class: resource.class || DEFAULT_CLASS, resId: `shared.${name}` }), `placeholder at ${place}`);
        }
        // `values.*`, `modules.*` name no resource.
      } else if (expression.kind === 'resource') {
        const ref = completeRef(expression.ref, referencing, expression.text);
        addEdge(from, ensureNode(ref, undefined, `referenced at ${place}`), `placeholder at ${place}`);
      } else if (expression.kind === 'selector') {
        const subject = descriptorOf(completeRef(expression.subject, referencing, expression.text));
        selectors.push({ node: from, subject, direction: expression.direction, target: expression.target, where: place });
      }
    }
  };

  for (const [name, resource] of Object.entries(shared)) {
    const from = descriptorOf(declared(resource, `shared.${name}`, `shared.${name}`));
    analyseSetPlaceholders(from, undefined, findPlaceholders(resource.params ?? {}), `shared.${name}.params`);
  }
  for (const w of moduleNames) {
    const module = set.modules[w] ?? {};
    const workload = descriptorOf({ type: 'workload', class: DEFAULT_CLASS, resId: `modules.${w}` });
    analyseSetPlaceholders(workload, w, findPlaceholders(withoutVerbatimFields(module.spec ?? {})), `modules.${w}.spec`);
    for (const [name, resource] of Object.entries(module.externals ?? {})) {
      const resId = `modules.${w}.externals.${name}`;
      analyseSetPlaceholders(descriptorOf(declared(resource, resId, resId)), w, findPlaceholders(resource.params ?? {}), `${resId}.params`);
    }
  }

  /** Placeholders of a definition, parsed once per definition however many nodes it provisions. */
  const definitionPlaceholders = new Map<ResourceDefinition, FoundPlaceholder[]>();
  const placeholdersOf = (definition: ResourceDefinition): FoundPlaceholder[] => {
    let found = definitionPlaceholders.get(definition);
    if (!found) {
      found = [
        ...findPlaceholders(definition.driver_inputs.values, '/driver_inputs/values'),
        ...findPlaceholders(definition.driver_inputs.secrets, '/driver_inputs/secrets'),
        ...(definition.driver_account ? findPlaceholders(definition.driver_account, '/driver_account') : []),
      ];
      definitionPlaceholders.set(definition, found);
    }
    return found;
  };

  const analyseDefinitionPlaceholders = (from: string, found: readonly FoundPlaceholder[], definitionId: string): void => {
    const referencing = nodes.get(from)!.key;
    for (const { expression, at } of found) {
      const place = `definition "${definitionId}" ${at}`;
      if (expression.kind === 'resource') {
        const ref = completeRef(expression.ref, referencing, expression.text);
        const to = ensureNode(ref, undefined, `referenced by ${from} (${place})`);
        addEdge(from, to, `placeholder in ${place}`);
      } else if (expression.kind === 'selector') {
        const subject = descriptorOf(completeRef(expression.subject, referencing, expression.text));
        selectors.push({ node: from, subject, direction: expression.direction, target: expression.target, where: place });
      } else if (expression.kind === 'other') {
        throw new InvalidInput(
          `placeholder "\${${expression.text}}" in ${place}: "${expression.namespace}" is not available in resource definitions (use context.* or resources.*)`,
          { placeholder: expression.text, definition: definitionId },
        );
      }
    }
  };

  for (let next = 0; next < queue.length; next++) {
    const descriptor = queue[next]!;
    const node = nodes.get(descriptor)!;
    const resource = { type: node.key.type, class: node.key.class, resId: node.key.resId };
    const match = matcher.tryMatch(resource, context);
    if (!match) {
      const explanation = explainMatch(matcher.definitions, resource, context);
      const nearest = [...explanation.candidates].sort((a, b) => a.mismatches - b.mismatches || b.specificity - a.specificity).slice(0, 5);
      throw new NoMatchingDefinition(resource, context, nearest, ` (needed as ${node.origins[0]})`);
    }
    const pinned = input.pins?.get(descriptor);
    const definition = pinned !== undefined && pinned.id === match.definition.id ? pinned : match.definition;
    node.definition = definition;
    node.criterion = match.criterion;
    analyseDefinitionPlaceholders(descriptor, placeholdersOf(definition), definition.id);

    for (const [key, entry] of Object.entries(definition.provision).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const written: WrittenResourceRef = parseResourceDescriptor(key);
      const coKey: ResourceRefKey = { type: written.type, class: written.class ?? node.key.class, resId: written.resId ?? node.key.resId };
      const origin = `co-provisioned by ${descriptor} (definition "${definition.id}" provision "${key}")`;
      const co = ensureNode(coKey, entry.params, origin);
      if (entry.is_dependent) addEdge(co, descriptor, `is_dependent in definition "${definition.id}" provision "${key}"`);
      if (entry.match_dependents) matchDependents.push({ node: descriptor, coProvisioned: co, why: `match_dependents in definition "${definition.id}" provision "${key}"` });
      if (entry.params) {
        // Params are the co-provisioned resource's inputs, so omitted class/id refer to it, not to us.
        analyseDefinitionPlaceholders(co, findPlaceholders(entry.params, `/provision/${key}/params`), definition.id);
      }
    }
  }

  // Selectors and match_dependents read the edges and add edges; repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const { node, coProvisioned, why } of matchDependents) {
      for (const [from, out] of edges) {
        if (from !== coProvisioned && out.has(node)) changed = addEdge(from, coProvisioned, why) || changed;
      }
    }
    for (const selector of selectors) {
      if (!nodes.has(selector.subject)) continue; // a selector over a missing subject is just empty
      for (const candidate of nodes.values()) {
        if (candidate.key.type !== selector.target.type) continue;
        if (selector.target.class && candidate.key.class !== selector.target.class) continue;
        if (candidate.descriptor === selector.node) continue;
        const related =
          selector.direction === '<'
            ? edges.get(candidate.descriptor)?.has(selector.subject)
            : edges.get(selector.subject)?.has(candidate.descriptor);
        if (related) changed = addEdge(selector.node, candidate.descriptor, `selector in ${selector.where}`) || changed;
      }
    }
  }

  return finishGraph(nodes, edges, context);
}

function findCycle(remaining: ReadonlySet<string>, edges: Map<string, Map<string, string>>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const next of [...(edges.get(n)?.keys() ?? [])].sort()) {
      if (!remaining.has(next)) continue;
      if (state.get(next) === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...remaining].sort()) {
    if (!state.has(n)) {
      const cycle = visit(n);
      if (cycle) return cycle;
    }
  }
  return [];
}

function finishGraph(nodes: Map<string, NodeState>, edges: Map<string, Map<string, string>>, context: GraphContext): ResourceGraph {
  // Kahn's algorithm by layers: a node's level is one more than the deepest thing it depends on.
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const descriptor of nodes.keys()) pending.set(descriptor, 0);
  for (const [from, out] of edges) {
    for (const to of out.keys()) {
      pending.set(from, (pending.get(from) ?? 0) + 1);
      const list = dependents.get(to);
      if (list) list.push(from);
      else dependents.set(to, [from]);
    }
  }
  const levelsByDescriptor: string[][] = [];
  let current = [...pending].filter(([, n]) => n === 0).map(([d]) => d);
  let placed = 0;
  while (current.length > 0) {
    current.sort();
    levelsByDescriptor.push(current);
    placed += current.length;
    const next: string[] = [];
    for (const done of current) {
      for (const dependent of dependents.get(done) ?? []) {
        const left = pending.get(dependent)! - 1;
        pending.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    current = next;
  }
  if (placed < nodes.size) {
    const remaining = new Set([...pending].filter(([, n]) => n > 0).map(([d]) => d));
    const cycle = findCycle(remaining, edges);
    const steps = cycle.slice(1).map((to, i) => `${to} (${edges.get(cycle[i]!)?.get(to) ?? 'dependency'})`);
    throw new InvalidInput(`resource graph has a cycle: ${cycle[0]} → ${steps.join(' → ')}`, { cycle });
  }

  const ids = new Map<string, string>();
  for (const [descriptor, state] of nodes) {
    ids.set(descriptor, computeGuresid({ orgId: context.orgId, appId: context.appId, envId: context.envId, ...state.key }));
  }
  const graphNodes: GraphNode[] = [];
  levelsByDescriptor.forEach((level, levelIndex) => {
    for (const descriptor of level) {
      const state = nodes.get(descriptor)!;
      const definition = state.definition!;
      const criterion = state.criterion!;
      const specificity = specificityOf(criterion);
      graphNodes.push({
        guresid: ids.get(descriptor)!,
        type: state.key.type,
        class: state.key.class,
        resId: state.key.resId,
        descriptor,
        definition: { id: definition.id, ...(definition.version_id ? { versionId: definition.version_id } : {}) },
        criteriaId: criterion.id,
        driverType: definition.driver_type,
        ...(definition.driver_account ? { driverAccount: definition.driver_account } : {}),
        driverInputs: definition.driver_inputs,
        params: state.params,
        dependsOn: [...(edges.get(descriptor)?.keys() ?? [])].map((d) => ids.get(d)!).sort(),
        matchedBy: {
          criterion,
          specificity,
          summary: `definition "${definition.id}" criterion ${describeCriterion(criterion)} is the most specific match`,
        },
        origins: state.origins,
        level: levelIndex,
      });
    }
  });
  const levels = levelsByDescriptor.map((level) => level.map((d) => ids.get(d)!));
  const sortedForHash = [...graphNodes].sort((a, b) => (a.guresid < b.guresid ? -1 : 1));
  return { context, nodes: graphNodes, levels, order: levels.flat(), hash: hashNodes(sortedForHash) };
}

/** Canonical JSON of an object, memoized by identity: many nodes share one definition's inputs. */
const canonicalCache = new WeakMap<object, string>();
function cachedCanonical(value: object): string {
  let text = canonicalCache.get(value);
  if (text === undefined) {
    text = canonicalJson(value);
    canonicalCache.set(value, text);
  }
  return text;
}

/**
 * sha256 of `canonicalJson(nodes.map(toNodeBody))`, assembled by hand because running canonicalJson over
 * thousands of nodes dominated graph building; a test checks both give the same text.
 * Keys are written in canonicalJson's (sorted) order.
 */
export function canonicalNodeList(nodes: readonly GraphNode[], types: ResourceTypeRegistry = defaultTypeRegistry): string {
  const parts: string[] = [];
  for (const node of nodes) {
    const schema = types.get(node.type)?.inputs_schema ?? {};
    parts.push(
      '{"class":' + JSON.stringify(node.class) +
        ',"criteria_id":' + JSON.stringify(node.criteriaId) +
        ',"def_id":' + JSON.stringify(node.definition.id) +
        ',"def_version_id":' + JSON.stringify(node.definition.versionId ?? '') +
        ',"depends_on":' + JSON.stringify(node.dependsOn) +
        ',"driver":{"secrets":{},"values":' + cachedCanonical(node.driverInputs.values) + '}' +
        (node.driverAccount ? ',"driver_account":' + JSON.stringify(node.driverAccount) : '') +
        ',"driver_type":' + JSON.stringify(node.driverType) +
        ',"guresid":' + JSON.stringify(node.guresid) +
        ',"id":' + JSON.stringify(node.resId) +
        ',"in_place_driver_change":false' +
        ',"resource":' + cachedCanonical(node.params) +
        ',"resource_schema":' + cachedCanonical(schema) +
        ',"type":' + JSON.stringify(node.type) +
        '}',
    );
  }
  return '[' + parts.join(',') + ']';
}

function hashNodes(nodes: readonly GraphNode[]): string {
  return sha256Hex(canonicalNodeList(nodes));
}

/** Humanitec's NodeBodyResponse for a node. Secret driver inputs are left out unless asked for. */
export interface NodeBody {
  id: string;
  type: string;
  class: string;
  guresid: string;
  def_id: string;
  def_version_id: string;
  criteria_id: string;
  driver_type: string;
  driver_account?: string;
  driver: { values: JsonObject; secrets: JsonObject };
  depends_on: string[];
  resource: JsonObject;
  resource_schema: JsonObject;
  in_place_driver_change: boolean;
}

export function toNodeBody(node: GraphNode, options: { includeSecrets?: boolean; types?: ResourceTypeRegistry } = {}): NodeBody {
  const types = options.types ?? defaultTypeRegistry;
  return {
    id: node.resId,
    type: node.type,
    class: node.class,
    guresid: node.guresid,
    def_id: node.definition.id,
    def_version_id: node.definition.versionId ?? '',
    criteria_id: node.criteriaId,
    driver_type: node.driverType,
    ...(node.driverAccount ? { driver_account: node.driverAccount } : {}),
    driver: { values: node.driverInputs.values, secrets: options.includeSecrets ? node.driverInputs.secrets : {} },
    depends_on: node.dependsOn,
    resource: node.params,
    resource_schema: types.get(node.type)?.inputs_schema ?? {},
    in_place_driver_change: false,
  };
}

interface GraphIndex {
  byDescriptor: Map<string, GraphNode>;
  byGuresid: Map<string, GraphNode>;
  dependents: Map<string, GraphNode[]>;
  /** Nodes the set declares, by res_id (`modules.<w>.externals.<r>`, `shared.<r>`). */
  declared: Map<string, GraphNode>;
}
const graphIndexes = new WeakMap<ResourceGraph, GraphIndex>();

function indexOf(graph: ResourceGraph): GraphIndex {
  let index = graphIndexes.get(graph);
  if (!index) {
    index = { byDescriptor: new Map(), byGuresid: new Map(), dependents: new Map(), declared: new Map() };
    for (const node of graph.nodes) {
      index.byDescriptor.set(node.descriptor, node);
      index.byGuresid.set(node.guresid, node);
      if (node.origins.includes(setOrigin(node.resId))) index.declared.set(node.resId, node);
    }
    for (const node of graph.nodes) {
      for (const dep of node.dependsOn) {
        const list = index.dependents.get(dep);
        if (list) list.push(node);
        else index.dependents.set(dep, [node]);
      }
    }
    graphIndexes.set(graph, index);
  }
  return index;
}

export function findNode(graph: ResourceGraph, ref: { type: string; class?: string; resId: string }): GraphNode | undefined {
  return indexOf(graph).byDescriptor.get(formatDescriptor({ type: ref.type, class: ref.class || DEFAULT_CLASS, resId: ref.resId }));
}

export function nodeByGuresid(graph: ResourceGraph, id: string): GraphNode | undefined {
  return indexOf(graph).byGuresid.get(id);
}

/** Outputs of provisioned nodes by GUResID (values, secrets), plus each node's resolved driver account. */
export type ProvisionedOutputs = ReadonlyMap<string, { values: JsonObject; secrets: JsonObject; account?: string }>;

/** `modules.<w>.externals.<r>` → `w`: the module whose externals a set resource's params can see. */
function moduleOf(resId: string): string | undefined {
  return /^modules\.([^.]+)\.externals\./.exec(resId)?.[1];
}

/**
 * The placeholder scope for provisioning `node`: `context.*` from the graph, `resources.*` and selectors
 * read from `outputs` of nodes provisioned earlier. Params the set wrote may also name the set's resources,
 * as Humanitec resolves them: `externals.<r>.<output>` (resources of the node's own module) and
 * `shared.<r>.<output>`; the graph builder drew those edges. Referencing a node that is not provisioned yet is
 * an error, which cannot happen when nodes are provisioned in `graph.order`.
 */
export function createPlaceholderScope(
  graph: ResourceGraph,
  node: GraphNode,
  outputs: ProvisionedOutputs,
  extra: { deployId?: string; setId?: string } = {},
): PlaceholderScope {
  const index = indexOf(graph);
  const view = (target: GraphNode): ResourceOutputsView => {
    const provisioned = outputs.get(target.guresid);
    if (!provisioned) {
      throw new InvalidInput(`resource ${target.descriptor} has not been provisioned yet (needed by ${node.descriptor})`, { descriptor: target.descriptor });
    }
    return {
      values: provisioned.values,
      secrets: provisioned.secrets,
      guresid: target.guresid,
      ...(provisioned.account !== undefined ? { account: provisioned.account } : {}),
    };
  };
  return {
    context: {
      ...graph.context,
      ...extra,
      res: { type: node.type, class: node.class, resId: node.resId, guresid: node.guresid },
    },
    resource: (ref) => {
      const target = index.byDescriptor.get(formatDescriptor(ref));
      return target ? view(target) : undefined;
    },
    select: (subject, direction, target) => {
      const subjectNode = index.byDescriptor.get(formatDescriptor(subject));
      if (!subjectNode) return [];
      const related =
        direction === '<'
          ? (index.dependents.get(subjectNode.guresid) ?? [])
          : subjectNode.dependsOn.map((id) => index.byGuresid.get(id)!);
      return related
        .filter((n) => n.type === target.type && (!target.class || n.class === target.class))
        .sort((a, b) => (a.descriptor < b.descriptor ? -1 : a.descriptor > b.descriptor ? 1 : 0))
        .map(view);
    },
    other: (expression) => {
      const [name, ...path] = expression.path;
      if (name === undefined) return undefined;
      let resId: string;
      if (expression.namespace === 'shared') resId = `shared.${name}`;
      else if (expression.namespace === 'externals') {
        const module = moduleOf(node.resId);
        if (module === undefined) return undefined; // externals are private to a module
        resId = `modules.${module}.externals.${name}`;
      } else return undefined;
      const target = index.declared.get(resId);
      if (!target) return undefined;
      return readAccessor(view(target), 'outputs', path, () => `placeholder "\${${expression.text}}" in the inputs of ${node.descriptor}`);
    },
  };
}

export interface ResolvedNodeInputs {
  driver: { values: JsonObject; secrets: JsonObject };
  /** Resolved `driver_account` (an account id), when the definition has one. */
  account?: string;
  /** Resolved resource inputs. */
  params: JsonObject;
  /** Pointers of strings a secret tainted: `/values/...` (driver values) or `/params/...` (resource inputs). */
  secretPaths: string[];
}

/**
 * Resolves every placeholder a node's driver will see. Strings tainted by a secret output stay where the
 * definition put them; their pointers are reported in `secretPaths` (`/values/...` for driver values,
 * `/params/...` for resource inputs) so the caller can treat them as secrets in logs and responses.
 */
export function resolveNodeInputs(
  graph: ResourceGraph,
  node: GraphNode,
  outputs: ProvisionedOutputs,
  extra: { deployId?: string; setId?: string } = {},
): ResolvedNodeInputs {
  const scope = createPlaceholderScope(graph, node, outputs, extra);
  const values: ResolveResult = resolvePlaceholders(node.driverInputs.values, scope);
  const secrets = resolvePlaceholders(node.driverInputs.secrets, scope);
  const params = resolvePlaceholders(node.params, scope);
  const account = node.driverAccount !== undefined ? resolvePlaceholders(node.driverAccount, scope) : undefined;
  if (account && typeof account.value !== 'string') {
    throw new InvalidInput(`driver_account of ${node.descriptor} must resolve to an account id`, { descriptor: node.descriptor });
  }
  return {
    driver: { values: values.value as JsonObject, secrets: secrets.value as JsonObject },
    ...(account ? { account: account.value as string } : {}),
    params: params.value as JsonObject,
    secretPaths: [...values.secretPaths.map((p) => `/values${p}`), ...params.secretPaths.map((p) => `/params${p}`)],
  };
}
