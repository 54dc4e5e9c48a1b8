/**
 * Ids as people type them: a unique prefix of a deployment or set id (`1a22ec8d`, the 12 characters `get deploys`
 * shows), and humctl's references: `.` is the environment's newest deployment, `+N` the N-th before it (`deploy/.`,
 * `deploy/+1`), `env/ID` an environment's current deployment (for a set: the set it deployed). Resolved through the
 * list endpoints; the matching itself is pure (`matchId`, `pickDeployment`) so it is tested without a server.
 */
import { NotFound } from '../shared/errors.js';
import { seg } from './client.js';
import type { ApiClient } from './client.js';
import { UsageError } from './errors.js';

interface Listed {
  id: string;
  set_id?: string;
  created_at?: string;
}

export interface RefScope {
  client: ApiClient;
  org: string;
  app: string;
  /** The environment deployment references (`.`, `+N`, bare prefixes) look in. */
  env: () => string;
}

/** The one id equal to `ref`, else the one starting with it; ambiguous and unknown prefixes are errors that say so. */
export function matchId(ref: string, ids: readonly string[], what: string): string {
  if (ids.includes(ref)) return ref;
  const matches = ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new NotFound(what, ref, `no ${what} id starts with "${ref}"`);
  const shown = matches.slice(0, 5).join(', ') + (matches.length > 5 ? `, … (${matches.length} in all)` : '');
  throw new UsageError(`"${ref}" is ambiguous: ${matches.length} ${what} ids start with it (${shown}); give more characters`);
}

const RELATIVE = /^(?:\.|\+(\d{1,6}))$/;

/** Whether `ref` is a humctl relative reference (`.` or `+N`). */
export function isRelative(ref: string): boolean {
  return RELATIVE.test(ref);
}

/** `.` = newest deployment, `+N` = N before it; the list may come in any order (sorted by created_at here). */
export function pickDeployment<T extends Listed>(ref: string, deployments: readonly T[], envId: string): T {
  const match = RELATIVE.exec(ref);
  if (!match) throw new UsageError(`"${ref}" is not a relative reference (. or +N)`);
  const back = match[1] === undefined ? 0 : Number(match[1]);
  const newestFirst = [...deployments].sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? 1 : (a.created_at ?? '') > (b.created_at ?? '') ? -1 : 0));
  const found = newestFirst[back];
  if (!found) {
    throw new NotFound('deployment', ref, newestFirst.length === 0 ? `environment "${envId}" has no deployments` : `environment "${envId}" has ${newestFirst.length} deployment${newestFirst.length === 1 ? '' : 's'}; "${ref}" goes back further`);
  }
  return found;
}

const envBase = (s: RefScope, env: string) => `/orgs/${seg(s.org)}/apps/${seg(s.app)}/envs/${seg(env)}`;

async function listDeployments(s: RefScope, env: string): Promise<Listed[]> {
  return s.client.get<Listed[]>(`${envBase(s, env)}/deploys`);
}

/** A deployment id from `ID`, a unique prefix, `.`, `+N`, `deploy/<any of these>` or `env/ENV` (its newest deployment). */
export async function resolveDeployment(s: RefScope, ref: string, env?: string): Promise<Listed & { env: string }> {
  let rest = ref.startsWith('deploy/') ? ref.slice('deploy/'.length) : ref;
  let inEnv: string;
  if (rest.startsWith('env/')) {
    inEnv = rest.slice('env/'.length);
    rest = '.';
  } else {
    // Only references within an environment need one: `env/ENV` names its own.
    inEnv = env ?? s.env();
  }
  if (rest === '') throw new UsageError(`"${ref}" names no deployment`);
  const deployments = await listDeployments(s, inEnv);
  if (isRelative(rest)) return { ...pickDeployment(rest, deployments, inEnv), env: inEnv };
  const id = matchId(rest, deployments.map((d) => d.id), 'deployment');
  return { ...deployments.find((d) => d.id === id)!, env: inEnv };
}

export async function resolveDeploymentId(s: RefScope, ref: string, env?: string): Promise<string> {
  return (await resolveDeployment(s, ref, env)).id;
}

/**
 * A set id from `ID`, a unique prefix (of the app's sets), `deploy/REF` or a bare `.`/`+N` (the set that deployment
 * deployed, in the scope's env), or `env/ENV` (the set of that environment's current deployment).
 */
export async function resolveSetId(s: RefScope, ref: string): Promise<string> {
  if (ref.startsWith('deploy/') || ref.startsWith('env/') || isRelative(ref)) {
    const deployment = await resolveDeployment(s, ref);
    if (!deployment.set_id) throw new NotFound('set', ref, `deployment ${deployment.id} has no set`);
    return deployment.set_id;
  }
  const sets = await s.client.get<Listed[]>(`/orgs/${seg(s.org)}/apps/${seg(s.app)}/sets`);
  return matchId(ref, sets.map((x) => x.id), 'set');
}

/** A delta id from `ID` or a unique prefix of the app's deltas (as `get deltas` shows them). */
export async function resolveDeltaId(s: RefScope, ref: string): Promise<string> {
  const deltas = await s.client.get<Listed[]>(`/orgs/${seg(s.org)}/apps/${seg(s.app)}/deltas`);
  return matchId(ref, deltas.map((d) => d.id), 'delta');
}
