/**
 * What a deployment did, per resource and per phase, and what a plan would change, from the API's answers (pure, no
 * DOM; tested in deploy-status.test.ts).
 */
import type { ActiveResource, DeploymentError, GraphNode, LogEntry, Phase, Plan, SetDelta } from './api';

export type ResourceState = 'failed' | 'provisioned' | 'provisioning' | 'waiting' | 'not reached';

export interface ResourceStatusRow {
  guresid: string;
  resId: string;
  type: string;
  class: string;
  defId: string;
  driver: string;
  state: ResourceState;
  /** The error naming this resource, when the deployment failed on it. */
  error?: string;
  /** The active resource's status now (it may have changed since, by later deployments). */
  active?: string;
}

/**
 * Each resource of the deployment's graph with what the deployment did to it: `failed` (an error names it),
 * `provisioned` / `provisioning` (from the log's per-resource entries), else `waiting` while the deployment runs and
 * `not reached` once it ended (it stopped before that resource).
 */
export function resourceStatuses(nodes: readonly GraphNode[], logs: readonly LogEntry[], errors: readonly DeploymentError[], active: readonly ActiveResource[], running: boolean): ResourceStatusRow[] {
  const activeById = new Map(active.map((r) => [r.gu_res_id, r]));
  const errorOf = new Map(errors.filter((e) => e.scope === 'resource').map((e) => [e.object_id, e.message]));
  const started = new Set<string>();
  const done = new Set<string>();
  for (const entry of logs) {
    if (!entry.resource) continue;
    if (entry.message.startsWith('provisioning ')) started.add(entry.resource);
    else if (entry.message.startsWith('provisioned ')) done.add(entry.resource);
  }
  return nodes
    .map((n): ResourceStatusRow => {
      const error = errorOf.get(n.id);
      const state: ResourceState = error !== undefined ? 'failed' : done.has(n.id) ? 'provisioned' : started.has(n.id) ? 'provisioning' : running ? 'waiting' : 'not reached';
      const now = activeById.get(n.guresid)?.status;
      return {
        guresid: n.guresid,
        resId: n.id,
        type: n.type,
        class: n.class,
        defId: n.def_id,
        driver: n.driver_type,
        state,
        ...(error !== undefined ? { error } : {}),
        ...(now !== undefined ? { active: now } : {}),
      };
    })
    .sort((a, b) => stateOrder(a.state) - stateOrder(b.state) || a.resId.localeCompare(b.resId));
}

function stateOrder(state: ResourceState): number {
  return ['failed', 'provisioning', 'waiting', 'not reached', 'provisioned'].indexOf(state);
}

export interface PhaseBar {
  name: string;
  status: string;
  /** Where the phase starts and how long it is, in percent of the whole deployment's span. */
  offset: number;
  width: number;
  ms: number | undefined;
}

/** The phases on one time axis (a phase still running ends at `now`). */
export function phaseBars(phases: readonly Phase[], now = Date.now()): PhaseBar[] {
  if (phases.length === 0) return [];
  const start = Math.min(...phases.map((p) => Date.parse(p.started_at)));
  const endOf = (p: Phase) => (p.ended_at ? Date.parse(p.ended_at) : now);
  const span = Math.max(1, Math.max(...phases.map(endOf)) - start);
  return phases.map((p) => {
    const from = Date.parse(p.started_at);
    return {
      name: p.name,
      status: p.status,
      offset: ((from - start) / span) * 100,
      width: Math.max(0.5, ((endOf(p) - from) / span) * 100),
      ms: p.ended_at ? endOf(p) - from : undefined,
    };
  });
}

/** The workloads a set diff adds, updates and removes, with the paths an update touches. */
export interface WorkloadChange {
  workload: string;
  change: 'added' | 'updated' | 'removed';
  paths: string[];
}

export function workloadChanges(delta: SetDelta): WorkloadChange[] {
  const out: WorkloadChange[] = [];
  for (const w of Object.keys(delta.modules.add ?? {})) out.push({ workload: w, change: 'added', paths: [] });
  for (const [w, ops] of Object.entries(delta.modules.update ?? {})) {
    const paths = ops.map((op) => (op && typeof op === 'object' && 'path' in op && typeof op.path === 'string' ? op.path : '')).filter((p) => p !== '');
    out.push({ workload: w, change: 'updated', paths: [...new Set(paths)] });
  }
  for (const w of delta.modules.remove ?? []) out.push({ workload: w, change: 'removed', paths: [] });
  return out.sort((a, b) => a.workload.localeCompare(b.workload));
}

/** What a plan would do to resources, grouped: created, updated (driver runs again), re-provisioned, orphaned, unchanged. */
export interface PlanSummary {
  create: string[];
  update: string[];
  reprovision: string[];
  orphan: string[];
  unchanged: string[];
}

export function planSummary(plan: Pick<Plan, 'resources' | 'orphaned'>): PlanSummary {
  const label = (r: { type: string; class: string; res_id: string }) => `${r.type}${r.class && r.class !== 'default' ? `.${r.class}` : ''} ${r.res_id}`;
  const of = (action: string) => plan.resources.filter((r) => r.action === action).map(label).sort();
  return { create: of('create'), update: of('update'), reprovision: of('reprovision'), orphan: plan.orphaned.map(label).sort(), unchanged: of('unchanged') };
}
