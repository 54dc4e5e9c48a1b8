import { childProcessEnv } from '../shared/child-env.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { cp, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import {
  MANIFEST_LOCATIONS,
  type DeprovisionRequest,
  MAX_DRIVER_ANSWER_BYTES,
  type Driver,
  type DriverLog,
  type DriverManifest,
  type JsonObject,
  type ManifestLocation,
  type ProvisionRequest,
  type ProvisionResult,
} from './contract.js';
import { throwIfAborted } from './infra/cancel.js';
import { redact } from './infra/failures.js';
import { acquireFileLock } from './infra/file-lock.js';
import { acquirePgAdvisoryLock } from './infra/pg-lock.js';
import { parseInputs } from './infra/inputs.js';
import { deriveName } from './infra/naming.js';

const TerraformValues = Type.Object({
  /** Inline HCL, written as the module's `main.tf`. */
  script: Type.Optional(Type.String({ minLength: 1 })),
  /** A module directory on this machine (`path`), or a git repository (`url` + `rev`, `path` inside it). */
  source: Type.Optional(
    Type.Object({
      path: Type.Optional(Type.String({ minLength: 1 })),
      url: Type.Optional(Type.String({ minLength: 1 })),
      rev: Type.Optional(Type.String({ minLength: 1 })),
    }),
  ),
  variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Maps fields of the driver account to Terraform variables and environment variables. */
  credentials_config: Type.Optional(
    Type.Object({
      variables: Type.Optional(Type.Record(Type.String(), Type.String())),
      environment: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  ),
  /** Name of an output holding manifests: a list of `{location, data, name?}` or a map name → `{location, data}`. */
  manifests_output: Type.Optional(Type.String({ minLength: 1 })),
});

const TerraformSecrets = Type.Object({
  /** Secret variables; merged over `values.variables` and kept out of the logs. */
  variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

type Values = Static<typeof TerraformValues>;

export interface TerraformDriverOptions {
  /** Root of the per-resource working directories and state (`<data dir>/terraform` in a server). */
  stateDir: string;
  /** The terraform binary (config `BATON_TERRAFORM_BIN`). Default `terraform` on PATH. */
  terraformBin?: string;
  /** How long a provision waits for another run on the same resource. Default 15 minutes. */
  lockTimeoutMs?: number;
  /**
   * Keep state in PostgreSQL with Terraform's `pg` backend (Baton on PostgreSQL): one workspace per GUResID in
   * `schemaName`, the backend's advisory locks as the lock. The working directory is then only a cache.
   */
  pgBackend?: TerraformPgBackend;
}

/** Terraform's `pg` backend, configured from Baton's own database settings (see `terraformPgBackend`). */
export interface TerraformPgBackend {
  /** Handed to terraform as `PG_CONN_STR` in its environment only: never an argument, never a file. */
  connectionString: string;
  /** Schema holding the backend's `states` table (one per Baton installation). */
  schemaName: string;
}

/**
 * The `pg` backend for a Baton installation on `databaseUrl` (no second credential): the same server, database and
 * login. The schema is `baton_terraform`, or `<schema>_terraform` when the URL confines Baton to one schema with
 * `options=-c search_path=<schema>`, so two installations on one database never share state. Query parameters
 * that only Node's driver knows are dropped; `sslmode` and `connect_timeout` are kept.
 */
export function terraformPgBackend(databaseUrl: string): TerraformPgBackend {
  const url = new URL(databaseUrl);
  const options = url.searchParams.get('options') ?? '';
  const searchPath = /search_path\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
  const kept = new URLSearchParams();
  for (const name of ['sslmode', 'connect_timeout', 'sslrootcert', 'sslcert', 'sslkey']) {
    const value = url.searchParams.get(name);
    if (value !== null) kept.set(name, value);
  }
  if (!kept.has('sslmode')) kept.set('sslmode', 'disable');
  url.search = kept.toString();
  url.protocol = 'postgres:';
  return { connectionString: url.toString(), schemaName: searchPath ? `${searchPath.toLowerCase()}_terraform` : 'baton_terraform' };
}

/** Overrides whatever backend the module declares: state goes to PostgreSQL. */
function pgBackendFile(schemaName: string): string {
  return `terraform {\n  backend "pg" {\n    schema_name = ${JSON.stringify(schemaName)}\n  }\n}\n`;
}
const PG_BACKEND_FILE = 'baton_backend_override.tf';

/** Files in the working directory that outlive a run: state, provider cache, lock files. */
const KEPT_IN_WORKDIR = new Set([
  '.terraform',
  '.terraform.lock.hcl',
  'terraform.tfstate',
  'terraform.tfstate.backup',
  '.terraform.tfstate.lock.info',
]);

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a terraform run needs from a driver call: where to log, when to stop. */
interface RunContext {
  signal: AbortSignal;
  log: DriverLog;
}

interface TerraformOutput {
  value: unknown;
  sensitive: boolean;
}

/** Two fresh file names (stdout, stderr) for one run's output, beside the run. */
function outputFilePaths(cwd: string): [string, string] {
  const base = join(cwd, `.baton-run-${process.pid}-${randomBytes(4).toString('hex')}`);
  return [`${base}.out`, `${base}.err`];
}

/** Reads what was appended to a file since the last call (UTF-8 safe); `close` removes the file. */
function tailFile(path: string): { read(): string; close(): void } {
  const fd = openSync(path, 'r');
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  let closed = false;
  return {
    read() {
      if (closed) return '';
      let text = '';
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) return text;
        position += n;
        text += decoder.write(buffer.subarray(0, n));
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/**
 * Runs a command, streaming its lines into the deployment log (secrets masked). With `capture`
 * the stdout is returned instead of logged (used for `terraform output -json`, which holds secrets).
 */
function run(
  request: RunContext,
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  secretsToHide: readonly string[],
  capture = false,
): Promise<string> {
  throwIfAborted(request.signal, `running ${command} ${args[0] ?? ''}`);
  return new Promise((resolvePromise, reject) => {
    // Output goes to files Baton tails, not to pipes: when this process dies (kill -9), terraform must not die of a
    // broken pipe half-way through an apply. It finishes, saves its state and releases its lock, and the replica
    // that resumes the deployment waits for that lock and finds the resource already there.
    const outputFiles = capture ? undefined : outputFilePaths(cwd);
    const fds = outputFiles ? [openSync(outputFiles[0], 'w', 0o600), openSync(outputFiles[1], 'w', 0o600)] : undefined;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, {
        cwd,
        env: childProcessEnv({ ...env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }),
        stdio: fds ? ['ignore', fds[0], fds[1]] : ['ignore', 'pipe', 'pipe'],
      });
    } finally {
      for (const fd of fds ?? []) closeSync(fd);
    }
    let captured = '';
    let tooLarge = false;
    const tail: string[] = [];
    const emit = (level: Parameters<DriverLog>[0], chunk: string, partial: { rest: string }) => {
      const text = partial.rest + chunk;
      const lines = text.split('\n');
      partial.rest = lines.pop() ?? '';
      for (const line of lines) {
        const clean = redact(line.trimEnd(), secretsToHide);
        if (clean.length === 0) continue;
        tail.push(clean);
        if (tail.length > 30) tail.shift();
        request.log(level, clean);
      }
    };
    const outRest = { rest: '' };
    const errRest = { rest: '' };
    let pumpTimer: NodeJS.Timeout | undefined;
    /** Logs the rest of the output and removes the files (idempotent). */
    let finish = (): void => undefined;
    if (outputFiles) {
      const readers = [tailFile(outputFiles[0]), tailFile(outputFiles[1])] as const;
      const pump = () => {
        const out = readers[0].read();
        if (out) emit('info', out, outRest);
        const err = readers[1].read();
        if (err) emit('warn', err, errRest);
      };
      pumpTimer = setInterval(pump, 200);
      finish = () => {
        clearInterval(pumpTimer);
        pump();
        for (const reader of readers) reader.close();
      };
    } else {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        captured += chunk;
        // `terraform output -json` of a hostile module: stop reading (and the run) past what any result may hold.
        if (captured.length > MAX_DRIVER_ANSWER_BYTES && !tooLarge) {
          tooLarge = true;
          child.kill('SIGKILL');
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => emit('warn', chunk, errRest));
    }
    // SIGINT lets terraform stop gracefully and release its state lock; SIGKILL if it does not.
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      request.signal.removeEventListener('abort', onAbort);
      finish();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new DriverFailed(
          missing ? `${command} is not installed (looked for "${command}"; set BATON_TERRAFORM_BIN)` : `${command} failed to start: ${error.message}`,
          {},
          { cause: error },
        ),
      );
    });
    child.on('close', (code, signal) => {
      request.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      finish();
      emit('info', '\n', outRest);
      emit('warn', '\n', errRest);
      if (tooLarge) return reject(new DriverFailed(`${command} ${args[0] ?? ''} printed more than the limit of ${MAX_DRIVER_ANSWER_BYTES} characters`, {}));
      if (code === 0) return resolvePromise(captured);
      if (request.signal.aborted) {
        return reject(new DriverFailed(`${command} ${args[0] ?? ''} was cancelled`, {}, { retryable: true }));
      }
      const summary = tail.filter((line) => /error/i.test(line)).slice(-5).join(' | ') || tail.slice(-5).join(' | ');
      reject(
        new DriverFailed(`${command} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}): ${summary}`, {
          output: tail.join('\n'),
        }),
      );
    });
  });
}

const DEFAULT_LOCK_TIMEOUT_MS = 15 * 60_000;
/** Where a local state file waits (outside the working directory, which `init` reads) until it is in PostgreSQL. */
const STASHED_STATE = 'local.tfstate';

/** The connection string and its password, masked in every line terraform prints. */
function pgSecrets(pg: TerraformPgBackend): string[] {
  const password = decodeURIComponent(new URL(pg.connectionString).password);
  return password ? [pg.connectionString, password] : [pg.connectionString];
}

/** Moves `<dir>/work/terraform.tfstate` (local state from SQLite days) aside; its backup goes. */
async function stashLocalState(dir: string): Promise<void> {
  const local = join(dir, 'work', 'terraform.tfstate');
  if (!(await stat(local).then(() => true, () => false))) return;
  await rename(local, join(dir, STASHED_STATE));
  await rm(`${local}.backup`, { force: true });
}

function stateHasResources(raw: string): boolean {
  if (raw.trim() === '') return false;
  try {
    const state = JSON.parse(raw) as { resources?: unknown[] };
    return (state.resources ?? []).length > 0;
  } catch {
    return true; // unreadable: never overwrite it
  }
}

/**
 * With the resource's workspace selected, pushes a stashed local state into it, unless the database already holds
 * resources for it (then the database wins and the file is dropped). The file is removed either way.
 */
async function adoptStashedState(
  ctx: RunContext,
  dir: string,
  tf: (args: string[], capture?: boolean) => Promise<string>,
  lockTimeoutArg: string,
): Promise<boolean> {
  const stashed = join(dir, STASHED_STATE);
  if (!(await stat(stashed).then(() => true, () => false))) return false;
  const remote = await tf(['state', 'pull'], true);
  if (stateHasResources(remote)) {
    ctx.log('warn', `terraform: PostgreSQL already holds state for ${basename(dir)}; the local state file left on this replica is dropped`);
  } else {
    await tf(['state', 'push', lockTimeoutArg, stashed]);
    ctx.log('info', `terraform: moved the local state of ${basename(dir)} into PostgreSQL`);
  }
  await rm(stashed, { force: true });
  return true;
}

/**
 * Moving an installation from SQLite to PostgreSQL: every `<stateDir>/res-*\/work/terraform.tfstate` goes into the
 * resource's workspace of the `pg` backend and leaves the disk (run at start-up before the engine takes jobs;
 * a driver call on a resource does the same for any file found later). Returns the workspaces migrated.
 */
export async function migrateLocalTerraformState(options: {
  stateDir: string;
  terraformBin?: string;
  pgBackend: TerraformPgBackend;
  log: DriverLog;
  signal?: AbortSignal;
}): Promise<string[]> {
  const stateRoot = resolve(options.stateDir);
  const entries = await readdir(stateRoot, { withFileTypes: true }).catch(() => []);
  const migrated: string[] = [];
  const ctx: RunContext = { signal: options.signal ?? new AbortController().signal, log: options.log };
  const env = { PG_CONN_STR: options.pgBackend.connectionString };
  const hide = pgSecrets(options.pgBackend);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith('res-')) continue;
    const dir = join(stateRoot, entry.name);
    const hasLocal = await stat(join(dir, 'work', 'terraform.tfstate')).then(() => true, () => false);
    const hasStashed = await stat(join(dir, STASHED_STATE)).then(() => true, () => false);
    if (!hasLocal && !hasStashed) continue;
    await stashLocalState(dir);
    const scratch = join(dir, 'migrate');
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true, mode: 0o700 });
    try {
      await writeFile(join(scratch, 'baton_backend.tf'), pgBackendFile(options.pgBackend.schemaName), { mode: 0o600 });
      const tf = (args: string[], capture = false) => run(ctx, options.terraformBin ?? 'terraform', args, scratch, env, hide, capture);
      await tf(['init', '-input=false', '-no-color', '-reconfigure']);
      await tf(['workspace', 'select', '-or-create=true', '-no-color', entry.name]);
      await adoptStashedState(ctx, dir, tf, `-lock-timeout=${DEFAULT_LOCK_TIMEOUT_MS}ms`);
      migrated.push(entry.name);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return migrated;
}

export function createTerraformDriver(options: TerraformDriverOptions): Driver {
  const stateRoot = resolve(options.stateDir);
  const terraformBin = options.terraformBin ?? 'terraform';
  const pg = options.pgBackend;
  const lockTimeoutArg = `-lock-timeout=${options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS}ms`;

  function readInputs(request: ProvisionRequest) {
    const values = parseInputs(TerraformValues, request.driver.values, 'terraform driver values');
    const secrets = parseInputs(TerraformSecrets, request.driver.secrets, 'terraform driver secrets');
    const hasScript = values.script !== undefined;
    const hasSource = values.source?.path !== undefined || values.source?.url !== undefined;
    if (hasScript === hasSource) {
      throw new InvalidInput('terraform driver needs exactly one of `script` or `source` (with `path` or `url`)');
    }
    return { values, secrets };
  }

  function resourceDir(guresid: string): string {
    return join(stateRoot, deriveName(guresid, { prefix: 'res', separator: '-', maxLength: 80 }));
  }

  /** Variables for the run plus the secret values to keep out of logs and error messages. */
  function buildVariables(request: ProvisionRequest, values: Values, secretVariables: JsonObject | undefined) {
    const variables: JsonObject = { ...values.variables, ...secretVariables };
    const env: Record<string, string> = {};
    const secretsToHide: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') secretsToHide.push(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(secretVariables);
    const account = request.account ?? {};
    const fromAccount = (field: string, target: string): unknown => {
      if (!(field in account)) {
        throw new InvalidInput(`credentials_config maps ${target} to account field "${field}", which the driver account does not have`);
      }
      return account[field];
    };
    for (const [name, field] of Object.entries(values.credentials_config?.variables ?? {})) {
      const value = fromAccount(field, `variable ${name}`);
      variables[name] = value;
      collect(value);
    }
    for (const [name, field] of Object.entries(values.credentials_config?.environment ?? {})) {
      if (!ENV_NAME.test(name)) throw new InvalidInput(`credentials_config.environment: "${name}" is not a valid variable name`);
      const value = fromAccount(field, `environment variable ${name}`);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      env[name] = text;
      collect(text);
    }
    for (const name of Object.keys(variables)) {
      if (!VAR_NAME.test(name)) throw new InvalidInput(`"${name}" is not a valid Terraform variable name`);
    }
    return { variables, env, secretsToHide };
  }

  /** Makes `workDir` hold exactly the module's files, keeping state and the provider cache. */
  async function syncModule(request: ProvisionRequest, values: Values, workDir: string): Promise<void> {
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    for (const entry of await readdir(workDir)) {
      if (!KEPT_IN_WORKDIR.has(entry)) await rm(join(workDir, entry), { recursive: true, force: true });
    }
    const copyModule = async (from: string) => {
      const info = await stat(from).catch(() => undefined);
      if (!info?.isDirectory()) throw new InvalidInput(`terraform module directory "${from}" does not exist`);
      await cp(from, workDir, {
        recursive: true,
        filter: (src) => {
          const name = src.slice(src.lastIndexOf('/') + 1);
          return !(name !== '.terraform.lock.hcl' && KEPT_IN_WORKDIR.has(name)) && name !== '.git';
        },
      });
    };
    if (values.script !== undefined) {
      await writeFile(join(workDir, 'main.tf'), values.script, { mode: 0o600 });
    } else if (values.source?.url !== undefined) {
      const checkout = await mkdtemp(join(tmpdir(), 'baton-tf-src-'));
      try {
        await run(request, 'git', ['clone', '--quiet', '--no-checkout', '--', values.source.url, checkout], tmpdir(), {}, []);
        await run(request, 'git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', values.source.rev ?? 'HEAD'], checkout, {}, []);
        const inner = resolve(checkout, values.source.path ?? '.');
        if (!inner.startsWith(checkout)) throw new InvalidInput('source.path must stay inside the repository');
        await copyModule(inner);
      } finally {
        await rm(checkout, { recursive: true, force: true });
      }
    } else if (values.source?.path !== undefined) {
      await copyModule(resolve(values.source.path));
    }
  }

  function parseManifests(value: unknown, outputName: string): DriverManifest[] {
    const fail = (why: string) => new DriverFailed(`output "${outputName}" named by manifests_output ${why}`);
    const toManifest = (name: string, entry: unknown): DriverManifest => {
      if (entry === null || typeof entry !== 'object') throw fail(`has a non-object entry "${name}"`);
      const { location, data } = entry as { location?: unknown; data?: unknown };
      if (!MANIFEST_LOCATIONS.includes(location as ManifestLocation)) {
        throw fail(`entry "${name}" has location ${JSON.stringify(location)}; use one of ${MANIFEST_LOCATIONS.join(', ')}`);
      }
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw fail(`entry "${name}" has no object "data"`);
      return { name, location: location as ManifestLocation, data: data as JsonObject };
    };
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) {
      return value.map((entry, index) => {
        const name = (entry as { name?: unknown } | null)?.name;
        return toManifest(typeof name === 'string' ? name : `manifest-${index}`, entry);
      });
    }
    if (typeof value === 'object') return Object.entries(value).map(([name, entry]) => toManifest(name, entry));
    throw fail('is neither a list nor a map');
  }

  async function withLock<T>(request: ProvisionRequest, work: (dir: string) => Promise<T>): Promise<T> {
    const dir = resourceDir(request.guresid);
    await mkdir(stateRoot, { recursive: true, mode: 0o700 });
    const lockPath = `${dir}.lock`;
    const release = await acquireFileLock(lockPath, {
      signal: request.signal,
      ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
    });
    try {
      // The file lock covers this machine's working directory; on the pg backend, replicas on other machines (or
      // with other folders) share the state, so the whole provision (apply, then output) is also locked there.
      const releaseShared = pg ? await acquirePgAdvisoryLock(pg.connectionString, `terraform:${pg.schemaName}:${basename(dir)}`, { signal: request.signal, timeoutMs: options.lockTimeoutMs }) : undefined;
      try {
        return await work(dir);
      } finally {
        await releaseShared?.();
      }
    } finally {
      await release();
    }
  }

  /** Writes the variables file (0600) for one command and removes it afterwards: it may hold secrets. */
  async function withVarFile<T>(dir: string, variables: JsonObject, work: (path: string) => Promise<T>): Promise<T> {
    const path = join(dir, 'baton.tfvars.json');
    await writeFile(path, JSON.stringify(variables), { mode: 0o600 });
    try {
      return await work(path);
    } finally {
      await rm(path, { force: true });
    }
  }

  /**
   * `terraform init` in the working directory. On the `pg` backend also selects (creating) the resource's
   * workspace and moves a state file left from local-state days into it: any replica can rebuild this directory.
   */
  async function initWorkdir(request: ProvisionRequest, dir: string, workDir: string, env: Record<string, string>, secretsToHide: string[]) {
    if (!pg) {
      await run(request, terraformBin, ['init', '-input=false', '-no-color'], workDir, env, secretsToHide);
      return;
    }
    await stashLocalState(dir);
    await writeFile(join(workDir, PG_BACKEND_FILE), pgBackendFile(pg.schemaName), { mode: 0o600 });
    const tf = (args: string[], capture = false) => run(request, terraformBin, args, workDir, { ...env, PG_CONN_STR: pg.connectionString }, [...secretsToHide, ...pgSecrets(pg)], capture);
    await tf(['init', '-input=false', '-no-color', '-reconfigure']);
    await tf(['workspace', 'select', '-or-create=true', '-no-color', basename(dir)]);
    await adoptStashedState(request, dir, tf, lockTimeoutArg);
  }

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const { values, secrets } = readInputs(request);
    const { variables, env, secretsToHide } = buildVariables(request, values, secrets.variables);
    return withLock(request, async (dir) => {
      const workDir = join(dir, 'work');
      request.log('info', pg ? `terraform: preparing ${workDir} (state in PostgreSQL, schema ${pg.schemaName}, workspace ${basename(dir)})` : `terraform: preparing ${workDir}`);
      await syncModule(request, values, workDir);
      await initWorkdir(request, dir, workDir, env, secretsToHide);
      const runEnv = pg ? { ...env, PG_CONN_STR: pg.connectionString } : env;
      const hide = pg ? [...secretsToHide, ...pgSecrets(pg)] : secretsToHide;
      const tf = (args: string[], capture = false) => run(request, terraformBin, args, workDir, runEnv, hide, capture);
      await withVarFile(dir, variables, (varFile) =>
        tf(['apply', '-input=false', '-no-color', '-auto-approve', lockTimeoutArg, `-var-file=${varFile}`]),
      );
      const raw = await tf(['output', '-json', '-no-color'], true);
      let outputs: Record<string, TerraformOutput>;
      try {
        outputs = JSON.parse(raw || '{}') as Record<string, TerraformOutput>;
      } catch (error) {
        throw new DriverFailed('terraform output -json returned unreadable JSON', {}, { cause: error });
      }
      const result: ProvisionResult = { values: {}, secrets: {}, manifests: [] };
      for (const [name, output] of Object.entries(outputs)) {
        if (name === values.manifests_output) {
          result.manifests = parseManifests(output.value, name);
          continue;
        }
        (output.sensitive ? result.secrets : result.values)[name] = output.value;
      }
      if (values.manifests_output !== undefined && !(values.manifests_output in outputs)) {
        throw new DriverFailed(`manifests_output names "${values.manifests_output}", but the module has no such output`);
      }
      request.log('info', `terraform: applied; ${Object.keys(outputs).length} outputs`);
      return result;
    });
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const { values, secrets } = readInputs(request);
    const { variables, env, secretsToHide } = buildVariables(request, values, secrets.variables);
    await withLock(request, async (dir) => {
      const workDir = join(dir, 'work');
      const present = await stat(workDir).then(() => true, () => false);
      // On the pg backend the state is in the database whatever this replica's disk holds.
      if (!present && !pg) {
        request.log('info', 'terraform: no working directory for this resource; nothing to destroy');
        return;
      }
      await syncModule(request, values, workDir);
      await initWorkdir(request, dir, workDir, env, secretsToHide);
      const runEnv = pg ? { ...env, PG_CONN_STR: pg.connectionString } : env;
      const hide = pg ? [...secretsToHide, ...pgSecrets(pg)] : secretsToHide;
      const tf = (args: string[]) => run(request, terraformBin, args, workDir, runEnv, hide);
      await withVarFile(dir, variables, (varFile) =>
        tf(['destroy', '-input=false', '-no-color', '-auto-approve', lockTimeoutArg, `-var-file=${varFile}`]),
      );
      if (pg) {
        // The workspace is empty now; dropping it keeps the states table to live resources.
        await tf(['workspace', 'select', '-no-color', 'default']);
        await tf(['workspace', 'delete', '-no-color', '-force', lockTimeoutArg, basename(dir)]).catch((error: unknown) => {
          request.log('warn', `terraform: could not delete workspace ${basename(dir)}: ${(error as Error).message}`);
        });
      }
      // State is empty after a successful destroy; removing the directory makes a later provision start fresh.
      await rm(dir, { recursive: true, force: true });
      request.log('info', 'terraform: destroyed');
    });
  }

  return {
    id: 'humanitec/terraform',
    aliases: ['baton/terraform'],
    inputsSchema: { type: 'object', properties: { values: TerraformValues, secrets: TerraformSecrets } },
    provision,
    deprovision,
  };
}
