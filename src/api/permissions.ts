/**
 * The permission matrix: ONE table saying, for every permission key a route declares
 * (`config: { permission: '<key>' }`), which roles grant it. Pure data plus a pure evaluator; the role lookups
 * are src/org/access.ts's, the enforcement is the auth hook's (src/api/auth.ts). docs/rbac.md renders this table
 * (`renderPermissionMatrix`; a test fails when the doc and the table differ).
 *
 * Roles (Humanitec's, orchestrator semantics §6):
 * - org: `administrator` (everything), `manager`, `member`, `artefactContributor`, `orgViewer`;
 * - app: `viewer`, `developer`, `owner`;
 * - env type: `deployer`. A developer or owner acts on an environment (create, deploy, delete) only with
 *   `deployer` on the environment's type.
 * Anything not granted here is denied.
 */
import { Forbidden, NotFound } from '../shared/errors.js';
import type { AccessLookup } from '../org/access.js';
import { APP_ROLE_IDS, ENV_TYPE_ROLE_IDS, ORG_ROLE_IDS } from '../org/roles.js';
import type { AppRoleId, OrgRoleId } from '../org/roles.js';

export const ORG_ROLES = ORG_ROLE_IDS;
export const APP_ROLES = APP_ROLE_IDS;
export const ENV_TYPE_ROLES = ENV_TYPE_ROLE_IDS;
export type OrgRole = OrgRoleId;
export type AppRole = AppRoleId;

/**
 * What a permission is checked against, from the route:
 * - `authenticated`: any caller with a valid token (the handler shows only what is theirs);
 * - `org`: `/orgs/:orgId/…`; `app`: `/orgs/:orgId/apps/:appId/…`;
 * - `env`: an existing environment `…/envs/:envId…` (its type decides `deployer`);
 * - `newEnv`: the environment a request creates (its type is the body's `type`, default `development`);
 * - `orgUser`: `/orgs/:orgId/users/:userId…` (`self` may apply);
 * - `user`: `/users/:userId/…` (tokens): the user themself, or an administrator of an org the target is a
 *   service user of.
 */
export type PermissionScope = 'authenticated' | 'org' | 'app' | 'env' | 'newEnv' | 'orgUser' | 'user';

export interface Permission {
  scope: PermissionScope;
  summary: string;
  /** Org roles that grant it outright. */
  org: readonly OrgRole[];
  /** App roles that grant it (app, env and newEnv scopes). */
  app?: readonly AppRole[];
  /** The app roles above also need `deployer` on the environment's type (env and newEnv scopes). */
  deployer?: boolean;
  /** The app roles above also need `deployer` on every environment type the app's environments use. */
  deployerOnAllAppEnvTypes?: boolean;
  /** The caller may act on themself (orgUser and user scopes). */
  self?: boolean;
}

const ALL_ORG: readonly OrgRole[] = ORG_ROLES;
const ADMIN: readonly OrgRole[] = ['administrator'];
/** Who may read the org's platform configuration (env types, resource types, definitions, drivers, profiles). */
const CONFIG_READERS: readonly OrgRole[] = ['administrator', 'manager', 'member', 'orgViewer'];
const USER_MANAGERS: readonly OrgRole[] = ['administrator', 'manager'];
/** Org roles that see every app of the org (others see only the apps they hold an app role on). */
export const ORG_ROLES_SEEING_ALL_APPS: readonly OrgRole[] = ['administrator', 'orgViewer', 'artefactContributor'];
const APP_READERS = { org: ['administrator', 'orgViewer'], app: ['viewer', 'developer', 'owner'] } as const;
const APP_WRITERS = { org: ADMIN, app: ['developer', 'owner'] } as const;
const ENV_ACTORS = { org: ADMIN, app: ['developer', 'owner'], deployer: true } as const;

/** THE permission matrix. Keys are what routes declare; docs/rbac.md renders it. */
export const PERMISSIONS = {
  // ----- the caller and their orgs
  'orgs.list': { scope: 'authenticated', summary: 'List the orgs the caller belongs to', org: [] },
  'current-user.read': { scope: 'authenticated', summary: 'Read own profile and roles', org: [] },
  'current-user.update': { scope: 'authenticated', summary: 'Update own name and properties', org: [] },
  'org.read': { scope: 'org', summary: 'Read the organization', org: ALL_ORG },
  // Process-wide counters and histograms (no org data, no names): any authenticated caller, e.g. a scraper's token.
  'metrics.read': { scope: 'authenticated', summary: 'Scrape GET /metrics (unless BATON_METRICS_PUBLIC=true)', org: [] },

  // ----- users, roles, invitations
  'org-users.list': { scope: 'org', summary: 'List the org\'s users and their roles', org: CONFIG_READERS },
  'org-users.create': { scope: 'org', summary: 'Create a service user (managers cannot grant administrator)', org: USER_MANAGERS },
  'org-users.read': { scope: 'orgUser', summary: 'Read a user\'s org role', org: CONFIG_READERS, self: true },
  'org-users.update': { scope: 'orgUser', summary: 'Change a user\'s org role (never the last administrator\'s)', org: USER_MANAGERS },
  'org-users.delete': { scope: 'orgUser', summary: 'Remove a user from the org (never the last administrator)', org: USER_MANAGERS },
  'org-users.perms': { scope: 'orgUser', summary: 'What a user may do, per object', org: ['administrator', 'manager', 'orgViewer'], self: true },
  'invitations.list': { scope: 'org', summary: 'List invitations', org: USER_MANAGERS },
  'invitations.create': { scope: 'org', summary: 'Invite a human user by email', org: USER_MANAGERS },
  'env-type-users.read': { scope: 'org', summary: 'List/read deployer roles on an environment type', org: ['administrator', 'manager', 'orgViewer'] },
  'env-type-users.write': { scope: 'org', summary: 'Grant/change/revoke deployer on an environment type', org: ADMIN },
  'app-users.read': { scope: 'app', summary: 'List/read the app\'s members', ...APP_READERS },
  'app-users.write': { scope: 'app', summary: 'Grant/change/revoke app roles', org: ADMIN, app: ['owner'] },

  // ----- tokens (routes of the tokens work; rule: own tokens, or an org administrator for that org's service users)
  'tokens.list': { scope: 'user', summary: 'List a user\'s API tokens', org: ADMIN, self: true },
  'tokens.create': { scope: 'user', summary: 'Create an API token for a user', org: ADMIN, self: true },
  'tokens.read': { scope: 'user', summary: 'Read an API token\'s metadata', org: ADMIN, self: true },
  'tokens.delete': { scope: 'user', summary: 'Revoke an API token', org: ADMIN, self: true },

  // ----- platform configuration: only administrators write it
  'env-types.read': { scope: 'org', summary: 'List/read environment types', org: CONFIG_READERS },
  'env-types.write': { scope: 'org', summary: 'Create/update/delete environment types', org: ADMIN },
  'resource-types.read': { scope: 'org', summary: 'List/read resource types and classes', org: CONFIG_READERS },
  'resource-types.write': { scope: 'org', summary: 'Create/update/delete resource types and classes', org: ADMIN },
  'resource-definitions.read': { scope: 'org', summary: 'List/read resource definitions, their versions and resources; matching dry-run', org: CONFIG_READERS },
  'resource-definitions.write': { scope: 'org', summary: 'Create/update/delete/import resource definitions and criteria; archive/promote their versions', org: ADMIN },
  'drivers.read': { scope: 'org', summary: 'List/read resource drivers', org: CONFIG_READERS },
  'drivers.write': { scope: 'org', summary: 'Register/update/delete resource drivers', org: ADMIN },
  'workload-profiles.read': { scope: 'org', summary: 'List/read/validate workload profiles', org: CONFIG_READERS },
  'workload-profiles.write': { scope: 'org', summary: 'Create/update/delete workload profiles', org: ADMIN },
  'secret-stores.read': { scope: 'org', summary: 'List/read secret stores', org: ['administrator', 'manager', 'orgViewer'] },
  'secret-stores.write': { scope: 'org', summary: 'Create/update/delete secret stores', org: ADMIN },
  'resource-accounts.read': { scope: 'org', summary: 'List/read resource accounts (never their credentials) and account types', org: CONFIG_READERS },
  'resource-accounts.write': { scope: 'org', summary: 'Create/update/delete/check resource accounts', org: ADMIN },
  'registries.read': { scope: 'org', summary: 'List/read container registries (never their credentials)', org: CONFIG_READERS },
  'registries.write': { scope: 'org', summary: 'Create/update/delete container registries', org: ADMIN },
  'registries.creds': { scope: 'org', summary: 'Read a registry\'s credentials in clear (only registries with enable_ci: true)', org: ['administrator', 'artefactContributor'] },
  'public-keys.read': { scope: 'org', summary: 'List/read the org\'s public keys', org: CONFIG_READERS },
  'public-keys.write': { scope: 'org', summary: 'Register/delete the org\'s public keys', org: ADMIN },
  'audit-logs.read': { scope: 'org', summary: 'Read the audit log (every successful mutating request)', org: ADMIN },

  // ----- artefacts
  'artefacts.read': { scope: 'org', summary: 'List/read artefacts and their versions', org: ALL_ORG },
  'artefacts.write': { scope: 'org', summary: 'Register builds / artefact versions', org: ['administrator', 'manager', 'member', 'artefactContributor'] },
  'artefacts.delete': { scope: 'org', summary: 'Delete an artefact and its versions', org: ADMIN },
  'score.convert': { scope: 'org', summary: 'Convert a Score file (no state changes)', org: ALL_ORG },

  // ----- applications
  'apps.list': { scope: 'org', summary: 'List apps (members: only those they hold a role on)', org: ALL_ORG },
  'apps.create': { scope: 'org', summary: 'Create an app (the creator becomes its owner)', org: USER_MANAGERS },
  'app.read': { scope: 'app', summary: 'Read an app and everything in it (envs, sets, deltas, values, deployments, resources)', ...APP_READERS },
  'active-resource-usage.read': { scope: 'org', summary: 'List active resources across apps and envs (Baton; callers without `app.read` on every app: the apps they hold a role on, or with `def` every app if they may read definitions)', org: ALL_ORG },
  'app.update': { scope: 'app', summary: 'Rename the app; write deltas, sets, shared values and secrets; rename envs', ...APP_WRITERS },
  'app.delete': { scope: 'app', summary: 'Delete the app (an owner needs deployer on every env type it uses)', org: ADMIN, app: ['owner'], deployerOnAllAppEnvTypes: true },
  'automation-rules.read': { scope: 'env', summary: 'List/read automation rules', ...APP_READERS },
  'automation-rules.write': { scope: 'env', summary: 'Create/update/delete automation rules (deployer on the env type)', ...ENV_ACTORS },
  'webhooks.read': { scope: 'app', summary: 'List/read webhooks and their deliveries', ...APP_READERS },
  'webhooks.write': { scope: 'app', summary: 'Create/update/delete webhooks', ...APP_WRITERS },

  // ----- environments
  'envs.create': { scope: 'newEnv', summary: 'Create an environment (deployer on its type)', ...ENV_ACTORS },
  'env.delete': { scope: 'env', summary: 'Delete an environment (deployer on its type)', ...ENV_ACTORS },
  'env.deploy': { scope: 'env', summary: 'Deploy, plan, rebase, cancel, retry, delete active resources, pin them to a definition version (deployer on its type)', ...ENV_ACTORS },
  'env.graph': { scope: 'app', summary: 'Compute resource graphs (no state changes)', ...APP_WRITERS },
} as const satisfies Record<string, Permission>;

export type PermissionKey = keyof typeof PERMISSIONS;

export function isPermissionKey(key: unknown): key is PermissionKey {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(PERMISSIONS, key);
}

/** The roles a caller holds that matter for one check (looked up by src/org/access.ts). */
export interface Subject {
  orgRole?: OrgRole | undefined;
  appRole?: AppRole | undefined;
  /** Holds `deployer` on the environment type at hand (env/newEnv scopes). */
  deployer?: boolean;
  /** Holds `deployer` on every env type the app's environments use (app.delete). */
  deployerOnAllAppEnvTypes?: boolean;
  /** The caller is the target user (orgUser/user scopes). */
  self?: boolean;
  /** The environment type at hand, for messages. */
  envType?: string | undefined;
}

export type Decision =
  | { allowed: true }
  /** `hidden`: the caller may not even see the object (answer 404, not 403). */
  | { allowed: false; hidden?: 'org' | 'app' | 'user'; needs: string };

/** Can this subject see the object the permission's scope points at? */
function visibility(permission: Permission, subject: Subject): 'org' | 'app' | 'user' | undefined {
  switch (permission.scope) {
    case 'authenticated':
      return undefined;
    case 'user':
      return subject.self || subject.orgRole === 'administrator' ? undefined : 'user';
    case 'org':
    case 'orgUser':
      return subject.orgRole === undefined ? 'org' : undefined;
    case 'app':
    case 'env':
    case 'newEnv':
      if (subject.orgRole === undefined) return 'org';
      return subject.appRole !== undefined || ORG_ROLES_SEEING_ALL_APPS.includes(subject.orgRole) ? undefined : 'app';
  }
}

/** What the permission needs, in words (the 403 message names the missing role). */
export function describeNeeds(permission: Permission, envType?: string): string {
  const options: string[] = [];
  if (permission.org.length > 0) options.push(`org role ${permission.org.join(' or ')}`);
  if (permission.app) {
    let app = `app role ${permission.app.join(' or ')}`;
    if (permission.deployer) app += ` with env-type role deployer on ${envType !== undefined ? `"${envType}"` : 'the environment\'s type'}`;
    if (permission.deployerOnAllAppEnvTypes) app += ' with env-type role deployer on every environment type the app uses';
    options.push(app);
  }
  if (permission.self) options.push('being that user');
  return options.length > 0 ? options.join(', or ') : 'an authenticated user';
}

/** The pure evaluator: may `subject` do `key`? Deny by default. */
export function evaluate(key: PermissionKey, subject: Subject): Decision {
  const permission: Permission = PERMISSIONS[key];
  if (permission.scope === 'authenticated') return { allowed: true };
  const hidden = visibility(permission, subject);
  const needs = `"${key}" requires ${describeNeeds(permission, subject.envType)}`;
  if (hidden) return { allowed: false, hidden, needs };
  if (permission.self && subject.self) return { allowed: true };
  if (subject.orgRole !== undefined && permission.org.includes(subject.orgRole)) return { allowed: true };
  if (permission.app && subject.appRole !== undefined && permission.app.includes(subject.appRole)) {
    if (permission.deployer && !subject.deployer) return { allowed: false, needs };
    if (permission.deployerOnAllAppEnvTypes && !subject.deployerOnAllAppEnvTypes) return { allowed: false, needs };
    return { allowed: true };
  }
  return { allowed: false, needs };
}

/** The object of a check, from the route parameters (and, for `newEnv`, the body's env type). */
export interface PermissionTarget {
  orgId?: string | undefined;
  appId?: string | undefined;
  envId?: string | undefined;
  /** The env type of an environment being created. */
  newEnvType?: string | undefined;
  /** The target user (`orgUser`, `user` scopes). */
  userId?: string | undefined;
}

/** The caller as the auth hook sees them: an id, and how to look their roles up. */
export interface Caller {
  id: string;
  access: AccessLookup;
}

/** Looks up what `evaluate` needs for this permission and target. */
async function subjectFor(caller: Caller, permission: Permission, target: PermissionTarget): Promise<Subject> {
  const { access } = caller;
  if (permission.scope === 'authenticated') return {};
  if (permission.scope === 'user') {
    const self = target.userId === caller.id;
    const adminOverTarget = !self && target.userId !== undefined && (await access.administersServiceUser(caller.id, target.userId));
    return { self, ...(adminOverTarget ? { orgRole: 'administrator' as const } : {}) };
  }
  const orgId = target.orgId ?? '';
  const subject: Subject = { orgRole: await access.orgRole(caller.id, orgId) };
  if (subject.orgRole === undefined) return subject;
  if (permission.scope === 'orgUser') subject.self = target.userId === caller.id;
  if (permission.scope === 'app' || permission.scope === 'env' || permission.scope === 'newEnv') {
    subject.appRole = await access.appRole(caller.id, orgId, target.appId ?? '');
  }
  if (subject.appRole !== undefined && permission.deployer) {
    const envType = permission.scope === 'newEnv' ? target.newEnvType : await access.envTypeOf(orgId, target.appId ?? '', target.envId ?? '');
    subject.envType = envType;
    subject.deployer = envType !== undefined && (await access.isDeployer(caller.id, orgId, envType));
  }
  if (subject.appRole !== undefined && permission.deployerOnAllAppEnvTypes) {
    const types = await access.envTypesOfApp(orgId, target.appId ?? '');
    let all = true;
    for (const type of types) if (!(await access.isDeployer(caller.id, orgId, type))) all = false;
    subject.deployerOnAllAppEnvTypes = all;
  }
  return subject;
}

/**
 * Throws unless `caller` may do `key` on `target`: `NotFound` for objects the caller may not see (an org they
 * are not a member of, an app they hold no role on; the same answer as for a missing one), `Forbidden` naming the
 * missing role otherwise. An unknown key is refused (deny by default).
 */
export async function assertPermitted(caller: Caller, key: string, target: PermissionTarget): Promise<void> {
  if (!isPermissionKey(key)) throw new Forbidden(`unknown permission "${key}"`, { permission: key });
  const permission: Permission = PERMISSIONS[key];
  const subject = await subjectFor(caller, permission, target);
  const decision = evaluate(key, subject);
  if (decision.allowed) return;
  if (permission.scope === 'env' && permission.deployer && subject.appRole !== undefined && subject.envType === undefined) {
    // The app is visible to the caller but the environment does not exist: say so rather than "needs deployer".
    throw new NotFound('environment', target.envId ?? '', undefined, { org_id: target.orgId, app_id: target.appId });
  }
  if (decision.hidden === 'org') throw new NotFound('organization', target.orgId ?? '');
  if (decision.hidden === 'app') throw new NotFound('application', target.appId ?? '', undefined, { org_id: target.orgId });
  if (decision.hidden === 'user') throw new NotFound('user', target.userId ?? '');
  throw new Forbidden(`forbidden: ${decision.needs}`, { permission: key, needs: decision.needs });
}

/** Whether `caller` may do `key` on `target` (no throw; for `/perms` and list filtering). */
export async function permitted(caller: Caller, key: PermissionKey, target: PermissionTarget): Promise<boolean> {
  return evaluate(key, await subjectFor(caller, PERMISSIONS[key], target)).allowed;
}

/**
 * May `user` deploy to (or otherwise act on) environment `envId` of app `appId`? Throws `Forbidden` naming the
 * missing role (`NotFound` when the caller cannot see the org or app). For checks outside the route hook, e.g. an
 * automation rule created for an environment: a rule must not let someone deploy where they could not themself.
 */
export async function assertMayDeploy(user: Caller, orgId: string, appId: string, envId: string): Promise<void> {
  await assertPermitted(user, 'env.deploy', { orgId, appId, envId });
}

/** Keys per scope, for `/perms`. */
export function permissionKeysOfScope(...scopes: PermissionScope[]): PermissionKey[] {
  return (Object.keys(PERMISSIONS) as PermissionKey[]).filter((key) => scopes.includes(PERMISSIONS[key].scope));
}

/** The matrix as a Markdown table (docs/rbac.md embeds it between markers; a test keeps them equal). */
export function renderPermissionMatrix(): string {
  const columns = [...ORG_ROLES.map((r) => `org ${r}`), ...APP_ROLES.map((r) => `app ${r}`)];
  const lines = [
    `| permission | scope | ${columns.join(' | ')} | notes |`,
    `|---|---|${columns.map(() => ':-:').join('|')}|---|`,
  ];
  for (const key of Object.keys(PERMISSIONS) as PermissionKey[]) {
    const p: Permission = PERMISSIONS[key];
    const cells = [
      ...ORG_ROLES.map((r) => (p.scope === 'authenticated' ? '✓' : p.org.includes(r) ? '✓' : '')),
      ...APP_ROLES.map((r) => (p.app?.includes(r) ? (p.deployer || p.deployerOnAllAppEnvTypes ? '✓ᴰ' : '✓') : '')),
    ];
    const notes = [p.summary, ...(p.self ? ['also the user themself'] : []), ...(p.deployerOnAllAppEnvTypes ? ['ᴰ deployer on every env type of the app'] : [])];
    lines.push(`| \`${key}\` | ${p.scope} | ${cells.join(' | ')} | ${notes.join('; ')} |`);
  }
  return lines.join('\n');
}
