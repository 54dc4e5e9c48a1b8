/**
 * The resource inputs of a deployment set (Humanitec's `GET …/sets/{setId}/resources`, ResourceInputsResponse):
 * what the set asks the resource graph for, one entry per resource, with the ids the graph and the active resources
 * use. Pure.
 *
 * - every shared resource: `shared.<key>` (the key of the set's `shared` map, as the graph names it);
 * - per module, its workload, `modules.<w>` of type `workload` (no inputs: its spec is the workload's, not a
 *   resource input), then its externals, `modules.<w>.externals.<name>`.
 *
 * `resource` holds the entry's `params` as written in the set (placeholders unresolved) and is left out when the
 * set gives none. The list is sorted like the graph walks the set (shared first, then modules, each by name), so
 * `POST …/envs/{envId}/resources/graphs` with it builds the graph a deployment of the set would (definition
 * placeholders included; edges that only the workload's spec creates are the one thing it lacks).
 */
import type { DeploymentSet, ResourceRef } from './schemas.js';

export interface ResourceInput {
  id: string;
  type: string;
  class?: string;
  resource?: Record<string, unknown>;
}

const byName = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

function inputOf(id: string, ref: ResourceRef): ResourceInput {
  return { id, type: ref.type, ...(ref.class !== undefined ? { class: ref.class } : {}), ...(ref.params !== undefined ? { resource: ref.params } : {}) };
}

export function setResourceInputs(set: Pick<DeploymentSet, 'modules' | 'shared'>): ResourceInput[] {
  const out: ResourceInput[] = [];
  for (const [name, ref] of Object.entries(set.shared).sort(byName)) out.push(inputOf(`shared.${name}`, ref));
  for (const [workload, module] of Object.entries(set.modules).sort(byName)) {
    out.push({ id: `modules.${workload}`, type: 'workload' });
    for (const [name, ref] of Object.entries(module.externals).sort(byName)) out.push(inputOf(`modules.${workload}.externals.${name}`, ref));
  }
  return out;
}
