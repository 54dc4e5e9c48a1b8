/**
 * Automation rules (`/orgs/{o}/apps/{a}/envs/{e}/rules`): when a container artefact version arrives, every active
 * rule of the org whose filter and ref regex accept it makes a delta that points each container whose image belongs
 * to that artefact at the new version, and deploys it to the rule's environment (queued behind a running
 * deployment) as the rule's creator. Matching is pure (`ruleAccepts`); the service does the I/O.
 *
 * Two styles, never mixed (400): the current one (`artefacts_filter`, `exclude_artefacts_filter`, `match_ref` on the
 * version's ref) and the deprecated one (`images_filter` of image ids, `exclude_images_filter`, `update_to`
 * `branch`|`tag`, `match` on the branch or tag name). An image id is the last path segment of the artefact name.
 *
 * Regexes are checked when the rule is stored: one that does not compile, or that could backtrack exponentially
 * (src/shared/safe-regex.ts), is 400, so evaluating rules never hangs; refs are at most MAX_REF_LENGTH long.
 */
import { randomBytes } from 'node:crypto';
import type { UserRow } from '../org/index.js';
import { InvalidInput, NotFound } from '../shared/errors.js';
import { assertSafePattern } from '../shared/safe-regex.js';
import type { AutomationRuleRow, CiRepo } from '../store/ci-repo.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';

export const MAX_REF_LENGTH = 1024;
export const MAX_PATTERN_LENGTH = 1024;

/**
 * May `user` deploy to this environment? Throws `Forbidden` when not. Rule creation and update ask it for the
 * rule's environment, so a rule cannot deploy where its creator could not. Injected by the composition root.
 */
export type DeployGuard = (user: UserRow, orgId: string, appId: string, envId: string) => Promise<void>;

/** The default until roles exist: everyone who may call the API may deploy. */
export const allowAllDeployGuard: DeployGuard = () => Promise.resolve();

export interface RuleRequest {
  type: string;
  active?: boolean | undefined;
  artefacts_filter?: string[] | undefined;
  exclude_artefacts_filter?: boolean | undefined;
  match_ref?: string | undefined;
  images_filter?: string[] | undefined;
  exclude_images_filter?: boolean | undefined;
  update_to?: string | undefined;
  match?: string | undefined;
}

/** A rule as stored: every field set; `style` says which fields it is evaluated with. */
export interface StoredRule {
  style: 'artefacts' | 'images';
  type: 'update';
  active: boolean;
  artefacts_filter: string[];
  exclude_artefacts_filter: boolean;
  match_ref: string;
  images_filter: string[];
  exclude_images_filter: boolean;
  update_to: 'branch' | 'tag';
  match: string;
}

export interface RuleView extends Omit<StoredRule, 'style'> {
  id: string;
  created_at: string;
  updated_at: string;
}

const NEW_FIELDS = ['artefacts_filter', 'exclude_artefacts_filter', 'match_ref'] as const;
const OLD_FIELDS = ['images_filter', 'exclude_images_filter', 'update_to', 'match'] as const;

function checkPattern(field: string, pattern: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new InvalidInput(`${field}: at most ${MAX_PATTERN_LENGTH} characters`, { field });
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new InvalidInput(`${field}: not a valid regular expression: ${(error as Error).message}`, { field, pattern });
  }
  assertSafePattern(pattern, field);
}

/** Validates a request into the stored form (400 on mixed styles, a bad `type`/`update_to` or a bad regex). */
export function parseRule(body: RuleRequest): StoredRule {
  if (body.type !== 'update') throw new InvalidInput('type: must be "update"', { field: 'type' });
  const usesNew = NEW_FIELDS.some((f) => body[f] !== undefined);
  const usesOld = OLD_FIELDS.some((f) => body[f] !== undefined);
  if (usesNew && usesOld) {
    throw new InvalidInput(`an automation rule uses either ${NEW_FIELDS.join(', ')} or the deprecated ${OLD_FIELDS.join(', ')}, not both`, { field: 'images_filter' });
  }
  const updateTo = body.update_to ?? 'branch';
  if (updateTo !== 'branch' && updateTo !== 'tag') throw new InvalidInput('update_to: must be "branch" or "tag"', { field: 'update_to' });
  const matchRef = body.match_ref ?? '';
  const match = body.match ?? '';
  checkPattern('match_ref', matchRef);
  checkPattern('match', match);
  return {
    style: usesOld ? 'images' : 'artefacts',
    type: 'update',
    active: body.active ?? true,
    artefacts_filter: body.artefacts_filter ?? [],
    exclude_artefacts_filter: body.exclude_artefacts_filter ?? false,
    match_ref: matchRef,
    images_filter: body.images_filter ?? [],
    exclude_images_filter: body.exclude_images_filter ?? false,
    update_to: updateTo,
    match,
  };
}

/** The image id of an artefact name (`registry.example.com/team/web` → `web`). */
export function imageIdOf(artefactName: string): string {
  return artefactName.slice(artefactName.lastIndexOf('/') + 1);
}

function filterAccepts(filter: readonly string[], exclude: boolean, value: string): boolean {
  if (filter.length === 0) return true;
  return filter.includes(value) !== exclude;
}

/** Does the rule accept a container artefact version named `name` built from `ref`? */
export function ruleAccepts(rule: StoredRule, version: { name: string; ref: string }): boolean {
  if (!rule.active || version.ref.length > MAX_REF_LENGTH) return false;
  if (rule.style === 'artefacts') {
    if (!filterAccepts(rule.artefacts_filter, rule.exclude_artefacts_filter, version.name)) return false;
    return rule.match_ref === '' || new RegExp(rule.match_ref, 'u').test(version.ref);
  }
  if (!filterAccepts(rule.images_filter, rule.exclude_images_filter, imageIdOf(version.name))) return false;
  const prefix = rule.update_to === 'tag' ? 'refs/tags/' : 'refs/heads/';
  if (!version.ref.startsWith(prefix)) return false;
  return rule.match === '' || new RegExp(rule.match, 'u').test(version.ref.slice(prefix.length));
}

/** The repository part of an image reference: `reg:5000/team/web:1.2@sha256:…` → `reg:5000/team/web`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The image a version stands for: `name:version`, else `name@digest`; undefined when it has neither. */
export function versionImage(version: { name: string; version: string; digest: string }): string | undefined {
  if (version.version !== '') return `${version.name}:${version.version}${version.digest !== '' ? `@${version.digest}` : ''}`;
  if (version.digest !== '') return `${version.name}@${version.digest}`;
  return undefined;
}

type SetModules = Record<string, { spec?: { containers?: Record<string, { image?: unknown }> } }>;

/** JSON-patch updates per module pointing every container of `artefactName` at `image` (none when none uses it). */
export function imageUpdates(modules: SetModules, artefactName: string, image: string): Record<string, { op: 'replace'; path: string; value: string }[]> {
  const updates: Record<string, { op: 'replace'; path: string; value: string }[]> = {};
  for (const [moduleId, module] of Object.entries(modules)) {
    for (const [containerId, container] of Object.entries(module.spec?.containers ?? {})) {
      if (typeof container.image !== 'string' || imageRepository(container.image) !== artefactName || container.image === image) continue;
      const escaped = containerId.replace(/~/g, '~0').replace(/\//g, '~1');
      (updates[moduleId] ??= []).push({ op: 'replace', path: `/spec/containers/${escaped}/image`, value: image });
    }
  }
  return updates;
}

export interface RuleDeployDeps {
  /** The modules of the set the environment's next deployment builds on; undefined before its first deployment. */
  currentModules(orgId: string, appId: string, envId: string): Promise<SetModules | undefined>;
  /** Creates a delta; returns its id. */
  createDelta(orgId: string, appId: string, body: unknown, actor: string): Promise<string>;
  /** Queues a deployment of the delta (behind a running one); returns its id. */
  deploy(orgId: string, appId: string, envId: string, request: { delta_id: string; comment: string }, actor: string): Promise<string>;
}

export interface RulesServiceDeps extends RuleDeployDeps {
  repo: CiRepo;
  /** NotFound unless the environment exists. */
  requireEnv(orgId: string, appId: string, envId: string): Promise<void>;
  assertMayDeploy: DeployGuard;
  log?: (message: string) => void;
}

/** A container artefact version that just arrived (or a build of the image API). */
export interface ArrivedVersion {
  id: string;
  name: string;
  version: string;
  ref: string;
  commit: string;
  digest: string;
  /** How it arrived, for the deployment comment (`image build`, `artefact version`). */
  via: string;
}

export interface TriggeredDeployment {
  rule_id: string;
  app_id: string;
  env_id: string;
  deploy_id: string;
}

function toView(row: AutomationRuleRow): RuleView {
  const { style: _style, ...rule } = fromJsonText<StoredRule>(row.rule)!;
  return { id: row.id, ...rule, created_at: row.created_at, updated_at: row.updated_at };
}

export function createRulesService(deps: RulesServiceDeps) {
  const { repo } = deps;
  async function require(orgId: string, appId: string, envId: string, ruleId: string): Promise<AutomationRuleRow> {
    await deps.requireEnv(orgId, appId, envId);
    const row = await repo.rules.get(orgId, appId, envId, ruleId);
    if (!row) throw new NotFound('automation rule', ruleId, undefined, { org_id: orgId, app_id: appId, env_id: envId });
    return row;
  }
  return {
    async list(orgId: string, appId: string, envId: string): Promise<RuleView[]> {
      await deps.requireEnv(orgId, appId, envId);
      return (await repo.rules.list(orgId, appId, envId)).map(toView);
    },
    async get(orgId: string, appId: string, envId: string, ruleId: string): Promise<RuleView> {
      return toView(await require(orgId, appId, envId, ruleId));
    },
    async create(user: UserRow, orgId: string, appId: string, envId: string, body: RuleRequest): Promise<RuleView> {
      await deps.requireEnv(orgId, appId, envId);
      const rule = parseRule(body);
      await deps.assertMayDeploy(user, orgId, appId, envId);
      const at = nowIso();
      const row: AutomationRuleRow = { org_id: orgId, app_id: appId, env_id: envId, id: randomBytes(8).toString('hex'), rule: toJsonText(rule), active: rule.active ? 1 : 0, created_at: at, created_by: user.id, updated_at: at };
      await repo.rules.insert(row);
      return toView(row);
    },
    /** Replaces the rule; the caller must be allowed to deploy there too. The rule keeps deploying as its creator. */
    async update(user: UserRow, orgId: string, appId: string, envId: string, ruleId: string, body: RuleRequest): Promise<RuleView> {
      await require(orgId, appId, envId, ruleId);
      const rule = parseRule(body);
      await deps.assertMayDeploy(user, orgId, appId, envId);
      await repo.rules.update(orgId, appId, envId, ruleId, { rule: toJsonText(rule), active: rule.active ? 1 : 0 });
      return toView((await repo.rules.get(orgId, appId, envId, ruleId))!);
    },
    async delete(orgId: string, appId: string, envId: string, ruleId: string): Promise<void> {
      await require(orgId, appId, envId, ruleId);
      await repo.rules.delete(orgId, appId, envId, ruleId);
    },
    /**
     * Runs every active rule of the org against a container version that just arrived; returns the deployments
     * it queued. A rule whose environment has nothing to update (no deployment yet, no container of that artefact)
     * deploys nothing. One rule failing (e.g. its environment is being deleted) does not stop the others.
     */
    async onContainerVersion(orgId: string, version: ArrivedVersion): Promise<TriggeredDeployment[]> {
      const image = versionImage(version);
      if (image === undefined) return [];
      const triggered: TriggeredDeployment[] = [];
      for (const row of await repo.rules.active(orgId)) {
        const rule = fromJsonText<StoredRule>(row.rule)!;
        if (!ruleAccepts(rule, version)) continue;
        try {
          const modules = await deps.currentModules(orgId, row.app_id, row.env_id);
          const update = imageUpdates(modules ?? {}, version.name, image);
          if (Object.keys(update).length === 0) continue;
          const cause = `automation rule ${row.id} (${version.via} ${image}${version.ref !== '' ? ` from ${version.ref}` : ''}${version.commit !== '' ? ` at ${version.commit}` : ''}, artefact version ${version.id})`;
          const deltaId = await deps.createDelta(orgId, row.app_id, { metadata: { env_id: row.env_id, name: `Auto-deployment: ${image}` }, modules: { update } }, row.created_by);
          const deployId = await deps.deploy(orgId, row.app_id, row.env_id, { delta_id: deltaId, comment: `Auto-deployment by ${cause}` }, row.created_by);
          triggered.push({ rule_id: row.id, app_id: row.app_id, env_id: row.env_id, deploy_id: deployId });
        } catch (error) {
          deps.log?.(`automation rule ${row.id} (${row.app_id}/${row.env_id}) did not deploy ${image}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return triggered;
    },
  };
}
export type RulesService = ReturnType<typeof createRulesService>;
