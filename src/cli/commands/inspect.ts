/**
 * Inspecting: `baton diff sets|deploys`, `baton logs`, `baton resources graph|explain|test-definition`,
 * `baton status`. test-definition runs locally (no server). The sets module, the driver test harness and the
 * diff renderer are imported by the actions that use them, not at registration.
 */
import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import type { TestDefinitionInputs } from '../../drivers/test-definition.js';
import { NotFound } from '../../shared/errors.js';
import { seg } from '../client.js';
import { UsageError } from '../errors.js';
import { yaml } from '../lazy.js';
import { render } from '../render/format.js';
import { GRAPH_FORMATS, inferWorkloadEdges, toDot, toGraphNodes, toMermaid, toTree } from '../render/graph.js';
import type { ResourceUsage } from '../render/resource-usage.js';
import { resolveDeployment, resolveDeploymentId, resolveSetId } from '../refs.js';
import { commandOf, connect, refScope, example, flag, io, opt, outputFormat, text, withConnection, withOutput } from './common.js';
import type { Connection } from './common.js';
import { formatLogEntry } from './deploy.js';
import type { Deployment } from './deploy.js';

type Row = Record<string, unknown>;
const appPath = (c: Connection) => `/orgs/${seg(c.org())}/apps/${seg(c.app())}`;
const envPath = (c: Connection, env = c.env()) => `${appPath(c)}/envs/${seg(env)}`;

async function printSetDiff(c: Connection, a: string, b: string, labels: { from: string; to: string }): Promise<void> {
  const [left, right] = await Promise.all([c.client.get<Row>(`${appPath(c)}/sets/${seg(a)}`), c.client.get<Row>(`${appPath(c)}/sets/${seg(b)}`)]);
  const strip = (set: Row) => {
    const { id: _id, ...rest } = set;
    return rest;
  };
  const [{ diffSets, formatDeltaSummary, parseSet, summarizeDelta }, { colourDiff, unifiedDiff }] = await Promise.all([import('../../sets/index.js'), import('../render/diff.js')]);
  const { stringify } = yaml();
  const colour = process.stdout.isTTY === true;
  const summary = formatDeltaSummary(summarizeDelta(diffSets(parseSet(strip(left)), parseSet(strip(right)))));
  io.out(colourDiff(summary, colour));
  const text = unifiedDiff(stringify(strip(left), { sortMapEntries: true }), stringify(strip(right), { sortMapEntries: true }), labels);
  if (text !== '') io.out('\n' + colourDiff(text, colour));
}

/**
 * `resources active-resource-usage` on servers without `GET /orgs/{org}/baton/active-resource-usage` (Humanitec, an
 * older Baton): the environments' own listings, one request per app, environment and deployment list.
 */
async function perEnvironmentUsage(c: Connection, org: string, onlyApp: string | undefined, onlyEnv: string | undefined, defId: string | undefined): Promise<ResourceUsage[]> {
  let found: Row[];
  if (defId !== undefined) {
    found = (await c.client.get<Row[]>(`${org}/resources/defs/${seg(defId)}/resources`)).filter((r) => (!onlyApp || r.app_id === onlyApp) && (!onlyEnv || r.env_id === onlyEnv));
  } else {
    const apps = onlyApp ? [onlyApp] : (await c.client.get<Row[]>(`${org}/apps`)).map((a) => text(a.id));
    const perApp = await Promise.all(
      apps.map(async (appId) => {
        const envs = onlyEnv ? [onlyEnv] : (await c.client.get<Row[]>(`${org}/apps/${seg(appId)}/envs`)).map((e) => text(e.id));
        return (await Promise.all(envs.map((envId) => c.client.get<Row[]>(`${org}/apps/${seg(appId)}/envs/${seg(envId)}/resources`)))).flat();
      }),
    );
    found = perApp.flat();
  }
  const { deployIdsNewestFirst, resourceUsage } = await import('../render/resource-usage.js');
  const pairs = [...new Set(found.map((r) => `${text(r.app_id)}/${text(r.env_id)}`))];
  const deploys = new Map(
    await Promise.all(
      pairs.map(async (pair) => {
        const [appId = '', envId = ''] = pair.split('/');
        const list = (await c.client.getOptional<Row[]>(`${org}/apps/${seg(appId)}/envs/${seg(envId)}/deploys`)) ?? [];
        return [pair, deployIdsNewestFirst(list)] as const;
      }),
    ),
  );
  return resourceUsage(found, (appId, envId) => deploys.get(`${appId}/${envId}`) ?? []);
}

export function registerInspectCommands(program: Command): void {
  const diff = program.command('diff').description('show what differs between two sets or two deployments');
  example(diff, 'baton diff deploys 17a0c2e1 2b9f0d44 --app my-app --env development');
  example(withConnection(diff.command('sets').description('diff two deployment sets of the app').argument('<a>', 'from set: id, unique prefix, deploy/. deploy/+N, env/ENV').argument('<b>', 'to set (same forms)')), 'baton diff sets 4f2e9a1c 9a1c0b3d --app my-app', 'baton diff sets deploy/+1 deploy/. --app my-app --env development', 'baton diff sets env/development env/staging --app my-app').action(
    async (...args: unknown[]) => {
      const [a, b] = args as [string, string];
      const c = connect(commandOf(args));
      const [ia, ib] = await Promise.all([resolveSetId(refScope(c), a), resolveSetId(refScope(c), b)]);
      const label = (ref: string, id: string) => (ref === id ? `set ${id}` : `${ref} (set ${id.slice(0, 12)})`);
      await printSetDiff(c, ia, ib, { from: label(a, ia), to: label(b, ib) });
    },
  );
  example(
    withConnection(diff.command('deploys').description("diff two deployments' sets (same environment)").argument('<a>', 'from deployment: id, unique prefix, . or +N').argument('<b>', 'to deployment (same forms)')),
    'baton diff deploys 17a0c2e1 2b9f0d44 --app my-app --env development',
  ).action(async (...args: unknown[]) => {
    const [a, b] = args as [string, string];
    const c = connect(commandOf(args));
    const [ra, rb] = await Promise.all([resolveDeployment(refScope(c), a), resolveDeployment(refScope(c), b)]);
    const [da, db] = await Promise.all([c.client.get<Deployment>(`${envPath(c, ra.env)}/deploys/${seg(ra.id)}`), c.client.get<Deployment>(`${envPath(c, rb.env)}/deploys/${seg(rb.id)}`)]);
    if (!da.set_id || !db.set_id) throw new UsageError('the server returned deployments without set_id');
    await printSetDiff(c, da.set_id, db.set_id, { from: `deploy ${a} (set ${da.set_id.slice(0, 12)})`, to: `deploy ${b} (set ${db.set_id.slice(0, 12)})` });
  });

  example(
    withConnection(program.command('logs').description("print a deployment's log (-f: follow it live)").argument('[deployId]', 'deployment: id, unique prefix, . (newest, the default) or +N', '.').option('-f, --follow', 'keep streaming until the deployment ends')),
    'baton logs 17a0c2e1 --app my-app --env development -f',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const path = `${envPath(c)}/deploys/${seg(await resolveDeploymentId(refScope(c), args[0] as string))}/baton/logs`;
    if (flag(cmd, 'follow')) {
      await c.client.stream(`${path}?follow=true`, (event, data) => {
        if (event !== 'end') io.out(formatLogEntry(data));
      });
      return;
    }
    const body = (await c.client.request('GET', path)).body;
    const entries = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as Row).entries) ? ((body as Row).entries as unknown[]) : undefined;
    if (entries) for (const e of entries) io.out(formatLogEntry(typeof e === 'string' ? e : JSON.stringify(e)));
    else if (typeof body === 'string') {
      // An SSE body read in one go: print each event's data.
      for (const line of body.split('\n')) if (line.startsWith('data:')) io.out(formatLogEntry(line.slice(5).trim()));
    }
  });

  const resources = program.command('resources').description('resource graph, definition matching, and local definition tests');
  example(resources, 'baton resources graph --app my-app --env development -o dot');
  example(
    withOutput(withConnection(resources.command('graph').description("the environment's resource graph (of its last deployment)")), GRAPH_FORMATS),
    'baton resources graph --app my-app --env development -o dot | dot -Tsvg > graph.svg',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const format = outputFormat(cmd, GRAPH_FORMATS);
    const env = await c.client.get<{ last_deploy?: Deployment }>(envPath(c));
    let nodes: unknown[] | undefined;
    const graphId = env.last_deploy?.dependency_graph_id;
    if (graphId) nodes = (await c.client.getOptional<{ nodes?: unknown[] }>(`${envPath(c)}/resources/graphs/${seg(graphId)}`))?.nodes;
    // Without a stored graph, active resources still give the nodes (without edges).
    nodes ??= await c.client.get<unknown[]>(`${envPath(c)}/resources`);
    const graph = inferWorkloadEdges(toGraphNodes(nodes));
    if (format === 'dot') io.out(toDot(graph));
    else if (format === 'mermaid') io.out(toMermaid(graph));
    else if (format === 'tree') io.out(toTree(graph));
    else io.out(render(nodes, format));
  });

  example(
    withOutput(
      withConnection(
        resources
          .command('active-resource-usage')
          .description('which apps and environments use which active resources and definitions, and how many deploys ago each was provisioned (--app/--env narrow it; without --app: every app)')
          .option('--def <defId>', 'only the resources this resource definition provisioned'),
      ),
    ),
    'baton resources active-resource-usage --app my-app --env development',
    'baton resources active-resource-usage --def postgres-dev --env ""',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const org = `/orgs/${seg(c.org())}`;
    const { app: onlyApp, env: onlyEnv } = c.context;
    const defId = opt(cmd, 'def');
    const { resourceUsageFromServer } = await import('../render/resource-usage.js');
    const query = new URLSearchParams({ per_page: '100', ...(onlyApp ? { app: onlyApp } : {}), ...(onlyEnv ? { env: onlyEnv } : {}), ...(defId !== undefined ? { def: defId } : {}) });
    let rows: ResourceUsage[];
    try {
      // Baton answers from one query per page of 100 instead of a request per app and environment.
      rows = resourceUsageFromServer(await c.client.getAllPages<Row>(`${org}/baton/active-resource-usage?${query.toString()}`));
    } catch (error) {
      // Any 404 falls back, not only Baton's route-missing one: a Humanitec server's 404 for a path it does not
      // serve carries no such mark, and a genuine 404 (no such app or definition) is answered again, the same, by
      // the per-environment requests.
      if (!(error instanceof NotFound)) throw error;
      rows = await perEnvironmentUsage(c, org, onlyApp, onlyEnv, defId);
    }
    const format = outputFormat(cmd);
    if (format !== 'table') {
      io.out(render(rows, format));
      return;
    }
    if (rows.length === 0) {
      io.out('No active resources found.');
      return;
    }
    io.out(
      render(rows, 'table', [
        { header: 'APP', value: (r) => r.app_id },
        { header: 'ENV', value: (r) => r.env_id },
        { header: 'TYPE', value: (r) => r.type },
        { header: 'CLASS', value: (r) => r.class },
        { header: 'RES ID', value: (r) => r.res_id },
        { header: 'DEFINITION', value: (r) => r.def_id },
        { header: 'USAGE', value: (r) => r.usage },
      ]),
    );
  });

  example(
    withOutput(
      withConnection(
        resources
          .command('explain')
          .description('which resource definition a resource matches in an environment, and why the others do not')
          .argument('<type>', 'resource type, e.g. postgres')
          .option('--class <class>', 'resource class', 'default')
          .option('--res-id <resId>', 'resource id, e.g. modules.api.externals.db or shared.dns (default: the type)'),
      ),
    ),
    'baton resources explain postgres --res-id modules.api.externals.db --app my-app --env development',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const type = args[0] as string;
    const query = new URLSearchParams({ app: c.app(), env: c.env(), type, class: opt(cmd, 'class') ?? 'default', res_id: opt(cmd, 'resId') ?? type });
    const body = await c.client.get<Row>(`/orgs/${seg(c.org())}/baton/match?${query.toString()}`);
    const format = outputFormat(cmd);
    if (format !== 'table') {
      io.out(render(body, format));
      return;
    }
    io.out(text(body.message ?? ''));
    const candidates = (body.candidates as Row[] | undefined) ?? [];
    if (candidates.length > 0) {
      io.out(
        render(candidates, 'table', [
          { header: 'DEFINITION', value: (r: Row) => r.def_id },
          { header: 'CRITERIA', value: (r: Row) => r.criteria_id },
          { header: 'MATCHES', value: (r: Row) => (r.matches === true ? 'yes' : 'no') },
          { header: 'SPECIFICITY', value: (r: Row) => r.specificity },
          { header: 'REASON', value: (r: Row) => r.reason },
        ]),
      );
    }
  });

  example(
    withOutput(
      resources
        .command('test-definition')
        .description('render a resource definition locally with given inputs (secrets masked unless --show-secrets)')
        .argument('<definition>', 'Definition manifest YAML')
        .option('--inputs <file>', 'inputs YAML: {resource, placeholders, cookie, secretRefs, driverSecrets}')
        .option('--show-secrets', 'print secret outputs in full'),
      ['yaml', 'json'],
    ),
    'baton resources test-definition postgres.yaml --inputs inputs.yaml',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const inputsFile = opt(cmd, 'inputs');
    const inputs = (inputsFile ? yaml().parse(readFileSync(inputsFile, 'utf8')) : {}) as TestDefinitionInputs | null;
    const { maskSecrets, testDefinition } = await import('../../drivers/test-definition.js');
    const result = await testDefinition(readFileSync(args[0] as string, 'utf8'), inputs ?? {});
    const shown = flag(cmd, 'showSecrets') ? result : maskSecrets(result);
    io.out(render(shown, opt(cmd, 'output') ?? 'yaml'));
  });

  example(
    withOutput(withConnection(program.command('status').description('every environment of the app with its last deployment, and the age key Secrets in the gitops repository are encrypted to'))),
    'baton status --app my-app',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const listed = await c.client.get<Row[]>(`${appPath(c)}/envs`);
    // The list may leave out last_deploy; the single-env view has it.
    const envs = await Promise.all(listed.map(async (e) => (e.last_deploy === undefined ? c.client.get<Row>(`${appPath(c)}/envs/${seg(text(e.id))}`) : e)));
    const rows = envs.map((e) => {
      const last = e.last_deploy as Deployment | undefined;
      return { env: e.id, type: e.type, deploy: last?.id ?? '', status: last?.status ?? 'never deployed', when: last?.created_at ?? '', comment: last?.comment ?? '' };
    });
    const format = outputFormat(cmd);
    // Where the embedded gitops repository is and how a cluster decrypts its Secrets (a server without the route: nothing).
    const gitops = format === 'table' ? await c.client.get<Row>(`/orgs/${seg(c.org())}/baton/gitops`).catch(() => undefined) : undefined;
    const gitopsLines = gitops
      ? `gitops repository: ${text(gitops.repository)}${gitops.remote !== undefined ? ` (remote ${text(gitops.remote)})` : ''}\n` +
        `Secrets are SOPS-encrypted to the age public key ${text(gitops.age_recipient)}; give Flux (or KSOPS) the key once:\n` +
        `  ${text(gitops.sops_age_secret_command)}\n`
      : '';
    io.out(
      format === 'table'
        ? `app ${c.app()} (org ${c.org()}) at ${c.context.url}\n` +
            gitopsLines +
            render(rows, 'table', [
              { header: 'ENV', value: (r) => r.env },
              { header: 'TYPE', value: (r) => r.type },
              { header: 'LAST DEPLOY', value: (r) => r.deploy },
              { header: 'STATUS', value: (r) => r.status },
              { header: 'WHEN', value: (r) => r.when },
              { header: 'COMMENT', value: (r) => r.comment },
            ])
        : render(rows, format),
    );
    if (format === 'table') await printLocalRuntime(c, envs.map((e) => text(e.id)));
  });
}

/** Workloads the local runtime runs (pod and container states, published ports); silent for manifest targets. */
async function printLocalRuntime(c: Connection, envIds: readonly string[]): Promise<void> {
  for (const envId of envIds) {
    const runtime = await c.client
      .getOptional<{ modules?: Record<string, { externals?: { ports?: Row[] } } & Record<string, unknown>> }>(`${appPath(c)}/envs/${seg(envId)}/runtime`)
      .catch(() => undefined);
    const modules = Object.entries(runtime?.modules ?? {});
    if (modules.length === 0) continue;
    io.out(`\nrunning locally in ${envId}:`);
    for (const [workload, module] of modules) {
      const controller = module[workload] as { status?: string; pods?: { status?: string; containerStatuses?: { name?: string; state?: Record<string, unknown> }[] }[] } | undefined;
      const pod = controller?.pods?.[0];
      const containers = (pod?.containerStatuses ?? []).map((cs) => `${text(cs.name)}=${Object.keys(cs.state ?? {})[0] ?? '?'}`).join(', ');
      const ports = (module.externals?.ports ?? []).map((p) => `http://127.0.0.1:${text(p.hostPort)}`).join(' ');
      io.out(`  ${workload}: ${text(pod?.status ?? controller?.status ?? '?')} [${containers}] ${ports}`.trimEnd());
    }
  }
}
