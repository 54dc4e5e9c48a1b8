/**
 * Deploying: `baton score deploy`, `baton deploy delta|set|deploy|env`, `baton rollback`, and the shared
 * `--wait` follower (polls the deployment and follows its log stream; live display on a terminal).
 * The Score module and the progress display (ora) are imported where they are used, not at registration.
 */
import { createInterface } from 'node:readline/promises';
import { readFileSync } from 'node:fs';
import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import type { ScoreIssue } from '../../score/index.js';
import { BatonError, InvalidInput, NotFound } from '../../shared/errors.js';
import { seg } from '../client.js';
import { OperationFailed, UsageError } from '../errors.js';
import type { Progress } from '../render/progress.js';
import { resolveDeltaId, resolveDeployment, resolveSetId } from '../refs.js';
import { collect, commandOf, connect, example, flag, io, list, opt, refScope, text, withConnection } from './common.js';
import type { Connection } from './common.js';

type Row = Record<string, unknown>;

/** The deployment ended but not well; exit code 1 with its errors already printed. */
export class DeploymentFailed extends BatonError {
  readonly code = 'DEPLOYMENT_FAILED';
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'error']);

export interface Deployment {
  id: string;
  status: string;
  set_id?: string;
  delta_id?: string;
  value_set_version_id?: string;
  comment?: string;
  created_at?: string;
  env_id?: string;
  dependency_graph_id?: string;
}

const envPath = (c: Connection, env = c.env()) => `/orgs/${seg(c.org())}/apps/${seg(c.app())}/envs/${seg(env)}`;

/** One log entry (Baton's `{at, phase, level, resource?, message}` or text) as one line. */
export function formatLogEntry(data: string, options: { time?: boolean } = {}): string {
  try {
    const entry = JSON.parse(data) as unknown;
    if (typeof entry !== 'object' || entry === null) return text(entry);
    const e = entry as Row;
    const time = options.time === false ? '' : typeof e.at === 'string' ? e.at : typeof e.timestamp === 'string' ? e.timestamp : '';
    const phase = typeof e.phase === 'string' ? `[${e.phase}] ` : '';
    const level = typeof e.level === 'string' && e.level !== 'info' ? `${e.level.toUpperCase()} ` : '';
    const resource = typeof e.resource === 'string' ? e.resource : typeof e.res_id === 'string' ? `${text(e.type)} ${e.res_id}`.trim() : '';
    const message = typeof e.message === 'string' ? e.message : typeof e.status === 'string' ? e.status : JSON.stringify(e);
    return `${time ? time + ' ' : ''}${level}${phase}${resource ? resource + ': ' : ''}${message}`.trim();
  } catch {
    return data;
  }
}

/** Whether a log entry marks a finished step (shown as ✔/✖ on a terminal) rather than the current activity. */
function stepOutcome(data: string): boolean | undefined {
  try {
    const e = JSON.parse(data) as Row;
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.level === 'error') return false;
    if (/^(provisioned |phase \S+ succeeded|rendered |target )/.test(message)) return true;
    return undefined;
  } catch {
    return undefined;
  }
}

/** Points a server message back at the Score files it concerns (`file:line:column: field: message` lines), if any. */
export type ScoreLocator = (message: string) => string[];

export async function printDeploymentErrors(c: Connection, envId: string, deployId: string, locate?: ScoreLocator): Promise<void> {
  const errors = await c.client.getOptional<Row[]>(`${envPath(c, envId)}/deploys/${seg(deployId)}/errors`);
  for (const e of errors ?? []) {
    const located = locate?.(`${e.scope === 'workload' && typeof e.object_id === 'string' && e.object_id !== '' ? `workload "${e.object_id}": ` : ''}${text(e.message ?? e.summary ?? '')}`) ?? [];
    for (const line of located) io.err(`  ${line}`);
    if (located.length > 0) continue;
    io.err(`  ${text(e.scope ?? '')} ${text(e.object_id ?? '')}: ${text(e.summary ?? e.code ?? '')}${e.message && e.message !== e.summary ? ` - ${text(e.message)}` : ''}`);
  }
}

/** `--overrides-file`, or humctl's `--overrides`; both at once is a usage error. */
function overridesFile(cmd: ReturnType<typeof commandOf>): string | undefined {
  const [long, short] = [opt(cmd, 'overridesFile'), opt(cmd, 'overrides')];
  if (long !== undefined && short !== undefined) throw new UsageError('give --overrides or --overrides-file, not both');
  return long ?? short;
}

/** Follows a deployment to its end; throws DeploymentFailed (exit 1) when it does not succeed. */
export async function waitForDeployment(c: Connection, envId: string, deployId: string, options: { timeoutMs?: number; pollMs?: number; locate?: ScoreLocator } = {}): Promise<Deployment> {
  const { createProgress, liveDisplay } = await import('../render/progress.js');
  const progress: Progress = createProgress({ tty: liveDisplay(process.stderr), write: (text) => io.out(text.replace(/\n$/, '')) });
  const base = `${envPath(c, envId)}/deploys/${seg(deployId)}`;
  const abort = new AbortController();
  const seen = new Set<string>();
  const onLog = (event: string, data: string) => {
    if (event === 'end') return;
    const line = formatLogEntry(data, { time: false });
    if (seen.has(line)) return;
    seen.add(line);
    const outcome = stepOutcome(data);
    if (outcome === undefined) progress.phase(line);
    else progress.step(line, outcome);
  };
  // The log stream is a bonus: without it (older server, proxy dropping SSE), polling alone drives the display.
  const streaming = c.client.stream(`${base}/baton/logs?follow=true`, onLog, abort.signal).catch(() => undefined);
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let deployment: Deployment;
  try {
    for (;;) {
      deployment = await c.client.get<Deployment>(base);
      if (TERMINAL.has(deployment.status)) break;
      if (seen.size === 0) progress.phase(`deployment ${deployId}: ${deployment.status}`);
      if (Date.now() > deadline) throw new DeploymentFailed(`gave up waiting for deployment ${deployId} (still ${deployment.status})`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 400));
    }
  } finally {
    abort.abort();
    await streaming;
  }
  const resources = (await c.client.getOptional<Row[]>(`${envPath(c, envId)}/resources`)) ?? [];
  for (const r of resources.filter((x) => x.deploy_id === deployId)) {
    const line = `${text(r.type)} ${text(r.res_id)} (${text(r.def_id)}): ${text(r.status ?? 'active')}`;
    if (!seen.has(line)) progress.step(line, r.status !== 'failed');
  }
  const ok = deployment.status === 'succeeded';
  progress.finish(`deployment ${deployId} ${deployment.status}`, ok);
  if (!ok) {
    io.err(`deployment ${deployId} ${deployment.status}; errors:`);
    await printDeploymentErrors(c, envId, deployId, options.locate);
    throw new DeploymentFailed(`deployment ${deployId} ${deployment.status}`);
  }
  await printLocalEndpoints(c, envId);
  return deployment;
}

/** Where the local runtime published the workloads' ports (nothing for targets that only hold manifests). */
async function printLocalEndpoints(c: Connection, envId: string): Promise<void> {
  const runtime = await c.client.getOptional<{ modules?: Record<string, { externals?: { ports?: Row[] } }> }>(`${envPath(c, envId)}/runtime`).catch(() => undefined);
  for (const [workload, module] of Object.entries(runtime?.modules ?? {})) {
    for (const port of module.externals?.ports ?? []) {
      io.out(`${workload}: ${text(port.protocol) === 'udp' ? 'udp' : 'http'}://127.0.0.1:${text(port.hostPort)} (port ${text(port.name)} → container ${text(port.containerPort)})`);
    }
  }
}

async function startDeployment(c: Connection, envId: string, body: Row, wait: boolean, locate?: ScoreLocator): Promise<Deployment> {
  const deployment = await c.client.post<Deployment>(`${envPath(c, envId)}/deploys`, body);
  io.out(`deployment ${deployment.id} started in ${c.app()}/${envId} (${deployment.status})`);
  return wait ? waitForDeployment(c, envId, deployment.id, locate ? { locate } : {}) : deployment;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Makes sure the app and env exist; a fresh user's first `score deploy` should just work. */
async function ensureAppAndEnv(c: Connection, created: Created): Promise<void> {
  const orgPath = `/orgs/${seg(c.org())}`;
  if ((await c.client.getOptional(`${orgPath}/apps/${seg(c.app())}`)) === undefined) {
    await c.client.post(`${orgPath}/apps`, { id: c.app(), name: c.app() });
    created.app = true;
    io.out(`app "${c.app()}" did not exist: created it`);
  }
  if ((await c.client.getOptional(envPath(c))) === undefined) {
    await c.client.post(`${orgPath}/apps/${seg(c.app())}/envs`, { id: c.env(), name: c.env(), type: 'development' });
    created.env = true;
    io.out(`env "${c.env()}" did not exist: created it (type development)`);
  }
}

const NAMES_SHOWN = 8;
/** `a, b, c` (at most NAMES_SHOWN, then "… N more") in parentheses, or nothing. */
function names(list: readonly string[]): string {
  if (list.length === 0) return '';
  const shown = list.slice(0, NAMES_SHOWN).join(', ');
  return ` (${shown}${list.length > NAMES_SHOWN ? `, … ${list.length - NAMES_SHOWN} more` : ''})`;
}

/** What the server's plan (PlanView in src/engine/plan.ts) changes, by name, for a person to confirm. */
export function summarizePlan(plan: Row): string {
  const lines: string[] = [];
  const modules = ((plan.set_diff as Row | undefined)?.modules ?? {}) as Row;
  const added = Object.keys((modules.add as Row | undefined) ?? {});
  const removed = (modules.remove as string[] | undefined) ?? [];
  const updated = Object.keys((modules.update as Row | undefined) ?? {}).filter((id) => !added.includes(id));
  lines.push(`workloads: ${added.length} added${names(added)}, ${updated.length} updated${names(updated)}, ${removed.length} removed${names(removed)}`);
  const resources = (plan.resources as Row[] | undefined) ?? [];
  const byAction = new Map<string, string[]>();
  for (const resource of resources) byAction.set(text(resource.action), [...(byAction.get(text(resource.action)) ?? []), `${text(resource.type)} ${text(resource.res_id)}`]);
  const orphaned = ((plan.orphaned as Row[] | undefined) ?? []).map((r) => `${text(r.type)} ${text(r.res_id)}`);
  const actions = [...byAction].sort(([a], [b]) => a.localeCompare(b)).map(([action, list]) => `${list.length} ${action}${action === 'unchanged' ? '' : names(list)}`);
  if (orphaned.length > 0) actions.push(`${orphaned.length} orphaned${names(orphaned)}`);
  lines.push(`resources: ${actions.length > 0 ? actions.join(', ') : 'none'}`);
  const manifests = (plan.manifests ?? {}) as Row;
  const keys = (key: string) => ((manifests[key] as unknown[] | undefined) ?? []).map((m) => (typeof m === 'string' ? m : text((m as Row).key)));
  lines.push(`objects: ${keys('added').length} added${names(keys('added'))}, ${keys('changed').length} changed${names(keys('changed'))}, ${keys('removed').length} removed${names(keys('removed'))}, ${keys('unchanged').length} unchanged`);
  return lines.join('\n');
}

/** The plan changes nothing: same set as the current deployment, no object or resource to create, change or remove. */
export function planIsNoOp(plan: Row): boolean {
  const manifests = (plan.manifests ?? {}) as Row;
  const none = (key: string) => ((manifests[key] as unknown[] | undefined) ?? []).length === 0;
  const resources = (plan.resources as Row[] | undefined) ?? [];
  return (
    typeof plan.base_set_id === 'string' && plan.base_set_id === plan.set_id && typeof plan.from_deploy_id === 'string' && plan.from_deploy_id !== '' &&
    none('added') && none('changed') && none('removed') && resources.every((r) => r.action === 'unchanged') && ((plan.orphaned as unknown[] | undefined) ?? []).length === 0
  );
}

/** What `score deploy` created before it knew whether it would deploy, so a refusal can take it back. */
interface Created {
  app: boolean;
  env: boolean;
  deltaId?: string;
}

async function undoCreated(c: Connection, created: Created): Promise<void> {
  const appPath = `/orgs/${seg(c.org())}/apps/${seg(c.app())}`;
  try {
    if (created.app) {
      await c.client.delete(appPath);
      io.err(`removed app "${c.app()}" again (it was created for this deploy)`);
      return;
    }
    if (created.env) {
      await c.client.delete(envPath(c));
      io.err(`removed env "${c.env()}" again (it was created for this deploy)`);
    }
    if (created.deltaId) await c.client.request('PUT', `${appPath}/deltas/${seg(created.deltaId)}/metadata/archived`, true);
  } catch (error) {
    io.err(`could not clean up after the refused deploy: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Module ids the environment runs now (from its current deployment's set); none when it was never deployed. */
async function deployedWorkloads(c: Connection): Promise<string[]> {
  const env = await c.client.getOptional<{ last_deploy?: Deployment }>(envPath(c));
  const setId = env?.last_deploy?.set_id;
  if (!setId) return [];
  const set = await c.client.get<{ modules?: Row }>(`/orgs/${seg(c.org())}/apps/${seg(c.app())}/sets/${seg(setId)}`);
  return Object.keys(set.modules ?? {});
}

export function registerDeployCommands(program: Command): void {
  const existing = program.commands.find((cmd) => cmd.name() === 'score') as Command | undefined;
  const score: Command = existing ?? program.command('score').description('Score workloads');
  example(
    withConnection(
      score
        .command('deploy')
        .description('convert Score files locally, create a delta and deploy it (creates the app/env if missing)')
        .option('-f, --file <file>', 'Score file (repeatable; not with a --deploy-config that lists the files)', collect, [] as string[])
        .option('--extensions <file>', 'Humanitec extensions file')
        .option('--image <image>', 'image for containers whose image is "."')
        .option('-p, --property <path=value>', 'property override: YAML value; path alone, empty or null deletes (repeatable)', collect, [] as string[])
        .option('--overrides-file <file>', 'YAML document deep-merged into the workload before validation')
        .option('--overrides <file>', "humctl's name for --overrides-file")
        .option('--file-root <dir>', "directory files.*.source may read from (default: the Score file's directory)")
        .option('--workload-source-url <url>', 'sets the humanitec.io/workload-source annotation of the workloads')
        .option(
          '--deploy-config <file>',
          'humctl ScoreDeployConfig (apiVersion config.humanitec.io/v1b1, workloads: [{name, specFile, extensionsFile, image}]) or deploy conditions {when, success, timeout}',
        )
        .option('--comment <text>', 'deployment comment')
        .option('--message <text>', "deployment comment (humctl's name for --comment)")
        .option('--remove', 'remove the workloads the environment runs that are not in these Score files')
        .option('--dry-run', 'show the plan and deploy nothing (creates no app, env or delta that stays)')
        .option('--wait', 'follow the deployment until it ends; exit 1 if it fails')
        .option('--yes', 'do not ask before deploying'),
    ),
    'baton score deploy -f score.yaml --app my-app --env development --image nginx:1.27 --wait',
    'baton score deploy -f score.yaml --dry-run   # the plan only',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const { locateServerError, prepareScoreInput } = await import('./score-input.js');
    const { formatScoreIssue } = await import('./score.js');
    const files = list(cmd, 'file');
    const deployConfig = opt(cmd, 'deployConfig');
    if (files.length === 0 && deployConfig === undefined) throw new UsageError('give the Score files with -f (or a --deploy-config that lists them)');
    let delta: Row;
    let documents: Parameters<typeof locateServerError>[1];
    try {
      const prepared = await prepareScoreInput(
        {
          files,
          image: opt(cmd, 'image'),
          extensions: opt(cmd, 'extensions'),
          properties: list(cmd, 'property'),
          overridesFile: overridesFile(cmd),
          fileRoot: opt(cmd, 'fileRoot'),
          workloadSourceUrl: opt(cmd, 'workloadSourceUrl'),
          deployConfig,
          appId: c.app(),
          envId: c.env(),
        },
        { readTextFile: (path) => readFileSync(path, 'utf8'), readBinaryFile: (path) => readFileSync(path) },
      );
      delta = prepared.delta as unknown as Row;
      documents = prepared.documents;
      for (const warning of prepared.warnings) io.err(formatScoreIssue(warning, 'warning: '));
    } catch (error) {
      const issues = error instanceof InvalidInput ? (error.details.issues as ScoreIssue[] | undefined) : undefined;
      if (issues) for (const i of issues) io.err(formatScoreIssue(i));
      throw error;
    }
    const dryRun = flag(cmd, 'dryRun');
    if (flag(cmd, 'remove')) {
      const keep = Object.keys(((delta.modules as Row).add as Row | undefined) ?? {});
      const gone = (await deployedWorkloads(c)).filter((id) => !keep.includes(id));
      if (gone.length > 0) {
        (delta.modules as Row).remove = gone;
        io.out(`--remove: workloads not in the Score files are removed: ${gone.join(', ')}`);
      }
    }
    const created: Created = { app: false, env: false };
    if (dryRun && (await c.client.getOptional(envPath(c))) === undefined) {
      // Nothing is created for a dry run; without the environment there is no plan to show, only what would be sent.
      io.out(`dry run: app/env ${c.app()}/${c.env()} does not exist yet; score deploy would create it and deploy:`);
      io.out(`workloads: ${Object.keys(((delta.modules as Row).add as Row | undefined) ?? {}).join(', ')}`);
      io.out('nothing was changed');
      return;
    }
    await ensureAppAndEnv(c, created);
    const posted = await c.client.post<Row | string>(`/orgs/${seg(c.org())}/apps/${seg(c.app())}/deltas`, delta);
    const deltaId = typeof posted === 'string' ? posted : text(posted.id);
    created.deltaId = deltaId;
    io.out(`delta ${deltaId} created (${Object.keys(((delta.modules as Row).add as Row | undefined) ?? {}).join(', ')})`);
    const comment = opt(cmd, 'message') ?? opt(cmd, 'comment') ?? `score deploy ${[...files, ...(deployConfig !== undefined ? ['--deploy-config', deployConfig] : [])].join(' ')}`;
    let planId: string | undefined;
    try {
      const plan = await c.client.post<Row>(`${envPath(c)}/baton/plans`, { delta_id: deltaId, comment });
      planId = typeof plan.id === 'string' ? plan.id : undefined;
      io.out(`plan${planId ? ` ${planId}` : ''}:\n${summarizePlan(plan)}`);
      for (const warning of Array.isArray(plan.warnings) ? (plan.warnings as unknown[]) : []) {
        const located = locateServerError(String(warning), documents);
        if (located.length === 0) io.err(`warning: ${String(warning)}`);
        for (const issue of located) io.err(formatScoreIssue(issue, 'warning: '));
      }
      if (dryRun) {
        await undoCreated(c, { app: false, env: false, deltaId });
        io.out('dry run: not deployed (the delta is archived)');
        return;
      }
      if (planIsNoOp(plan)) {
        await undoCreated(c, { app: false, env: false, deltaId });
        io.out(`nothing to deploy: ${c.app()}/${c.env()} already runs this (deployment ${text(plan.from_deploy_id)}); no deployment created`);
        return;
      }
      if (!flag(cmd, 'yes') && io.stdinIsTty() && process.stderr.isTTY === true && !(await confirm('deploy this plan?'))) {
        await undoCreated(c, created);
        io.out('not deployed');
        return;
      }
    } catch (error) {
      // The plan renders what it can (template and echo drivers run): when that already fails, so would the
      // deployment, and nothing is deployed; what this command created is taken back.
      if (error instanceof InvalidInput) {
        await undoCreated(c, created);
        // A problem in a workload (e.g. a placeholder nothing provides) is shown at its place in the Score file.
        const located = locateServerError(error.message, documents);
        for (const issue of located) io.err(formatScoreIssue(issue));
        throw new OperationFailed(`not deployed: ${located[0]?.message ?? error.message}`);
      }
      if (!(error instanceof NotFound && error.details.routeMissing === true)) {
        await undoCreated(c, created);
        throw error;
      }
      if (dryRun) {
        await undoCreated(c, created);
        io.out('dry run: this server offers no plans; not deployed');
        return;
      }
    }
    const locate: ScoreLocator = (message) => locateServerError(message, documents).map((issue) => formatScoreIssue(issue));
    await startDeployment(c, c.env(), { delta_id: deltaId, comment, ...(planId ? { plan_id: planId } : {}) }, flag(cmd, 'wait'), locate);
  });

  example(
    withConnection(score.command('available-resource-types').description('the resource types (and classes) a Score file can ask for: those some resource definition of the org provides').option('-o, --output <format>', 'table|json')),
    'baton score available-resource-types',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const defs = await c.client.get<Row[]>(`/orgs/${seg(c.org())}/resources/defs`);
    const { availableResourceTypes } = await import('../render/resource-types.js');
    const rows = availableResourceTypes(defs);
    const { render } = await import('../render/format.js');
    const format = opt(cmd, 'output') ?? (io.stdoutIsTty() ? 'table' : 'json');
    if (format !== 'table' && format !== 'json') throw new UsageError('-o must be table or json');
    io.out(
      render(rows, format, [
        { header: 'TYPE', value: (r) => r.type },
        { header: 'CLASS', value: (r) => r.class },
        { header: 'DEFINITIONS', value: (r) => r.definitions.join(', ') },
      ]),
    );
  });

  const deploy = program.command('deploy').description('deploy a delta, a set, an earlier deployment, or another environment');
  example(deploy, 'baton deploy delta 0a1b2c development --app my-app --wait');
  const common = <C extends CommandUnknownOpts>(sub: C, ...examples: string[]) =>
    example(withConnection(sub.option('--comment <text>', 'deployment comment').option('--wait', 'follow the deployment until it ends')), ...examples);

  common(deploy.command('delta').description('deploy a delta to an environment').argument('<deltaId>', 'delta id or a unique prefix of it').argument('<env>', 'environment id'), 'baton deploy delta 0a1b2c development --app my-app').action(
    async (...args: unknown[]) => {
      const cmd = commandOf(args);
      const [deltaRef, envId] = args as [string, string];
      const c = connect(cmd);
      const deltaId = await resolveDeltaId(refScope(c), deltaRef);
      await startDeployment(c, envId, { delta_id: deltaId, comment: opt(cmd, 'comment') ?? `deploy delta ${deltaId}` }, flag(cmd, 'wait'));
    },
  );
  common(deploy.command('set').description('deploy a deployment set to an environment').argument('<setId>', 'set id').argument('<env>', 'environment id'), 'baton deploy set 4f2e... staging --app my-app').action(
    async (...args: unknown[]) => {
      const cmd = commandOf(args);
      const [setRef, envId] = args as [string, string];
      const c = connect(cmd);
      const setId = await resolveSetId(refScope(c), setRef);
      await startDeployment(c, envId, { set_id: setId, comment: opt(cmd, 'comment') ?? `deploy set ${setId}` }, flag(cmd, 'wait'));
    },
  );
  common(
    deploy.command('deploy').description('redeploy an earlier deployment (its set and values) to an environment').argument('<deployId>', 'deployment id').argument('<env>', 'environment id').option('--from-env <env>', 'environment the deployment ran in (default: the target)'),
    'baton deploy deploy 17a0c2e1 development --app my-app',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const [deployId, envId] = args as [string, string];
    const c = connect(cmd);
    const fromEnv = opt(cmd, 'fromEnv') ?? envId;
    const resolved = await resolveDeployment(refScope(c), deployId, fromEnv);
    const source = await c.client.get<Deployment>(`${envPath(c, resolved.env)}/deploys/${seg(resolved.id)}`);
    await startDeployment(c, envId, { set_id: source.set_id, ...(source.value_set_version_id ? { value_set_version_id: source.value_set_version_id } : {}), comment: opt(cmd, 'comment') ?? `redeploy of ${source.id}` }, flag(cmd, 'wait'));
  });
  common(
    deploy
      .command('env')
      .description("deploy one environment's current set to another (clone); with one environment, redeploy its current deployment")
      .argument('<source>', 'source environment (alone: the environment to redeploy)')
      .argument('[target]', 'target environment'),
    'baton deploy env development staging --app my-app --wait',
    'baton deploy env development --app my-app   # redeploy development as it is',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const [source, target] = args as [string, string | undefined];
    const c = connect(cmd);
    const env = await c.client.get<{ last_deploy?: Deployment }>(envPath(c, source));
    const last = env.last_deploy;
    if (!last?.set_id) throw new UsageError(`environment "${source}" has never been deployed`);
    if (target === undefined) {
      // humctl's redeploy: the same set and the same values as the current deployment.
      const body = { set_id: last.set_id, ...(last.value_set_version_id ? { value_set_version_id: last.value_set_version_id } : {}), comment: opt(cmd, 'comment') ?? `redeploy of ${last.id}` };
      await startDeployment(c, source, body, flag(cmd, 'wait'));
      return;
    }
    await startDeployment(c, target, { set_id: last.set_id, comment: opt(cmd, 'comment') ?? `clone of ${source} (${last.id})` }, flag(cmd, 'wait'));
  });

  example(
    withConnection(
      program
        .command('rollback')
        .description('redeploy the last succeeded deployment before the current one (or --to a given one)')
        .argument('<env>', 'environment id')
        .option('--to <deployId>', 'deployment to return to')
        .option('--comment <text>', 'deployment comment')
        .option('--wait', 'follow the deployment until it ends'),
    ),
    'baton rollback production --app my-app --wait',
    'baton rollback production --to 17a0c2e1',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const envId = args[0] as string;
    const c = connect(cmd);
    const to = opt(cmd, 'to');
    const target = to !== undefined ? await c.client.get<Deployment>(`${envPath(c, envId)}/deploys/${seg(await resolveDeployment(refScope(c), to, envId).then((d) => d.id))}`) : pickRollbackTarget(await c.client.get<Deployment[]>(`${envPath(c, envId)}/deploys`));
    if (!target) throw new NotFound('deployment', envId, `no succeeded deployment before the current one in "${envId}" to roll back to`);
    await startDeployment(c, envId, { set_id: target.set_id, ...(target.value_set_version_id ? { value_set_version_id: target.value_set_version_id } : {}), comment: opt(cmd, 'comment') ?? `rollback to ${target.id}` }, flag(cmd, 'wait'));
  });
}

/** The last succeeded deployment older than the newest one (the list may come in either order). */
export function pickRollbackTarget(deployments: readonly Deployment[]): Deployment | undefined {
  const newestFirst = [...deployments].sort((a, b) => (a.created_at ?? '') < (b.created_at ?? '') ? 1 : (a.created_at ?? '') > (b.created_at ?? '') ? -1 : 0);
  return newestFirst.slice(1).find((d) => d.status === 'succeeded');
}
