/**
 * The UI's only way to the server: the public API, same origin, with the signed-in API token as a bearer token.
 * The token lives in sessionStorage (this tab, until it closes); a 401 signs out.
 */
const TOKEN_KEY = 'baton.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function request<T>(method: string, path: string, body?: unknown, token = getToken()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (error) {
    throw new ApiError(0, `Baton did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const b = (parsed ?? {}) as { message?: unknown; error?: unknown };
    const message = typeof b.message === 'string' ? b.message : typeof parsed === 'string' && parsed !== '' ? parsed : `${res.status} ${res.statusText}`;
    if (res.status === 401 && token === getToken()) onUnauthenticated();
    throw new ApiError(res.status, message, typeof b.error === 'string' ? b.error : undefined);
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);
export const post = <T>(path: string, body: unknown): Promise<T> => request<T>('POST', path, body);

const e = encodeURIComponent;
export const paths = {
  currentUser: () => '/current-user',
  orgs: () => '/orgs',
  apps: (org: string) => `/orgs/${e(org)}/apps`,
  envs: (org: string, app: string) => `/orgs/${e(org)}/apps/${e(app)}/envs`,
  env: (org: string, app: string, env: string) => `/orgs/${e(org)}/apps/${e(app)}/envs/${e(env)}`,
  deploys: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/deploys`,
  deploy: (org: string, app: string, env: string, id: string) => `${paths.deploys(org, app, env)}/${e(id)}`,
  plans: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/baton/plans`,
  resources: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/resources`,
  graph: (org: string, app: string, env: string, id: string) => `${paths.env(org, app, env)}/resources/graphs/${e(id)}`,
  values: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/values`,
  runtime: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/runtime`,
  set: (org: string, app: string, id: string) => `/orgs/${e(org)}/apps/${e(app)}/sets/${e(id)}`,
  setDiff: (org: string, app: string, id: string, from: string) => `/orgs/${e(org)}/apps/${e(app)}/sets/${e(id)}/diff/${e(from)}`,
  rules: (org: string, app: string, env: string) => `${paths.env(org, app, env)}/rules`,
  manifests: (org: string, app: string, env: string, id: string) => `${paths.deploy(org, app, env, id)}/baton/manifests`,
  orgUsers: (org: string) => `/orgs/${e(org)}/users`,
  perms: (org: string, user: string) => `/orgs/${e(org)}/users/${e(user)}/perms`,
  login: () => '/baton/login',
};

export interface User {
  id: string;
  name: string;
}
export interface Org {
  id: string;
  name: string;
}
export interface App {
  id: string;
  name: string;
  envs: { id: string; name: string; type: string }[];
}
export interface Deployment {
  id: string;
  env_id: string;
  from_id: string;
  delta_id?: string;
  set_id: string;
  value_set_version_id?: string;
  comment: string;
  status: string;
  status_changed_at: string;
  created_at: string;
  created_by: string;
  dependency_graph_id?: string;
}
export interface Environment {
  id: string;
  name: string;
  type: string;
  status: string;
}
export interface DeploymentError {
  code: string;
  error_type: string;
  message: string;
  object_id: string;
  scope: string;
  summary: string;
}
export interface Phase {
  name: string;
  status: string;
  started_at: string;
  ended_at?: string;
}
export interface LogEntry {
  seq: number;
  at: string;
  phase: string;
  level: string;
  resource?: string;
  message: string;
}
/** `GET …/envs/{envId}/runtime` (Humanitec's RuntimeInfoResponseV1); modules only where the target runs workloads. */
export interface RuntimeInfo {
  namespace: string;
  modules: Record<string, Record<string, unknown>>;
}

export interface ActiveResource {
  type: string;
  class: string;
  res_id: string;
  gu_res_id: string;
  def_id: string;
  driver_type: string;
  deploy_id: string;
  resource: Record<string, unknown>;
  secret_refs: Record<string, string>;
  status: string;
  orphaned: boolean;
  last_error?: string;
}
export interface GraphNode {
  id: string;
  type: string;
  class: string;
  guresid: string;
  def_id: string;
  criteria_id: string;
  driver_type: string;
  depends_on: string[];
  resource: Record<string, unknown>;
}
export interface Graph {
  id: string;
  nodes: GraphNode[];
}
export interface Value {
  key: string;
  value?: string;
  is_secret: boolean;
  description?: string;
  source?: string;
}
/** `POST /baton/login` (email and password → an API token of the user). */
export interface LoginResult {
  token: string;
  user_id: string;
  expires_at: string;
}
/** `GET /orgs/{org}/users/{user}/perms`: the permission keys the user holds per object path. */
export interface Perms {
  objects: Record<string, { permissions: string[] }>;
}
export interface AutomationRule {
  id: string;
  type: string;
  active: boolean;
  artefacts_filter: string[];
  exclude_artefacts_filter: boolean;
  match_ref: string;
  images_filter: string[];
  exclude_images_filter: boolean;
  update_to: string;
  match: string;
  created_at: string;
  updated_at: string;
}
/** Objects added, changed (unified diff), removed and unchanged: a plan's `manifests` and a deployment's. */
export interface ManifestChanges {
  added: { key: string; object: Record<string, unknown> }[];
  changed: { key: string; diff: string }[];
  removed: { key: string }[];
  unchanged: string[];
}
/** `GET …/deploys/{id}/baton/manifests`. */
export interface DeploymentManifests extends ManifestChanges {
  deploy_id: string;
  previous_deploy_id?: string;
  recorded: boolean;
  previous_recorded: boolean;
}
/** A set diff (a delta): modules added, updated (JSON Patch ops), removed; shared changes. */
export interface SetDelta {
  modules: { add?: Record<string, unknown>; update?: Record<string, unknown[]>; remove?: string[] };
  shared?: unknown[];
}
export interface PlannedResource {
  gu_res_id: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  driver_type: string;
  action: string;
  previous_def_id?: string;
  will_provision: boolean;
}
export interface Plan {
  id: string;
  set_diff: SetDelta;
  resources: PlannedResource[];
  orphaned: { gu_res_id: string; type: string; class: string; res_id: string; def_id: string }[];
  objects: { key: string; hash: string; workload?: string; depends_on_unknown_outputs: boolean }[];
  manifests: ManifestChanges;
  unresolved_workloads: { workload: string; message: string }[];
  /** What the deployment would go on with but a person should know (e.g. an unset environment value); older servers send none. */
  warnings?: string[];
}
export interface DeploymentSet {
  id: string;
  modules: Record<string, { profile?: string; spec?: { containers?: Record<string, { image?: string }> } }>;
}

/**
 * Follows a deployment's log (`…/baton/logs?follow=true`, text/event-stream) with the bearer token (which
 * EventSource cannot send): `onEntry` per `log` event, `onEnd` with the final status at the `end` event.
 * Resolves when the stream ends or `signal` aborts.
 */
export async function followLogs(path: string, onEntry: (entry: LogEntry) => void, onEnd: (status: string) => void, signal: AbortSignal): Promise<void> {
  const token = getToken();
  const res = await fetch(`${path}?follow=true`, { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, `the log stream answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) continue;
      if (event === 'log') onEntry(JSON.parse(data) as LogEntry);
      else if (event === 'end') onEnd((JSON.parse(data) as { status: string }).status);
    }
  }
}
