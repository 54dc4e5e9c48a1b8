/**
 * Dependency graphs on demand (Humanitec's `POST .../resources/graphs`): the resources a caller lists, plus
 * everything the org's definitions pull in, in provisioning order, hashed and stored per environment.
 */
import { randomUUID } from 'node:crypto';
import type { CoreServices } from '../../org/index.js';
import { buildResourceGraph, toNodeBody, type GraphSetInput, type JsonObject, type NodeBody, type ResourceGraph } from '../index.js';
import { InvalidInput, NotFound } from '../../shared/errors.js';
import { fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import { createResourceGraphsRepo } from '../../store/resource-graphs-repo.js';
import type { ResourceGraphRow } from '../../store/resource-graphs-repo.js';
import type { DefinitionsService } from './definitions-service.js';
import type { ResourceTypesService } from './types-service.js';

/** Humanitec's ResourceProvisionRequest: one resource to put in the graph. */
export interface ResourceProvisionInput {
  id: string;
  type: string;
  class?: string | undefined;
  resource?: JsonObject | undefined;
}

export interface DependencyGraphView {
  id: string;
  hash: string;
  nodes: NodeBody[];
  created_at: string;
  used_at: string;
}

const MODULE_RESOURCE = /^modules\.([^.]+)\.externals\.([^.]+)$/;
const SHARED_RESOURCE = /^shared\.([^.]+)$/;
const WORKLOAD = /^modules\.([^.]+)$/;

/**
 * The resources as the part of a deployment set the graph builder reads. Ids follow the set's paths:
 * `modules.<w>.externals.<r>`, `shared.<r>`, or `modules.<w>` for a `workload`.
 */
export function toGraphSet(inputs: readonly ResourceProvisionInput[]): GraphSetInput {
  const set: { modules: Record<string, { externals: Record<string, { type: string; class?: string; params?: JsonObject }> }>; shared: Record<string, { type: string; class?: string; params?: JsonObject }> } = {
    modules: {},
    shared: {},
  };
  inputs.forEach((input, index) => {
    const resource = { type: input.type, ...(input.class ? { class: input.class } : {}), ...(input.resource ? { params: input.resource } : {}) };
    const moduleMatch = MODULE_RESOURCE.exec(input.id);
    const sharedMatch = SHARED_RESOURCE.exec(input.id);
    const workloadMatch = WORKLOAD.exec(input.id);
    if (moduleMatch) {
      const [, module, name] = moduleMatch as unknown as [string, string, string];
      (set.modules[module] ??= { externals: {} }).externals[name] = resource;
    } else if (sharedMatch) {
      set.shared[sharedMatch[1]!] = resource;
    } else if (workloadMatch && input.type === 'workload') {
      set.modules[workloadMatch[1]!] ??= { externals: {} };
    } else {
      throw new InvalidInput(
        `[${index}].id: "${input.id}" is not a resource id of a deployment set (use modules.<workload>.externals.<name>, shared.<name>, or modules.<workload> for type workload)`,
        { field: `[${index}].id` },
      );
    }
  });
  return set;
}

function toView(row: ResourceGraphRow): DependencyGraphView {
  return { id: row.id, hash: row.hash, nodes: fromJsonText<NodeBody[]>(row.nodes) ?? [], created_at: row.created_at, used_at: row.used_at };
}

export function createGraphsService(store: Store, core: CoreServices, definitions: DefinitionsService, types: ResourceTypesService) {
  const repo = createResourceGraphsRepo(store.db);
  async function storeGraph(orgId: string, appId: string, envId: string, graph: ResourceGraph): Promise<ResourceGraphRow> {
    const registry = await types.registry(orgId);
    const nodes = graph.nodes.map((node) => toNodeBody(node, { types: registry }));
    const at = nowIso();
    return repo.upsertByHash({ org_id: orgId, app_id: appId, env_id: envId, id: randomUUID(), hash: graph.hash, nodes: toJsonText(nodes), created_at: at, used_at: at });
  }

  return {
    /** Stores a deployment's graph (reusing an identical one) and returns the id the deployment reports. */
    async record(ref: { orgId: string; appId: string; envId: string }, graph: ResourceGraph): Promise<string> {
      return (await storeGraph(ref.orgId, ref.appId, ref.envId, graph)).id;
    },
    /** Builds the graph (nodes in provisioning order; secrets never included) and stores it, reusing an identical one. */
    async create(orgId: string, appId: string, envId: string, inputs: readonly ResourceProvisionInput[]): Promise<DependencyGraphView> {
      const env = await core.envs.get(orgId, appId, envId);
      const graph = buildResourceGraph({
        set: toGraphSet(inputs),
        context: { orgId, appId, envId, envType: env.type },
        definitions: await definitions.loadForEngine(orgId),
        types: await types.registry(orgId),
        pins: await definitions.pinsForEngine(orgId, appId, envId),
      });
      return toView(await storeGraph(orgId, appId, envId, graph));
    },
    async get(orgId: string, appId: string, envId: string, graphId: string): Promise<DependencyGraphView> {
      await core.envs.get(orgId, appId, envId);
      const row = await repo.get(orgId, appId, envId, graphId);
      if (!row) throw new NotFound('dependency graph', graphId, undefined, { app_id: appId, env_id: envId });
      return toView(row);
    },
  };
}
export type GraphsService = ReturnType<typeof createGraphsService>;
