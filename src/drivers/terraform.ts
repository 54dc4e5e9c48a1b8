import { childProcessEnv } from '../shared/child-env.js';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import {
  MANIFEST_LOCATIONS,
  type DeprovisionRequest,
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
}

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

interface TerraformOutput {
  value: unknown;
  sensitive: boolean;
}

export function createTerraformDriver(options: TerraformDriverOptions): Driver {
  const stateRoot = resolve(options.stateDir);
  const terraformBin = options.terraformBin ?? 'terraform';

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

  /**
   * Runs a command, streaming its lines into the deployment log (secrets masked). With `capture`
   * the stdout is returned instead of logged (used for `terraform output -json`, which holds secrets).
   */
  function run(
    request: ProvisionRequest,
    command: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
    secretsToHide: readonly string[],
    capture = false,
  ): Promise<string> {
    throwIfAborted(request.signal, `running ${command} ${args[0] ?? ''}`);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: childProcessEnv({ ...env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let captured = '';
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
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (capture) captured += chunk;
        else emit('info', chunk, outRest);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => emit('warn', chunk, errRest));
      // SIGINT lets terraform stop gracefully and release its state lock; SIGKILL if it does not.
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (error) => {
        request.signal.removeEventListener('abort', onAbort);
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
        emit('info', '\n', outRest);
        emit('warn', '\n', errRest);
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
      return await work(dir);
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

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const { values, secrets } = readInputs(request);
    const { variables, env, secretsToHide } = buildVariables(request, values, secrets.variables);
    return withLock(request, async (dir) => {
      const workDir = join(dir, 'work');
      request.log('info', `terraform: preparing ${workDir}`);
      await syncModule(request, values, workDir);
      const tf = (args: string[], capture = false) => run(request, terraformBin, args, workDir, env, secretsToHide, capture);
      await tf(['init', '-input=false', '-no-color']);
      await withVarFile(dir, variables, (varFile) =>
        tf(['apply', '-input=false', '-no-color', '-auto-approve', `-var-file=${varFile}`]),
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
      if (!present) {
        request.log('info', 'terraform: no working directory for this resource; nothing to destroy');
        return;
      }
      await syncModule(request, values, workDir);
      const tf = (args: string[]) => run(request, terraformBin, args, workDir, env, secretsToHide);
      await tf(['init', '-input=false', '-no-color']);
      await withVarFile(dir, variables, (varFile) =>
        tf(['destroy', '-input=false', '-no-color', '-auto-approve', `-var-file=${varFile}`]),
      );
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
