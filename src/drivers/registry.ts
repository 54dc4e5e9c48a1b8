/**
 * The driver registry (id/alias → Driver) and `callDriver`, the one place where the engine invokes a driver:
 * it enforces the time limit, names the driver in every failure, and checks what the driver returned.
 */
import { Conflict, DriverFailed, NotFound } from '../shared/errors.js';
import {
  MANIFEST_LOCATIONS,
  type DeprovisionRequest,
  type Driver,
  type JsonObject,
  type ProvisionRequest,
  type ProvisionResult,
} from './contract.js';
import { createEchoDriver } from './echo.js';
import { createDnsWildcardDriver, createHpaDriver, createIngressDriver, createVolumeNfsDriver, createVolumePvcDriver } from './kubernetes-builtins.js';
import { createMariadbDriver, createMysqlDriver } from './mysql.js';
import { createPostgresDriver } from './postgres.js';
import { createRabbitmqDriver } from './rabbitmq.js';
import { createRedisDriver } from './redis.js';
import { createTemplateDriver, type TemplateRenderer } from './template.js';
import type { HostLookupPolicy, TemplateLimits } from '../templates/index.js';
import { createTerraformDriver } from './terraform.js';
import type { TerraformPgBackend } from './terraform.js';

export class DriverRegistry {
  readonly #byId = new Map<string, Driver>();

  /** Registers a driver under its id and aliases. A name already taken by another driver is a Conflict. */
  register(driver: Driver): this {
    const names = [driver.id, ...(driver.aliases ?? [])];
    for (const name of names) {
      const existing = this.#byId.get(name);
      if (existing !== undefined && existing !== driver) {
        throw new Conflict(`driver id "${name}" is already registered (by "${existing.id}")`, { driver: name });
      }
    }
    for (const name of names) this.#byId.set(name, driver);
    return this;
  }

  /** Removes a driver and its aliases (custom drivers can be deleted at runtime). Unknown ids are ignored. */
  unregister(id: string): void {
    const driver = this.#byId.get(id);
    if (driver === undefined) return;
    for (const [name, candidate] of this.#byId) if (candidate === driver) this.#byId.delete(name);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  get(id: string): Driver {
    const driver = this.#byId.get(id);
    if (driver === undefined) {
      throw new NotFound('driver', id, `driver "${id}" is not registered (known: ${this.ids().join(', ') || 'none'})`);
    }
    return driver;
  }

  /** Every registered driver once (aliases folded into their driver), sorted by id. */
  list(): Driver[] {
    return [...new Set(this.#byId.values())].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Every name a driver answers to, aliases included, sorted. */
  ids(): string[] {
    return [...this.#byId.keys()].sort();
  }
}

export interface BuiltinDriverDeps {
  /** Go-template renderer for `humanitec/template`; defaults to the engine in src/templates. */
  renderTemplate?: TemplateRenderer;
  /** Where the terraform driver keeps its per-resource state (`<data dir>/terraform` in a server). */
  terraformStateDir: string;
  /** The terraform binary (config `BATON_TERRAFORM_BIN`); `terraform` on PATH when absent. */
  terraformBin?: string;
  /** Limits of every `humanitec/template` render (config `BATON_TEMPLATE_*`). */
  templateLimits?: TemplateLimits;
  /** Names `getHostByName` may resolve in those renders and in `humanitec/dns-wildcard`'s template (config `BATON_TEMPLATE_HOST_LOOKUP*`). */
  templateHostLookup?: HostLookupPolicy;
  /** Told the time of every `humanitec/template` render (metrics). */
  observeTemplateRender?: (seconds: number, outcome: 'ok' | 'error') => void;
  /** Terraform state in PostgreSQL (Baton on PostgreSQL); local state files when absent. */
  terraformPgBackend?: TerraformPgBackend;
}

/** A registry holding every built-in driver. */
export function createBuiltinRegistry(deps: BuiltinDriverDeps): DriverRegistry {
  const registry = new DriverRegistry();
  // Generic drivers (any resource type).
  registry.register(createEchoDriver());
  registry.register(
    createTemplateDriver({
      ...(deps.renderTemplate === undefined ? {} : { renderTemplate: deps.renderTemplate }),
      ...(deps.templateLimits === undefined ? {} : { limits: deps.templateLimits }),
      ...(deps.templateHostLookup === undefined ? {} : { hostLookup: deps.templateHostLookup }),
      ...(deps.observeTemplateRender === undefined ? {} : { observeRender: deps.observeTemplateRender }),
    }),
  );

  // Humanitec's Kubernetes drivers that need no cloud account (src/drivers/kubernetes-builtins.ts).
  registry.register(
    createDnsWildcardDriver({
      ...(deps.templateLimits === undefined ? {} : { limits: deps.templateLimits }),
      ...(deps.templateHostLookup === undefined ? {} : { hostLookup: deps.templateHostLookup }),
    }),
  );
  registry.register(createVolumePvcDriver());
  registry.register(createIngressDriver());
  registry.register(createHpaDriver());
  registry.register(createVolumeNfsDriver());

  // Infrastructure drivers. Creating them opens no connection: each connects per call, to the server its inputs name.
  registry.register(createPostgresDriver());
  registry.register(createMysqlDriver());
  registry.register(createMariadbDriver());
  registry.register(createRedisDriver());
  registry.register(createRabbitmqDriver());
  registry.register(
    createTerraformDriver({
      stateDir: deps.terraformStateDir,
      ...(deps.terraformBin !== undefined ? { terraformBin: deps.terraformBin } : {}),
      ...(deps.terraformPgBackend !== undefined ? { pgBackend: deps.terraformPgBackend } : {}),
    }),
  );

  return registry;
}

/**
 * Checks a driver's outputs against the resource type's outputs schema; returns one message per problem,
 * each naming the field (e.g. `values.port: must be integer`). Supplied by src/resources.
 */
export type OutputsValidator = (type: string, outputs: { values: JsonObject; secrets: JsonObject }) => string[];

export interface CallDriverOptions {
  /** Time the driver gets before its signal is aborted and the call fails (retryable). */
  timeoutMs: number;
  validateOutputs?: OutputsValidator;
}

/** A request as the engine builds it: `signal` is optional and combined with the time limit. */
export type DriverCallRequest = Omit<ProvisionRequest, 'signal'> & { signal?: AbortSignal };

/** Provisions through `driver`, enforcing the timeout and validating the result. Every failure is a DriverFailed. */
export async function callDriver(
  driver: Driver,
  request: DriverCallRequest,
  options: CallDriverOptions,
): Promise<ProvisionResult> {
  const result = await withDeadline(driver, 'provision', request, options.timeoutMs, (signal) =>
    driver.provision({ ...request, signal }),
  );
  const checked = checkResultShape(driver.id, result);
  if (options.validateOutputs !== undefined) {
    const issues = options.validateOutputs(request.type, { values: checked.values, secrets: checked.secrets });
    if (issues.length > 0) {
      throw new DriverFailed(
        `driver "${driver.id}" returned outputs that do not match resource type "${request.type}": ${issues.join('; ')}`,
        { driver: driver.id, type: request.type, resId: request.resId, issues },
      );
    }
  }
  return checked;
}

/** Deprovisions through `driver` under the same rules as `callDriver`. */
export async function callDriverDeprovision(
  driver: Driver,
  request: DriverCallRequest,
  options: Pick<CallDriverOptions, 'timeoutMs'>,
): Promise<void> {
  await withDeadline(driver, 'deprovision', request, options.timeoutMs, (signal) =>
    driver.deprovision({ ...request, signal } satisfies DeprovisionRequest),
  );
}

async function withDeadline<T>(
  driver: Driver,
  operation: 'provision' | 'deprovision',
  request: DriverCallRequest,
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new AbortController();
  const signal = request.signal === undefined ? deadline.signal : AbortSignal.any([request.signal, deadline.signal]);
  const where = { driver: driver.id, operation, type: request.type, resId: request.resId, guresid: request.guresid };
  let timer: NodeJS.Timeout | undefined;
  // Racing against the deadline (not only signalling it) means a driver that ignores its signal
  // still cannot hold a deployment hostage.
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DriverFailed(
        `driver "${driver.id}" did not finish ${operation} of ${request.type} "${request.resId}" within its deadline of ${describeMs(timeoutMs)}`,
        { ...where, timeoutMs },
        { retryable: true },
      );
      deadline.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const outer = request.signal;
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    if (outer === undefined) return;
    onAbort = (): void =>
      reject(new DriverFailed(`${operation} by driver "${driver.id}" was cancelled`, { ...where, cancelled: true }, { cause: outer.reason }));
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
  });
  // The losing promises of the race must not surface as unhandled rejections.
  expired.catch(() => undefined);
  cancelled.catch(() => undefined);
  try {
    return await Promise.race([Promise.resolve().then(() => run(signal)), expired, cancelled]);
  } catch (error) {
    throw asDriverFailed(driver.id, operation, error, where);
  } finally {
    clearTimeout(timer);
    // One deployment signal serves many calls; leaving listeners behind would grow with every resource.
    if (outer !== undefined && onAbort !== undefined) outer.removeEventListener('abort', onAbort);
  }
}

function describeMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function asDriverFailed(driverId: string, operation: string, error: unknown, where: JsonObject): DriverFailed {
  if (error instanceof DriverFailed && error.details.driver === driverId) return error;
  const message = error instanceof Error ? error.message : String(error);
  const retryable = error instanceof DriverFailed ? error.retryable : false;
  return new DriverFailed(`driver "${driverId}" failed to ${operation}: ${message}`, { ...where }, { cause: error, retryable });
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The contract's shape, checked at the edge because drivers include runtime-registered HTTP drivers. */
function checkResultShape(driverId: string, result: unknown): ProvisionResult {
  const fail = (field: string, problem: string): never => {
    throw new DriverFailed(`driver "${driverId}" returned an invalid result: ${field} ${problem}`, { driver: driverId, field });
  };
  if (!isPlainObject(result)) return fail('result', 'is not an object');
  const { values, secrets, manifests } = result;
  if (!isPlainObject(values)) fail('values', 'is not an object');
  if (!isPlainObject(secrets)) fail('secrets', 'is not an object');
  if (!Array.isArray(manifests)) return fail('manifests', 'is not an array');
  const names = new Set<string>();
  manifests.forEach((manifest: unknown, index) => {
    if (!isPlainObject(manifest)) return fail(`manifests[${index}]`, 'is not an object');
    if (typeof manifest.name !== 'string' || manifest.name === '') fail(`manifests[${index}].name`, 'is not a non-empty string');
    const name = String(manifest.name);
    if (names.has(name)) fail(`manifests[${index}].name`, `"${name}" is used twice`);
    names.add(name);
    if (!MANIFEST_LOCATIONS.includes(manifest.location as never)) {
      fail(`manifests "${name}".location`, `must be one of ${MANIFEST_LOCATIONS.join(', ')} (got ${JSON.stringify(manifest.location)})`);
    }
    if (!isPlainObject(manifest.data)) fail(`manifests "${name}".data`, 'is not an object');
  });
  return result as unknown as ProvisionResult;
}
