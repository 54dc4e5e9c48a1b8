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
 *
 * Durable and exactly once: registering a container version queues a job (kind RULES_JOB, one queue per org so
 * versions are evaluated in arrival order) in the transaction that stores the version; the rules worker evaluates
 * it. What each rule did with the version is a row of `automation_rule_runs` (deployed, skipped with the reason,
 * failed); a deploying rule's row is written in the transaction that queues its deployment, so a job resumed after
 * a crash skips the rules it already ran and never deploys twice.
 *
 * A rule deploys as its creator, and the creator's rights are checked again when the rule fires: a creator who was
 * deleted or can no longer deploy to the environment (`assertMayDeploy`) makes the rule skip, recorded with the
 * reason (GET .../rules/{ruleId}/baton/runs) and logged.
 */
import { randomBytes } from 'node:crypto';
import type { JobOutcome } from '../engine/worker.js';
import { Worker } from '../engine/worker.js';
import type { UserRow } from '../org/index.js';
import { BatonError, Forbidden, InvalidInput, NotFound, StoreUnavailable, Timeout } from '../shared/errors.js';
import { assertSafePattern } from '../shared/safe-regex.js';
import type { AutomationRuleRunRow, RuleRunsRepo } from '../store/audit-repo.js';
import type { AutomationRuleRow, CiRepo } from '../store/ci-repo.js';
import type { JobRow, JobsRepo } from '../store/jobs-repo.js';
import type { Executor, Store } from '../store/index.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';

/** The durable job that evaluates the rules for one container artefact version (queue key: the org). */
export const RULES_JOB = 'automation-rules';
const RULES_JOB_ATTEMPTS = 10;
const RULES_RETRY_BASE_MS = 1_000;
const MAX_RUNS_LISTED = 100;

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
  /**
   * Queues a deployment of the delta (behind a running one); returns its id. `within` runs in the transaction that
   * queues it (the rule's run is recorded there, so the deployment and the record commit together).
   */
  deploy(orgId: string, appId: string, envId: string, request: { delta_id: string; comment: string }, actor: string, within: (trx: Executor, deployId: string) => Promise<void>): Promise<string>;
}

export interface RulesWorkerSettings {
  workerId?: string | undefined;
  leaseMs: number;
  pollMs: number;
}

export interface RulesServiceDeps extends RuleDeployDeps {
  store: Store;
  repo: CiRepo;
  runs: RuleRunsRepo;
  jobs: JobsRepo;
  /** NotFound unless the environment exists. */
  requireEnv(orgId: string, appId: string, envId: string): Promise<void>;
  /** The user a rule deploys as; undefined when that user no longer exists. */
  findUser(userId: string): Promise<UserRow | undefined>;
  assertMayDeploy: DeployGuard;
  log?: (message: string) => void;
}

/** What a rule did with one artefact version (`GET .../rules/{ruleId}/baton/runs`). */
export interface RuleRunView {
  artefact_version_id: string;
  outcome: 'deployed' | 'skipped' | 'failed';
  deploy_id?: string;
  reason: string;
  at: string;
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

function toView(row: AutomationRuleRow): RuleView {
  const { style: _style, ...rule } = fromJsonText<StoredRule>(row.rule)!;
  return { id: row.id, ...rule, created_at: row.created_at, updated_at: row.updated_at };
}

function toRunView(row: AutomationRuleRunRow): RuleRunView {
  return { artefact_version_id: row.version_id, outcome: row.outcome as RuleRunView['outcome'], ...(row.deploy_id !== null ? { deploy_id: row.deploy_id } : {}), reason: row.reason, at: row.at };
}

/** Errors that are the rule's (its environment, its creator, its delta), recorded as its outcome; others are retried. */
function isRuleError(error: unknown): error is BatonError {
  return error instanceof BatonError && !(error instanceof StoreUnavailable) && !(error instanceof Timeout);
}

export function createRulesService(deps: RulesServiceDeps, settings: RulesWorkerSettings = { leaseMs: 15_000, pollMs: 250 }) {
  const { repo, runs } = deps;
  const say = (message: string): void => deps.log?.(message);
  async function require(orgId: string, appId: string, envId: string, ruleId: string): Promise<AutomationRuleRow> {
    await deps.requireEnv(orgId, appId, envId);
    const row = await repo.rules.get(orgId, appId, envId, ruleId);
    if (!row) throw new NotFound('automation rule', ruleId, undefined, { org_id: orgId, app_id: appId, env_id: envId });
    return row;
  }

  /** Records a rule's run that deployed nothing; `quiet`: an expected skip (nothing to update), not logged. */
  async function record(row: AutomationRuleRow, versionId: string, outcome: 'skipped' | 'failed', reason: string, quiet = false): Promise<void> {
    await runs.insertIfAbsent({ org_id: row.org_id, version_id: versionId, rule_id: row.id, app_id: row.app_id, env_id: row.env_id, outcome, deploy_id: null, reason, at: nowIso() });
    if (!quiet) say(`automation rule ${row.id} (${row.app_id}/${row.env_id}) ${outcome === 'skipped' ? 'skipped' : 'failed on'} artefact version ${versionId}: ${reason}`);
  }

  /** Why the rule's creator may not deploy with it now; undefined when they may. Other trouble throws (retried). */
  async function creatorRefusal(row: AutomationRuleRow): Promise<string | undefined> {
    const creator = await deps.findUser(row.created_by);
    if (!creator) return `its creator ${row.created_by} no longer exists`;
    try {
      await deps.assertMayDeploy(creator, row.org_id, row.app_id, row.env_id);
      return undefined;
    } catch (error) {
      if (error instanceof Forbidden || error instanceof NotFound) return `its creator ${row.created_by} may no longer deploy to ${row.app_id}/${row.env_id} (${error.message})`;
      throw error;
    }
  }

  /**
   * Runs every active rule of the org against a container version (the rules job); returns the runs of the rules
   * that accepted it. A rule that already ran for this version is not run again. A rule whose environment has
   * nothing to update (no deployment yet, no container of that artefact) is recorded as skipped. One rule failing
   * (e.g. its environment is being deleted) does not stop the others; database trouble throws, and the job is
   * retried from the rules not yet run.
   */
  async function evaluate(orgId: string, version: ArrivedVersion): Promise<(RuleRunView & { rule_id: string; app_id: string; env_id: string })[]> {
    const image = versionImage(version);
    if (image === undefined) return [];
    const results: (RuleRunView & { rule_id: string; app_id: string; env_id: string })[] = [];
    for (const row of await repo.rules.active(orgId)) {
      const rule = fromJsonText<StoredRule>(row.rule)!;
      if (!ruleAccepts(rule, version)) continue;
      const done = await runs.get(orgId, version.id, row.id);
      if (!done) {
        try {
          const refusal = await creatorRefusal(row);
          if (refusal !== undefined) {
            await record(row, version.id, 'skipped', refusal);
          } else {
            const modules = await deps.currentModules(orgId, row.app_id, row.env_id);
            const update = imageUpdates(modules ?? {}, version.name, image);
            if (Object.keys(update).length === 0) {
              await record(row, version.id, 'skipped', modules === undefined ? 'the environment has no deployment yet' : `no container of the environment runs ${version.name} (or all already run ${image})`, true);
            } else {
              const cause = `automation rule ${row.id} (${version.via} ${image}${version.ref !== '' ? ` from ${version.ref}` : ''}${version.commit !== '' ? ` at ${version.commit}` : ''}, artefact version ${version.id})`;
              // A crash between the delta and the deployment leaves an unused delta; the deployment itself and its
              // record commit together, so the resumed job sees the record and does not deploy again.
              const deltaId = await deps.createDelta(orgId, row.app_id, { metadata: { env_id: row.env_id, name: `Auto-deployment: ${image}` }, modules: { update } }, row.created_by);
              await deps.deploy(orgId, row.app_id, row.env_id, { delta_id: deltaId, comment: `Auto-deployment by ${cause}` }, row.created_by, (trx, deployId) =>
                runs.insert({ org_id: orgId, version_id: version.id, rule_id: row.id, app_id: row.app_id, env_id: row.env_id, outcome: 'deployed', deploy_id: deployId, reason: `Auto-deployment by ${cause}`, at: nowIso() }, trx),
              );
            }
          }
        } catch (error) {
          if (!isRuleError(error)) throw error;
          await record(row, version.id, 'failed', error.message);
        }
      }
      const run = await runs.get(orgId, version.id, row.id);
      if (run) results.push({ rule_id: row.id, app_id: row.app_id, env_id: row.env_id, ...toRunView(run) });
    }
    return results;
  }

  async function handle(job: JobRow): Promise<JobOutcome> {
    const { orgId, version } = JSON.parse(job.payload) as { orgId: string; version: ArrivedVersion };
    try {
      await evaluate(orgId, version);
      return 'succeeded';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (job.attempts >= job.max_attempts) {
        say(`automation rules for artefact version ${version.id} of ${orgId}: given up after ${job.attempts} attempts: ${message}`);
        return 'failed';
      }
      say(`automation rules for artefact version ${version.id} of ${orgId}: ${message} (tried again later)`);
      return { retryAt: new Date(Date.now() + RULES_RETRY_BASE_MS * 2 ** Math.min(job.attempts - 1, 10)), error: message };
    }
  }

  const worker = new Worker({
    jobs: deps.jobs,
    dialect: deps.store.dialect,
    kinds: [RULES_JOB],
    ...(settings.workerId !== undefined ? { workerId: `${settings.workerId}/rules` } : {}),
    concurrency: 2,
    leaseMs: settings.leaseMs,
    pollMs: settings.pollMs,
    handler: ({ job }) => handle(job),
    onError: (job, error) => say(`automation rules job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`),
  });

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
    async runs(orgId: string, appId: string, envId: string, ruleId: string): Promise<RuleRunView[]> {
      await require(orgId, appId, envId, ruleId);
      return (await runs.listForRule(orgId, appId, envId, ruleId, MAX_RUNS_LISTED)).map(toRunView);
    },
    /**
     * Queues the evaluation of the org's rules for a container version, in the caller's transaction (the one that
     * stores the version): it happens even if this process stops right after. Call `wake()` once it committed.
     */
    async enqueue(orgId: string, version: ArrivedVersion, trx: Executor): Promise<void> {
      await deps.jobs.enqueue({ id: rulesJobId(orgId, version.id), kind: RULES_JOB, queueKey: `${RULES_JOB}/${orgId}`, payload: { orgId, version }, maxAttempts: RULES_JOB_ATTEMPTS }, trx);
    },
    wake(): void {
      worker.wake();
    },
    worker,
    evaluate,
  };
}
export type RulesService = ReturnType<typeof createRulesService>;

export function rulesJobId(orgId: string, versionId: string): string {
  return `${RULES_JOB}-${orgId}-${versionId}`;
}

