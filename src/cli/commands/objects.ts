/**
 * Object commands: `baton get KIND [ID]`, `baton create KIND ...`, `baton delete KIND ID`, `baton apply -f`,
 * and `baton api METHOD PATH` (raw requests). Every kind maps to its Humanitec API path.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { NotFound } from '../../shared/errors.js';
import { HTTP_METHODS, seg } from '../client.js';
import type { ApiClient, HttpMethod } from '../client.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { yaml } from '../lazy.js';
import type { Column } from '../render/format.js';
import { guessColumns, parseGetOutput, render, renderGet } from '../render/format.js';
import { resolveDeltaId, resolveDeploymentId, resolveSetId } from '../refs.js';
import { WATCH_INTERVAL, WATCH_TIMEOUT_DEFAULT, parseWatchInterval, watch } from '../watch.js';
import { collect, commandOf, connect, refScope, example, flag, io, list, opt, text, withConnection, withInterrupt, withOutput } from './common.js';
import type { Connection } from './common.js';

type Row = Record<string, unknown>;
const field = (key: string) => (row: Row) => row[key];

export interface Kind {
  name: string;
  aliases: string[];
  collection(c: Connection): Promise<string> | string;
  item?(c: Connection, id: string): Promise<string> | string;
  columns?: Column<Row>[];
  /** Registered for humctl parity; a 404 on its collection means this server does not offer it yet. */
  optional?: boolean;
  /** Turns what the user typed (a unique prefix, `.`, `+N`) into the object's id. */
  resolve?(c: Connection, ref: string): Promise<string>;
  /** Fills in table columns the list endpoint leaves out. */
  enrich?(c: Connection, rows: Row[]): Promise<Row[]>;
  /** Shown by `get KIND` without an id: this id (e.g. `.` for the newest deployment's errors). */
  defaultId?: string;
}

const org = (c: Connection) => `/orgs/${seg(c.org())}`;
const app = (c: Connection) => `${org(c)}/apps/${seg(c.app())}`;
const env = (c: Connection) => `${app(c)}/envs/${seg(c.env())}`;

async function currentUserId(client: ApiClient): Promise<string> {
  const user = await client.get<{ id: string }>('/current-user');
  return user.id;
}

const deployColumns: Column<Row>[] = [
  { header: 'ID', value: field('id') },
  { header: 'STATUS', value: field('status') },
  { header: 'SET', value: (r) => (typeof r.set_id === 'string' ? r.set_id.slice(0, 12) : '') },
  { header: 'COMMENT', value: field('comment') },
  { header: 'CREATED', value: field('created_at') },
];

export const KINDS: Kind[] = [
  { name: 'orgs', aliases: ['org', 'organizations'], collection: () => '/orgs', item: (_c, id) => `/orgs/${seg(id)}`, columns: [{ header: 'ID', value: field('id') }, { header: 'NAME', value: field('name') }] },
  {
    name: 'apps', aliases: ['app', 'application', 'applications'], collection: (c) => `${org(c)}/apps`, item: (c, id) => `${org(c)}/apps/${seg(id)}`,
    columns: [{ header: 'ID', value: field('id') }, { header: 'NAME', value: field('name') }, { header: 'CREATED', value: field('created_at') }],
  },
  {
    name: 'envs', aliases: ['env', 'environment', 'environments'], collection: (c) => `${app(c)}/envs`, item: (c, id) => `${app(c)}/envs/${seg(id)}`,
    columns: [
      { header: 'ID', value: field('id') }, { header: 'NAME', value: field('name') }, { header: 'TYPE', value: field('type') },
      { header: 'LAST DEPLOY', value: (r) => (r.last_deploy as Row | undefined)?.id }, { header: 'STATUS', value: (r) => (r.last_deploy as Row | undefined)?.status },
    ],
    // The list endpoint has no deployment pointers; each environment's own view has them.
    enrich: (c, rows) => Promise.all(rows.map(async (r) => (r.last_deploy !== undefined || typeof r.id !== 'string' ? r : ((await c.client.getOptional<Row>(`${app(c)}/envs/${seg(r.id)}`)) ?? r)))),
  },
  { name: 'env-types', aliases: ['env-type', 'environment-types'], collection: (c) => `${org(c)}/env-types`, item: (c, id) => `${org(c)}/env-types/${seg(id)}`, columns: [{ header: 'ID', value: field('id') }, { header: 'DESCRIPTION', value: field('description') }] },
  {
    name: 'deltas', aliases: ['delta'], collection: (c) => `${app(c)}/deltas`, item: (c, id) => `${app(c)}/deltas/${seg(id)}`,
    resolve: (c, ref) => resolveDeltaId(refScope(c), ref),
    columns: [
      { header: 'ID', value: field('id') }, { header: 'NAME', value: (r) => (r.metadata as Row | undefined)?.name }, { header: 'ENV', value: (r) => (r.metadata as Row | undefined)?.env_id },
      { header: 'ADD', value: (r) => Object.keys(((r.modules as Row | undefined)?.add as Row | undefined) ?? {}).join(',') },
    ],
  },
  {
    name: 'sets', aliases: ['set', 'deployment-set', 'deployment-sets'], collection: (c) => `${app(c)}/sets`, item: (c, id) => `${app(c)}/sets/${seg(id)}`,
    resolve: (c, ref) => resolveSetId(refScope(c), ref), columns: [{ header: 'ID', value: field('id') }, { header: 'MODULES', value: (r) => Object.keys((r.modules as Row | undefined) ?? {}).join(',') }] },
  {
    name: 'deploys', aliases: ['deploy', 'deployment', 'deployments'], collection: (c) => `${env(c)}/deploys`, item: (c, id) => `${env(c)}/deploys/${seg(id)}`, columns: deployColumns,
    resolve: (c, ref) => resolveDeploymentId(refScope(c), ref),
  },
  {
    name: 'deploy-errors', aliases: ['deploy-error', 'deployment-error', 'deployment-errors'], defaultId: '.',
    collection: (c) => `${env(c)}/deploys`, item: (c, id) => `${env(c)}/deploys/${seg(id)}/errors`,
    resolve: (c, ref) => resolveDeploymentId(refScope(c), ref),
    columns: [{ header: 'SCOPE', value: field('scope') }, { header: 'OBJECT', value: field('object_id') }, { header: 'CODE', value: field('code') }, { header: 'SUMMARY', value: field('summary') }, { header: 'MESSAGE', value: field('message') }],
  },
  {
    name: 'active-resources', aliases: ['active-resource', 'resources'], collection: (c) => `${env(c)}/resources`,
    columns: [{ header: 'TYPE', value: field('type') }, { header: 'CLASS', value: field('class') }, { header: 'RES ID', value: field('res_id') }, { header: 'DEF', value: field('def_id') }, { header: 'STATUS', value: field('status') }],
  },
  {
    name: 'defs', aliases: ['def', 'resource-definitions', 'resource-definition'], collection: (c) => `${org(c)}/resources/defs`, item: (c, id) => `${org(c)}/resources/defs/${seg(id)}`,
    columns: [{ header: 'ID', value: field('id') }, { header: 'TYPE', value: field('type') }, { header: 'DRIVER', value: field('driver_type') }, { header: 'CRITERIA', value: (r) => (Array.isArray(r.criteria) ? r.criteria.length : 0) }],
  },
  { name: 'resource-types', aliases: ['resource-type', 'types'], collection: (c) => `${org(c)}/resources/types`, columns: [{ header: 'TYPE', value: field('type') }, { header: 'NAME', value: field('name') }, { header: 'CATEGORY', value: field('category') }] },
  { name: 'drivers', aliases: ['driver'], collection: (c) => `${org(c)}/resources/drivers`, item: (c, id) => `${org(c)}/resources/drivers/${seg(id)}`, columns: [{ header: 'ID', value: field('id') }, { header: 'TYPE', value: field('type') }, { header: 'TARGET', value: field('target') }] },
  { name: 'workload-profiles', aliases: ['workload-profile', 'profiles'], collection: (c) => `${org(c)}/workload-profiles`, item: (c, id) => `${org(c)}/workload-profiles/${seg(id)}`, columns: [{ header: 'ID', value: field('id') }, { header: 'VERSION', value: field('version') }, { header: 'DESCRIPTION', value: field('description') }] },
  {
    name: 'values', aliases: ['value'], collection: (c) => (c.context.env ? `${env(c)}/values` : `${app(c)}/values`), item: (c, id) => (c.context.env ? `${env(c)}/values/${seg(id)}` : `${app(c)}/values/${seg(id)}`),
    columns: [{ header: 'KEY', value: field('key') }, { header: 'VALUE', value: (r) => (r.is_secret === true ? '(secret)' : r.value) }, { header: 'SOURCE', value: field('source') }, { header: 'DESCRIPTION', value: field('description') }],
  },
  { name: 'users', aliases: ['user'], collection: (c) => `${org(c)}/users`, item: (c, id) => `${org(c)}/users/${seg(id)}`, columns: [{ header: 'ID', value: field('id') }, { header: 'NAME', value: field('name') }, { header: 'ROLE', value: field('role') }, { header: 'TYPE', value: field('type') }] },
  {
    name: 'tokens', aliases: ['token'], collection: async (c) => `/users/${seg(await currentUserId(c.client))}/tokens`, item: async (c, id) => `/users/${seg(await currentUserId(c.client))}/tokens/${seg(id)}`,
    columns: [{ header: 'ID', value: field('id') }, { header: 'TYPE', value: field('type') }, { header: 'DESCRIPTION', value: field('description') }, { header: 'EXPIRES', value: field('expires_at') }],
  },
  { name: 'rules', aliases: ['rule'], optional: true, collection: (c) => `${env(c)}/rules`, item: (c, id) => `${env(c)}/rules/${seg(id)}` },
  { name: 'webhooks', aliases: ['webhook'], optional: true, collection: (c) => `${app(c)}/webhooks`, item: (c, id) => `${app(c)}/webhooks/${seg(id)}` },
  { name: 'artefacts', aliases: ['artefact', 'artifacts'], optional: true, collection: (c) => `${org(c)}/artefacts`, item: (c, id) => `${org(c)}/artefacts/${seg(id)}` },
];

export function findKind(name: string): Kind {
  const kind = KINDS.find((k) => k.name === name || k.aliases.includes(name));
  if (!kind) throw new UsageError(`unknown kind "${name}"; known kinds: ${KINDS.map((k) => k.name).join(', ')}`);
  return kind;
}

/** Deployment statuses after which nothing changes any more (what `get deploy ID -w` waits for). */
const FINISHED_DEPLOYMENT = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'error']);

/** A 404 for a missing endpoint says so plainly instead of "not found". */
function unsupported(kind: Kind, error: unknown): never {
  if (error instanceof NotFound && error.details.routeMissing === true) {
    throw new NotFound('kind', kind.name, `"${kind.name}" is not supported by this server (${error.message})`);
  }
  throw error;
}

/** Reads a JSON or YAML file (or `-` for stdin). */
export function readDataFile(path: string): unknown {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  return yaml().parse(text) as unknown;
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  if (text.startsWith('@')) return readDataFile(text.slice(1));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return yaml().parse(text) as unknown;
  }
}

function rowsOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

export function registerObjectCommands(program: Command): void {
  const kinds = KINDS.map((k) => k.name).join(', ');
  example(
    withConnection(
      program
        .command('get')
        .description(`list objects of a kind, or show one (kinds: ${kinds})`)
        .argument('<kind>', 'object kind')
        .argument('[id]', 'object id; deployments and sets also take a unique prefix, . (newest deployment) and +N (N before it)')
        .option('-o, --output <format>', 'table|wide|json|yaml|name|jsonpath=EXPR (default: table on a terminal, json when piped)')
        .option('--no-headers', 'tables without the header row')
        .option('-w, --watch', 'keep watching: print again on every change; a deployment is followed until it is finished (Ctrl-C ends, exit 0)')
        .option('--interval <seconds>', `with -w: seconds between polls (${WATCH_INTERVAL.minMs / 1000} to ${WATCH_INTERVAL.maxMs / 1000})`, String(WATCH_INTERVAL.defaultMs / 1000))
        .option('--watch-timeout <duration>', 'with -w: end the watch after this long, e.g. 30m, 2h', WATCH_TIMEOUT_DEFAULT),
    ),
    'baton get apps',
    'baton get deploy . -w --app my-app --env development',
    'baton get deploy . --app my-app --env development',
    'baton get deploy-error --app my-app --env development',
    "baton get envs --app my-app -o jsonpath='{.items[*].id}'",
    'baton get deploys --app my-app --env development -o json',
    'baton get def postgres-dev -o yaml',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const kind = findKind(args[0] as string);
    const ref = (args[1] as string | undefined) ?? kind.defaultId;
    const c = connect(cmd);
    const output = parseGetOutput(opt(cmd, 'output'), io.stdoutIsTty());
    const noHeaders = flag(cmd, 'headers') === false;
    let load: () => Promise<unknown>;
    if (ref !== undefined) {
      if (!kind.item) throw new UsageError(`"${kind.name}" has no single-object view; run \`baton get ${kind.name}\``);
      // Resolved once: a watch of `.` keeps following the deployment it started with.
      const path = await kind.item(c, kind.resolve ? await kind.resolve(c, ref) : ref);
      load = () => c.client.get(path);
    } else {
      const path = await kind.collection(c);
      load = async () => {
        const body = await c.client.get(path).catch((error: unknown) => unsupported(kind, error));
        return kind.enrich && Array.isArray(body) && (output.format === 'table' || output.format === 'wide') ? kind.enrich(c, body as Row[]) : body;
      };
    }
    const show = (body: unknown) => renderGet(body, output, kind.columns ?? guessColumns(rowsOf(body)), noHeaders, kind.name.replace(/s$/, ''));
    if (!flag(cmd, 'watch')) {
      io.out(show(await load()));
      return;
    }
    const intervalMs = parseWatchInterval(opt(cmd, 'interval'));
    if (intervalMs === undefined) throw new UsageError(`--interval must be a number of seconds (got "${opt(cmd, 'interval') ?? ''}")`);
    const timeoutMs = parseDuration(opt(cmd, 'watchTimeout') ?? WATCH_TIMEOUT_DEFAULT);
    const followsDeployment = ref !== undefined && kind.name === 'deploys';
    const end = await withInterrupt((signal) =>
      watch({
        load,
        render: show,
        finished: followsDeployment ? (body) => FINISHED_DEPLOYMENT.has(String((body as Row | undefined)?.status)) : undefined,
        out: io.out,
        intervalMs,
        timeoutMs,
        signal,
      }),
    );
    if (end === 'timeout') io.err(`watch ended after ${opt(cmd, 'watchTimeout') ?? WATCH_TIMEOUT_DEFAULT} (--watch-timeout)`);
  });

  example(
    withConnection(
      program
        .command('delete')
        .description('delete one object, or the objects of manifest files (-f, as apply reads them)')
        .argument('[kind]', 'object kind')
        .argument('[id]', 'object id (deployments and sets: prefixes, . and +N)')
        .option('-f, --file <path>', 'manifest file or directory whose objects to delete (repeatable)', collect, [] as string[]),
    ),
    'baton delete app my-app',
    'baton delete def old-postgres',
    'baton delete -f definitions/',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const files = list(cmd, 'file');
    const c = connect(cmd);
    if (files.length > 0) {
      if (args[0] !== undefined && typeof args[0] === 'string') throw new UsageError('give either KIND ID or -f, not both');
      let missing = 0;
      for (const file of manifestFiles(files)) {
        for (const m of readManifests(file)) {
          const path = manifestItemPath(c, m);
          try {
            await c.client.delete(path);
            io.out(`${m.kind}/${m.id} deleted`);
          } catch (error) {
            if (!(error instanceof NotFound)) throw error;
            missing++;
            io.out(`${m.kind}/${m.id} not found`);
          }
        }
      }
      if (missing > 0) throw new NotFound('object', String(missing), `${missing} object${missing === 1 ? '' : 's'} of the manifests did not exist`);
      return;
    }
    if (typeof args[0] !== 'string' || typeof args[1] !== 'string') throw new UsageError('give KIND and ID (e.g. `baton delete app my-app`) or -f FILE');
    const kind = findKind(args[0]);
    const ref = args[1];
    if (!kind.item) throw new UsageError(`"${kind.name}" cannot be deleted by id`);
    const id = kind.resolve ? await kind.resolve(c, ref) : ref;
    await c.client.delete(await kind.item(c, id));
    io.out(`${kind.name.replace(/s$/, '')} "${id}" deleted`);
  });

  example(
    withConnection(program.command('describe').description('one object in detail: its fields, and for a deployment its errors, for an environment its deployment and resources').argument('<kind>', 'object kind').argument('[id]', 'object id (prefixes, . and +N as for get)')),
    'baton describe deploy . --app my-app --env development',
    'baton describe env development --app my-app',
  ).action(async (...args: unknown[]) => {
    const kind = findKind(args[0] as string);
    const ref = (args[1] as string | undefined) ?? kind.defaultId ?? (kind.name === 'deploys' ? '.' : undefined);
    if (ref === undefined || !kind.item) throw new UsageError(`describe needs a ${kind.name.replace(/s$/, '')} id`);
    const c = connect(commandOf(args));
    const id = kind.resolve ? await kind.resolve(c, ref) : ref;
    const body = await c.client.get<Row>(await kind.item(c, id));
    io.out(render(body, 'yaml'));
    if (kind.name === 'deploys') {
      const errors = (await c.client.getOptional<Row[]>(`${env(c)}/deploys/${seg(id)}/errors`)) ?? [];
      io.out(`\nerrors: ${errors.length === 0 ? 'none' : ''}`);
      for (const e of errors) io.out(`  ${text(e.scope)} ${text(e.object_id)}: ${text(e.summary ?? e.code)}${e.message ? ` - ${text(e.message)}` : ''}`);
    }
    if (kind.name === 'envs') {
      const resources = (await c.client.getOptional<Row[]>(`${app(c)}/envs/${seg(id)}/resources`)) ?? [];
      io.out(`\nactive resources: ${resources.length === 0 ? 'none' : ''}`);
      for (const r of resources) io.out(`  ${text(r.type)} ${text(r.res_id)} (${text(r.def_id)}): ${text(r.status ?? 'active')}`);
    }
  });

  registerCreate(program);

  const update = program.command('update').description('change an object in place: delta');
  example(update, 'baton update delta 0a1b2c add /modules/web/spec/containers/main/image nginx:1.27 --app my-app');
  example(
    withOutput(
      withConnection(
        update
          .command('delta')
          .description('one change to a delta: add|replace|remove PATH [VALUE] (VALUE is YAML/JSON)')
          .argument('<id>', 'delta id (or a unique prefix)')
          .argument('<op>', 'add|replace|remove')
          .argument('<path>', '/modules/<workload>[/...] or /shared/<resource>[/...]')
          .argument('[value]', 'the value, YAML or JSON (not for remove)'),
      ),
    ),
    'baton update delta 0a1b2c add /modules/web/spec/containers/main/image nginx:1.27 --app my-app',
    'baton update delta 0a1b2c remove /modules/old-worker --app my-app',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const [ref, op, path, raw] = args as [string, string, string, string | undefined];
    const { deltaEdit } = await import('../delta-edit.js');
    const change = deltaEdit(op, path, raw === undefined ? undefined : (yaml().parse(raw) as unknown));
    const c = connect(cmd);
    const id = await resolveDeltaId(refScope(c), ref);
    const body = await c.client.patch(`${app(c)}/deltas/${seg(id)}`, [change]);
    const format = opt(cmd, 'output');
    io.out(format === 'json' || format === 'yaml' ? render(body, format) : `delta ${id} updated`);
  });
  registerApply(program);

  example(
    withConnection(
      program
        .command('api')
        .description('send a raw request to the API and print the JSON response')
        .argument('<method>', HTTP_METHODS.join('|'))
        .argument('<path>', 'path, e.g. /orgs/local/apps')
        .option('-d, --data <body>', 'request body: JSON, YAML, or @file'),
    ),
    'baton api GET /orgs',
    "baton api POST /orgs/local/apps -d '{\"id\":\"my-app\",\"name\":\"My App\"}'",
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const method = (args[0] as string).toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method)) throw new UsageError(`method must be one of ${HTTP_METHODS.join(', ')}`);
    const c = connect(cmd);
    const response = await c.client.request(method as HttpMethod, args[1] as string, parseBody(opt(cmd, 'data')));
    if (response.body !== undefined) io.out(typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 2));
  });
}

function registerCreate(program: Command): void {
  const create = program.command('create').description('create an object: app, env, env-type, delta, value, token');
  example(create, 'baton create app my-app', 'baton create env staging --type staging --app my-app');

  const printCreated = (cmd: ReturnType<typeof commandOf>, what: string, body: unknown) => {
    const format = opt(cmd, 'output');
    if (format === 'json' || format === 'yaml') io.out(render(body, format));
    else io.out(`${what} created`);
  };

  example(
    withOutput(withConnection(create.command('app').description('create an application (with its default development environment)').argument('<id>', 'application id').option('--name <name>', 'display name (default: the id)'))),
    'baton create app my-app --name "My App"',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const id = args[0] as string;
    const c = connect(cmd);
    const body = await c.client.post(`${org(c)}/apps`, { id, name: opt(cmd, 'name') ?? id });
    printCreated(cmd, `app "${id}"`, body);
  });

  example(
    withOutput(withConnection(create.command('env').description('create an environment in the app').argument('<id>', 'environment id').option('--type <type>', 'environment type', 'development').option('--name <name>', 'display name').option('--from <deployId>', 'deployment to base it on'))),
    'baton create env staging --type staging --app my-app',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const id = args[0] as string;
    const c = connect(cmd);
    const from = opt(cmd, 'from');
    const body = await c.client.post(`${app(c)}/envs`, { id, name: opt(cmd, 'name') ?? id, type: opt(cmd, 'type'), ...(from ? { from_deploy_id: from } : {}) });
    printCreated(cmd, `env "${id}"`, body);
  });

  example(
    withOutput(withConnection(create.command('env-type').description('create an environment type').argument('<id>', 'environment type id').option('--description <text>', 'description'))),
    'baton create env-type staging --description "pre-production"',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const id = args[0] as string;
    const c = connect(cmd);
    const body = await c.client.post(`${org(c)}/env-types`, { id, description: opt(cmd, 'description') ?? '' });
    printCreated(cmd, `env-type "${id}"`, body);
  });

  example(
    withOutput(withConnection(create.command('delta').description('create a deployment delta from a JSON/YAML file (default: an empty delta)').option('-f, --file <file>', 'delta file (- for stdin)').option('--name <name>', 'delta name'))),
    'baton create delta -f delta.json --app my-app --env development',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const file = opt(cmd, 'file');
    const delta = (file ? readDataFile(file) : { modules: {}, shared: [] }) as Row;
    const metadata = { ...((delta.metadata as Row | undefined) ?? {}), ...(c.context.env ? { env_id: c.context.env } : {}), ...(opt(cmd, 'name') ? { name: opt(cmd, 'name') } : {}) };
    const body = await c.client.post(`${app(c)}/deltas`, { ...delta, metadata });
    const id = typeof body === 'string' ? body : (body as Row | undefined)?.id;
    printCreated(cmd, `delta "${text(id)}"`, body);
  });

  example(
    withOutput(
      withConnection(
        create
          .command('value')
          .description('create a shared value (in the env when --env is given, else the app; --env "" for the app)')
          .argument('<key>', 'value key')
          .argument('<value>', 'the value (with --is-secret-ref: the reference in the secret store)')
          .option('--secret', 'store as a secret')
          .option('--is-secret', "store as a secret (humctl's name for --secret)")
          .option('--is-secret-ref', 'the value is a reference to a secret in a secret store, not the secret itself')
          .option('--secret-store <id>', 'with --is-secret-ref: the secret store the reference is in')
          .option('-d, --description <text>', 'description'),
      ),
    ),
    'baton create value DB_USER admin --app my-app',
    'baton create value API_KEY s3cr3t --secret --app my-app --env production',
    'baton create value DB_PASSWORD prod/db/password --is-secret-ref --secret-store vault --app my-app --env production',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const [key, value] = args as [string, string];
    const c = connect(cmd);
    const path = c.context.env ? `${env(c)}/values` : `${app(c)}/values`;
    const store = opt(cmd, 'secretStore');
    if (store !== undefined && !flag(cmd, 'isSecretRef')) throw new UsageError('--secret-store goes with --is-secret-ref');
    const body = await c.client.post(
      path,
      flag(cmd, 'isSecretRef')
        ? { key, is_secret: true, secret_ref: { ref: value, ...(store !== undefined ? { store } : {}) }, description: opt(cmd, 'description') ?? '' }
        : { key, value, is_secret: flag(cmd, 'secret') || flag(cmd, 'isSecret'), description: opt(cmd, 'description') ?? '' },
    );
    printCreated(cmd, `value "${key}"`, body);
  });

  example(
    withOutput(
      withConnection(
        create
          .command('token')
          .description('create an API token for the current user and print it (only this once) on stdout')
          .argument('[id]', 'token id, unique for the user (default: cli-<date>-<random>)')
          .option('--description <text>', 'description')
          .option('--expires-in <duration>', 'lifetime, e.g. 90m, 12h, 30d, 2w (default: never expires)')
          .option('--expires-at <time>', 'expiry as an ISO-8601 UTC time, e.g. 2030-01-31T00:00:00Z'),
      ),
    ),
    'baton create token ci --description "CI pipeline" --expires-in 30d',
    'TOKEN=$(baton create token --expires-in 12h)',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const id = (args[0] as string | undefined) ?? defaultTokenId();
    const expiresIn = opt(cmd, 'expiresIn');
    const expiresAtFlag = opt(cmd, 'expiresAt');
    if (expiresIn !== undefined && expiresAtFlag !== undefined) throw new UsageError('--expires-in and --expires-at exclude each other');
    const expiresAt = expiresIn !== undefined ? new Date(Date.now() + parseDuration(expiresIn)).toISOString() : expiresAtFlag;
    const c = connect(cmd);
    const user = await currentUserId(c.client);
    const body = await c.client.post<Row>(`/users/${seg(user)}/tokens`, { id, type: 'static', description: opt(cmd, 'description') ?? '', ...(expiresAt ? { expires_at: expiresAt } : {}) });
    const format = opt(cmd, 'output');
    if (format === 'json' || format === 'yaml') {
      io.out(render({ id, ...body, ...(expiresAt ? { expires_at: expiresAt } : {}) }, format));
      return;
    }
    io.err(`token "${id}" created${expiresAt ? `, expires ${expiresAt}` : ', never expires'}; it is shown only this once:`);
    io.out(text(body.token ?? ''));
  });
}

/** `cli-20261201-101530-3f9a`: a valid, practically unique token id when none is given. */
function defaultTokenId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `cli-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Files named by -f: a file, or every .yaml/.yml/.json file of a directory (sorted, not recursive). */
export function manifestFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-') return [path];
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path).filter((name) => /\.(ya?ml|json)$/.test(name)).sort().map((name) => join(path, name));
  });
}

interface Manifest {
  kind: string;
  id: string;
  entity: Row;
  file: string;
}

function readManifests(file: string): Manifest[] {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  const out: Manifest[] = [];
  for (const doc of yaml().parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new UsageError(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const manifest = value as { kind?: unknown; metadata?: { id?: unknown }; entity?: unknown };
    if (typeof manifest.kind !== 'string') throw new UsageError(`${file}: a manifest without "kind"`);
    const id = manifest.metadata?.id;
    if (typeof id !== 'string') throw new UsageError(`${file}: ${manifest.kind} without metadata.id`);
    out.push({ kind: manifest.kind, id, entity: (manifest.entity ?? {}) as Row, file });
  }
  return out;
}

type Change = 'created' | 'updated' | 'unchanged';

/** The API path of the object a manifest describes (what `delete -f` removes). */
function manifestItemPath(c: Connection, m: Manifest): string {
  switch (m.kind) {
    case 'Definition':
      return `${org(c)}/resources/defs/${seg(m.id)}`;
    case 'Application':
      return `${org(c)}/apps/${seg(m.id)}`;
    case 'Environment':
      return `${org(c)}/apps/${seg(typeof m.entity.app_id === 'string' ? m.entity.app_id : c.app())}/envs/${seg(m.id)}`;
    case 'EnvironmentType':
      return `${org(c)}/env-types/${seg(m.id)}`;
    case 'DriverDefinition':
    case 'Driver':
      return `${org(c)}/resources/drivers/${seg(m.id)}`;
    default:
      throw new UsageError(`${m.file}: cannot delete kind "${m.kind}" (known: Definition, Application, Environment, EnvironmentType, DriverDefinition)`);
  }
}

/** Creates or updates one non-definition manifest; GET first so re-applying reports "unchanged". */
async function applyOne(c: Connection, m: Manifest): Promise<Change> {
  const put = async (collection: string, item: string, body: Row, compare: string[], update: 'PATCH' | 'PUT'): Promise<Change> => {
    const existing = await c.client.getOptional<Row>(item);
    if (existing === undefined) {
      await c.client.post(collection, body);
      return 'created';
    }
    if (compare.every((key) => body[key] === undefined || JSON.stringify(existing[key]) === JSON.stringify(body[key]))) return 'unchanged';
    const changes = Object.fromEntries(compare.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
    await c.client.request(update, item, update === 'PUT' ? { ...body } : changes);
    return 'updated';
  };
  switch (m.kind) {
    case 'Application':
      return put(`${org(c)}/apps`, `${org(c)}/apps/${seg(m.id)}`, { id: m.id, name: m.entity.name ?? m.id }, ['name'], 'PATCH');
    case 'Environment': {
      const appId = typeof m.entity.app_id === 'string' ? m.entity.app_id : c.app();
      const base = `${org(c)}/apps/${seg(appId)}/envs`;
      return put(base, `${base}/${seg(m.id)}`, { id: m.id, name: m.entity.name ?? m.id, type: m.entity.type ?? 'development' }, ['name'], 'PATCH');
    }
    case 'EnvironmentType':
      return put(`${org(c)}/env-types`, `${org(c)}/env-types/${seg(m.id)}`, { id: m.id, description: m.entity.description ?? '' }, ['description'], 'PATCH');
    case 'DriverDefinition':
    case 'Driver':
      return put(`${org(c)}/resources/drivers`, `${org(c)}/resources/drivers/${seg(m.id)}`, { id: m.id, ...m.entity }, Object.keys(m.entity), 'PUT');
    case 'Definition':
      return put(`${org(c)}/resources/defs`, `${org(c)}/resources/defs/${seg(m.id)}`, { id: m.id, ...m.entity }, Object.keys(m.entity).filter((k) => k !== 'criteria'), 'PUT');
    default:
      throw new UsageError(`${m.file}: kind "${m.kind}" is not supported by apply (Definition, Application, Environment, EnvironmentType, DriverDefinition)`);
  }
}

function registerApply(program: Command): void {
  example(
    withConnection(
      program
        .command('apply')
        .description('create or update objects from Humanitec manifest YAML (kind: Definition, Application, Environment, ...); idempotent')
        .requiredOption('-f, --file <path>', 'a manifest file or a directory of them (repeatable; - for stdin)', collect, [] as string[]),
    ),
    'baton apply -f definitions/',
    'baton apply -f postgres.yaml -f dns.yaml',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const c = connect(cmd);
    const counts: Record<Change, number> = { created: 0, updated: 0, unchanged: 0 };
    const report = (kind: string, id: string, change: Change) => {
      counts[change]++;
      io.out(`${kind}/${id} ${change}`);
    };
    let importAvailable = true;
    for (const file of manifestFiles(list(cmd, 'file'))) {
      const manifests = readManifests(file);
      const definitions = manifests.filter((m) => m.kind === 'Definition');
      // Definitions go through Baton's bulk import (one transaction, criteria included) when the server has it.
      if (definitions.length > 0 && importAvailable) {
        const manifestsYaml = definitions.map((m) => yaml().stringify({ apiVersion: 'entity.humanitec.io/v1b1', kind: 'Definition', metadata: { id: m.id }, entity: m.entity })).join('---\n');
        try {
          const result = await c.client.post<{ created: string[]; updated: string[]; unchanged: string[] }>(`${org(c)}/baton/definitions/import`, { yaml: manifestsYaml, file_name: basename(file) });
          for (const change of ['created', 'updated', 'unchanged'] as const) for (const id of result[change]) report('Definition', id, change);
        } catch (error) {
          if (!(error instanceof NotFound && error.details.routeMissing === true)) throw error;
          importAvailable = false;
        }
      }
      for (const m of manifests) {
        if (m.kind === 'Definition' && importAvailable) continue;
        report(m.kind, m.id, await applyOne(c, m));
      }
    }
    io.out(`${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged`);
  });
}
