/**
 * `humanitec/template`: outputs, secrets, manifests and a cookie produced by Go templates in the definition.
 *
 * Inputs (all optional): `driver.values.templates.{init, cookie, manifests, outputs, secrets}` and
 * `driver.secrets.templates.outputs`. Evaluation order is init → cookie → manifests → outputs → secret outputs;
 * every template sees `.id` (GUResID), `.resource`, `.driver.values`, `.driver.secrets` (with the credentials of the
 * definition's `driver_account`, if any, in `.driver.secrets.account`), `.cookie` (the cookie
 * stored by the previous provision, or nil) and `.init` (the parsed init result); the secret templates also see
 * `.outputs.values` (the parsed outputs). Each rendered text is parsed as
 * YAML. Returning the rendered cookie is what keeps generated passwords stable across deployments.
 */
import { parse as parseYaml } from 'yaml';
import { DriverFailed } from '../shared/errors.js';
import { DEFAULT_HOST_LOOKUP, DEFAULT_TEMPLATE_LIMITS, parseTemplate, type CompiledTemplate, type HostLookupPolicy, type TemplateLimits } from '../templates/index.js';
import {
  MANIFEST_LOCATIONS,
  type Driver,
  type DriverManifest,
  type JsonObject,
  type ManifestLocation,
  type ProvisionRequest,
  type ProvisionResult,
} from './contract.js';

export const TEMPLATE_DRIVER_ID = 'humanitec/template';

/** The src/templates API; injectable so the driver does not depend on one engine instance. */
export type TemplateRenderer = (
  source: string,
  data: unknown,
  options?: { name?: string; missingKey?: 'default' | 'zero' | 'error'; limits?: TemplateLimits; hostLookup?: HostLookupPolicy },
) => string;

export interface TemplateDriverOptions {
  renderTemplate?: TemplateRenderer;
  /** Step budget, output size and time of every render (config `BATON_TEMPLATE_*`); the engine's defaults when absent. */
  limits?: TemplateLimits;
  /** Which names `getHostByName` may resolve (config `BATON_TEMPLATE_HOST_LOOKUP*`); any name when absent. */
  hostLookup?: HostLookupPolicy;
  /** Told the time of every render in seconds and whether it succeeded (metrics: src/metrics). */
  observeRender?: (seconds: number, outcome: 'ok' | 'error') => void;
}

interface TemplateSet {
  init?: string;
  cookie?: string;
  /** A template string, or (as some public definitions do) a map whose entries' `data` are template strings. */
  manifests?: string | JsonObject;
  outputs?: string;
  secrets?: string;
  secretOutputs?: string;
}

/**
 * The same definition is rendered on every deployment, so parsed templates are kept (bounded, oldest dropped first).
 * Keyed by name and source because the name appears in error messages, and by the limits and host lookup policy
 * because a compiled template keeps them.
 */
const COMPILED_LIMIT = 500;
const compiled = new Map<string, CompiledTemplate>();

const cachedRenderTemplate: TemplateRenderer = (source, data, options) => {
  const limits = options?.limits ?? DEFAULT_TEMPLATE_LIMITS;
  const hostLookup = options?.hostLookup ?? DEFAULT_HOST_LOOKUP;
  const lookupKey = hostLookup.enabled ? hostLookup.allowedSuffixes.join(',') : 'off';
  const key = `${options?.name ?? ''}\u0000${options?.missingKey ?? ''}\u0000${limits.maxSteps}/${limits.maxOutput}/${limits.timeoutMs}\u0000${lookupKey}\u0000${source}`;
  let template = compiled.get(key);
  if (template === undefined) {
    template = parseTemplate(source, options);
    if (compiled.size >= COMPILED_LIMIT) {
      const oldest = compiled.keys().next();
      if (oldest.done !== true) compiled.delete(oldest.value);
    }
    compiled.set(key, template);
  }
  return template.execute(data);
};

export function createTemplateDriver(options: TemplateDriverOptions = {}): Driver {
  const renderer = options.renderTemplate ?? cachedRenderTemplate;
  const limits = options.limits ?? DEFAULT_TEMPLATE_LIMITS;
  const hostLookup = options.hostLookup ?? DEFAULT_HOST_LOOKUP;
  const observe = options.observeRender;
  const render: TemplateRenderer =
    observe === undefined
      ? (source, data, renderOptions) => renderer(source, data, { ...renderOptions, limits, hostLookup })
      : (source, data, renderOptions) => {
          const started = process.hrtime.bigint();
          let outcome: 'ok' | 'error' = 'error';
          try {
            const text = renderer(source, data, { ...renderOptions, limits, hostLookup });
            outcome = 'ok';
            return text;
          } finally {
            observe(Number(process.hrtime.bigint() - started) / 1e9, outcome);
          }
        };
  return {
    id: TEMPLATE_DRIVER_ID,
    aliases: ['baton/template'],
    inputsSchema: {
      type: 'object',
      properties: {
        values: {
          type: 'object',
          properties: {
            templates: {
              type: 'object',
              properties: {
                init: { type: 'string' },
                cookie: { type: 'string' },
                manifests: { type: ['string', 'object'] },
                outputs: { type: 'string' },
                secrets: { type: 'string' },
              },
            },
          },
        },
        secrets: {
          type: 'object',
          properties: { templates: { type: 'object', properties: { outputs: { type: 'string' } } } },
        },
      },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      // Rendering is synchronous; wrapping keeps thrown errors inside the returned promise.
      return Promise.resolve().then(() => provisionFromTemplates(render, request));
    },
    deprovision(): Promise<void> {
      // Nothing exists outside the manifests, and removing those is the deployer's job.
      return Promise.resolve();
    },
  };
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string, details: JsonObject = {}, cause?: unknown): never {
  throw new DriverFailed(`${TEMPLATE_DRIVER_ID}: ${message}`, { driver: TEMPLATE_DRIVER_ID, ...details }, { cause });
}

function readTemplates(request: ProvisionRequest): TemplateSet {
  const valueTemplates = request.driver.values.templates;
  const secretTemplates = request.driver.secrets.templates;
  if (valueTemplates !== undefined && valueTemplates !== null && !isPlainObject(valueTemplates)) {
    fail('driver_inputs.values.templates must be an object', { field: 'values.templates' });
  }
  if (secretTemplates !== undefined && secretTemplates !== null && !isPlainObject(secretTemplates)) {
    fail('driver_inputs.secrets.templates must be an object', { field: 'secrets.templates' });
  }
  const set: TemplateSet = {};
  const pick = (from: JsonObject | null | undefined, key: string, field: string): string | undefined => {
    const value = from?.[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') fail(`${field} must be a string`, { field });
    return value;
  };
  const values = isPlainObject(valueTemplates) ? valueTemplates : undefined;
  const secrets = isPlainObject(secretTemplates) ? secretTemplates : undefined;
  const init = pick(values, 'init', 'values.templates.init');
  const cookie = pick(values, 'cookie', 'values.templates.cookie');
  const outputs = pick(values, 'outputs', 'values.templates.outputs');
  const secretValues = pick(values, 'secrets', 'values.templates.secrets');
  const secretOutputs = pick(secrets, 'outputs', 'secrets.templates.outputs');
  if (init !== undefined) set.init = init;
  if (cookie !== undefined) set.cookie = cookie;
  if (outputs !== undefined) set.outputs = outputs;
  if (secretValues !== undefined) set.secrets = secretValues;
  if (secretOutputs !== undefined) set.secretOutputs = secretOutputs;
  const manifests = values?.manifests;
  if (typeof manifests === 'string' || isPlainObject(manifests)) set.manifests = manifests;
  else if (manifests !== undefined && manifests !== null) {
    fail('values.templates.manifests must be a string or an object', { field: 'values.templates.manifests' });
  }
  return set;
}

function provisionFromTemplates(render: TemplateRenderer, request: ProvisionRequest): ProvisionResult {
  const templates = readTemplates(request);
  const data: JsonObject = {
    id: request.guresid,
    resource: request.resource,
    // The definition's driver_account credentials, where Humanitec's Driver API puts them (as the HTTP driver does).
    driver: {
      values: request.driver.values,
      secrets: request.account !== undefined && request.driver.secrets.account === undefined ? { ...request.driver.secrets, account: request.account } : request.driver.secrets,
    },
    cookie: request.cookie ?? null,
    init: null,
  };

  const evaluate = (name: string, source: string | undefined): unknown => {
    if (source === undefined) return undefined;
    let text: string;
    try {
      text = render(source, data, { name });
    } catch (error) {
      fail(`template "${name}" failed: ${error instanceof Error ? error.message : String(error)}`, { template: name }, error);
    }
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      fail(`template "${name}" did not render valid YAML: ${reason}\n--- rendered ---\n${text}`, { template: name }, error);
    }
  };

  // init first: later templates read its result as `.init`.
  data.init = evaluate('init', templates.init) ?? null;
  const cookie = evaluate('cookie', templates.cookie);
  const manifests =
    typeof templates.manifests === 'object'
      ? manifestsFromMap(templates.manifests, (name, source) => evaluate(name, source))
      : manifestsFromRendered(evaluate('manifests', templates.manifests));
  const values = asObject('outputs', evaluate('outputs', templates.outputs));
  // The secret templates come after outputs and read them as `.outputs.values` (Humanitec's endpoint example does).
  data.outputs = { values };
  const secrets = {
    ...asObject('secrets', evaluate('secrets', templates.secrets)),
    ...asObject('secret outputs', evaluate('secret-outputs', templates.secretOutputs)),
  };
  const result: ProvisionResult = { values, secrets, manifests };
  // An empty cookie render means "keep no cookie", as for custom drivers.
  if (cookie !== undefined && cookie !== null) result.cookie = cookie;
  return result;
}

function asObject(what: string, parsed: unknown): JsonObject {
  if (parsed === undefined || parsed === null) return {};
  if (!isPlainObject(parsed)) fail(`${what} must render to a YAML map (got ${Array.isArray(parsed) ? 'a list' : typeof parsed})`);
  return parsed;
}

function toManifest(name: string, entry: unknown, data: unknown): DriverManifest {
  if (!isPlainObject(entry)) fail(`manifest "${name}" must be a map with "location" and "data"`, { manifest: name });
  const location = entry.location;
  if (typeof location !== 'string' || !MANIFEST_LOCATIONS.includes(location as ManifestLocation)) {
    fail(
      `manifest "${name}" has invalid location ${JSON.stringify(location)} (expected one of ${MANIFEST_LOCATIONS.join(', ')})`,
      { manifest: name },
    );
  }
  if (!isPlainObject(data)) {
    fail(`manifest "${name}" data must be a YAML map (a Kubernetes object), not ${Array.isArray(data) ? 'a list' : typeof data}`, {
      manifest: name,
    });
  }
  return { name, location: location as ManifestLocation, data };
}

/** Manifests are sorted by name so that output does not depend on template map ordering. */
function byName(a: DriverManifest, b: DriverManifest): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function manifestsFromRendered(parsed: unknown): DriverManifest[] {
  if (parsed === undefined || parsed === null) return [];
  if (!isPlainObject(parsed)) fail('manifests must render to a YAML map of name → {location, data}');
  return Object.entries(parsed)
    .map(([name, entry]) => toManifest(name, entry, isPlainObject(entry) ? dataOf(name, entry.data) : undefined))
    .sort(byName);
}

/**
 * A rendered manifest's `data`: an object, or (as the example library's propagate-id and break-a-loop
 * definitions write `data: |`) a YAML text holding the object, parsed as Humanitec does.
 */
function dataOf(name: string, data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return parseYaml(data) as unknown;
  } catch (error) {
    fail(`manifest "${name}" data is text that is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { manifest: name }, error);
  }
}

/**
 * The map form, seen in Humanitec's example library: `manifests: {name: {location, data: "<template>"}}`.
 * Each `data` string is a template rendered and parsed on its own; an object `data` is taken as is.
 */
function manifestsFromMap(
  map: JsonObject,
  evaluate: (name: string, source: string) => unknown,
): DriverManifest[] {
  return Object.entries(map)
    .map(([name, entry]) => {
      if (!isPlainObject(entry)) return toManifest(name, entry, undefined);
      const data = typeof entry.data === 'string' ? evaluate(`manifests.${name}`, entry.data) : entry.data;
      return toManifest(name, entry, data);
    })
    .sort(byName);
}
