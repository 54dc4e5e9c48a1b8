/**
 * Renders one resource definition locally, as `humctl resources test-definition DEF.yaml --inputs IN.yaml` does:
 * placeholders in `driver_inputs` are replaced from `inputs.placeholders` (no graph, no other resources), then the
 * definition's driver runs with the given resource inputs and cookie. Used by `baton resources test-definition`.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { sha256Hex, canonicalJson } from '../shared/canonical-json.js';
import type { DriverContext, JsonObject, ProvisionResult } from './contract.js';
import { splitDeadline } from './deadline.js';
import { callDriver, createBuiltinRegistry, type DriverRegistry } from './registry.js';

/** The `--inputs` file of test-definition (humctl's field names). */
export interface TestDefinitionInputs {
  /** Cookie from a previous provision; absent/null means first provision. */
  cookie?: unknown;
  /** Placeholder path → value, e.g. `{"context.res.id": "modules.api.externals.db"}`. */
  placeholders?: Record<string, unknown>;
  /** Resource inputs (`params`). */
  resource?: JsonObject;
  /** Secret values standing in for the definition's `secret_refs` (which cannot be read locally), by the same path. */
  secretRefs?: JsonObject;
  /** Extra secrets merged over `driver_inputs.secrets` last. */
  driverSecrets?: JsonObject;
}

export interface TestDefinitionOptions {
  registry?: DriverRegistry;
  timeoutMs?: number;
}

export interface ParsedDefinition {
  id: string;
  type: string;
  driverType: string;
  driverInputs: { values: JsonObject; secrets: JsonObject; secretRefs: JsonObject };
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(owner: JsonObject, key: string, where: string): JsonObject {
  const value = owner[key];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new InvalidInput(`${where}.${key} must be an object`, { field: `${where}.${key}` });
  return value;
}

/**
 * Accepts a Humanitec manifest (`kind: Definition` with `entity`) or the API's JSON form, as YAML/JSON text or
 * an already parsed object. Text must hold exactly one definition.
 */
export function parseDefinition(definition: string | JsonObject): ParsedDefinition {
  let doc: unknown = definition;
  if (typeof definition === 'string') {
    const docs = parseAllDocuments(definition);
    if (!Array.isArray(docs)) throw new InvalidInput('definition text is empty');
    const nonEmpty = docs.filter((d) => d.contents !== null);
    const first = nonEmpty[0];
    if (nonEmpty.length !== 1 || first === undefined) {
      throw new InvalidInput(`definition text must hold exactly one document (found ${nonEmpty.length})`);
    }
    if (first.errors.length > 0) throw new InvalidInput(`definition is not valid YAML: ${first.errors[0]?.message ?? ''}`);
    doc = first.toJS() as unknown;
  }
  if (!isPlainObject(doc)) throw new InvalidInput('definition must be an object');
  let entity: JsonObject = doc;
  let id = doc.id;
  if (doc.kind !== undefined || doc.entity !== undefined) {
    if (doc.kind !== 'Definition') throw new InvalidInput(`manifest kind must be "Definition" (got ${JSON.stringify(doc.kind)})`);
    if (!isPlainObject(doc.entity)) throw new InvalidInput('manifest has no "entity" object');
    entity = doc.entity;
    id = isPlainObject(doc.metadata) ? doc.metadata.id : undefined;
  }
  const type = entity.type;
  const driverType = entity.driver_type;
  if (typeof type !== 'string' || type === '') throw new InvalidInput('definition has no "type"', { field: 'type' });
  if (typeof driverType !== 'string' || driverType === '') {
    throw new InvalidInput('definition has no "driver_type"', { field: 'driver_type' });
  }
  const inputs = objectField(entity, 'driver_inputs', 'definition');
  return {
    id: typeof id === 'string' ? id : '',
    type,
    driverType,
    driverInputs: {
      values: objectField(inputs, 'values', 'driver_inputs'),
      secrets: objectField(inputs, 'secrets', 'driver_inputs'),
      secretRefs: objectField(inputs, 'secret_refs', 'driver_inputs'),
    },
  };
}

/** Namespaces a definition's placeholders can use; `${...}` with anything else (e.g. `${env:POD_IP}`) is left alone. */
const PLACEHOLDER_ROOT = /^(context|resources|values|shared|externals|modules)\b/;

/**
 * Replaces `${path}` placeholders in every string of `value`. A string that is exactly one placeholder takes the
 * placeholder's value with its type; embedded placeholders insert strings raw and other values as JSON. `$\{` is
 * an escaped literal `${`. Missing placeholders are collected in `missing`.
 */
export function resolvePlaceholders(value: unknown, placeholders: Record<string, unknown>, missing: Set<string> = new Set()): unknown {
  if (typeof value === 'string') return resolveString(value, placeholders, missing);
  if (Array.isArray(value)) return value.map((item) => resolvePlaceholders(item, placeholders, missing));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, placeholders, missing)]));
  }
  return value;
}

/** Finds the `}` closing a placeholder that starts at `start` (after `${`), skipping quoted bracket keys. */
function placeholderEnd(text: string, start: number): number {
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}') return i;
  }
  return -1;
}

function resolveString(text: string, placeholders: Record<string, unknown>, missing: Set<string>): unknown {
  const parts: { literal?: string; path?: string; value?: unknown }[] = [];
  let i = 0;
  let literal = '';
  while (i < text.length) {
    if (text.startsWith('$\\{', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      const end = placeholderEnd(text, i + 2);
      const path = end < 0 ? '' : text.slice(i + 2, end).trim();
      if (end >= 0 && PLACEHOLDER_ROOT.test(path)) {
        if (literal !== '') parts.push({ literal });
        literal = '';
        if (!(path in placeholders)) missing.add(path);
        parts.push({ path, value: placeholders[path] });
        i = end + 1;
        continue;
      }
    }
    literal += text[i];
    i += 1;
  }
  if (literal !== '') parts.push({ literal });
  const only = parts[0];
  if (parts.length === 1 && only?.path !== undefined) return only.value;
  // No placeholder: only escapes (if any) were rewritten.
  if (parts.every((p) => p.path === undefined)) return literal;
  return parts
    .map((p) => (p.path === undefined ? (p.literal ?? '') : typeof p.value === 'string' ? p.value : JSON.stringify(p.value)))
    .join('');
}

/** `secret_refs` leaves are `{value}` (inline) or `{store, ref}` (external, unreadable here); returns paths still unset. */
function inlineSecretRefs(refs: JsonObject, path: string[] = [], unresolved: string[] = []): { secrets: JsonObject; unresolved: string[] } {
  const secrets: JsonObject = {};
  for (const [key, ref] of Object.entries(refs)) {
    const here = [...path, key];
    if (isPlainObject(ref) && ('value' in ref || 'ref' in ref || 'store' in ref)) {
      if ('value' in ref) secrets[key] = ref.value;
      else unresolved.push(here.join('.'));
    } else if (isPlainObject(ref)) {
      secrets[key] = inlineSecretRefs(ref, here, unresolved).secrets;
    } else {
      secrets[key] = ref;
    }
  }
  return { secrets, unresolved };
}

/** Deep merge of plain objects; `over` wins. */
function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return out;
}

function hasPath(object: JsonObject, path: string): boolean {
  let node: unknown = object;
  for (const key of path.split('.')) {
    if (!isPlainObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/** Provisions `definition` locally and returns the driver's result (secrets unmasked; see `maskSecrets`). */
export async function testDefinition(
  definition: string | JsonObject,
  inputs: TestDefinitionInputs = {},
  options: TestDefinitionOptions = {},
): Promise<ProvisionResult> {
  const parsed = parseDefinition(definition);
  const given = inputs.placeholders ?? {};
  const resId = typeof given['context.res.id'] === 'string' ? given['context.res.id'] : `shared.${parsed.id || 'test'}`;
  const resClass = typeof given['context.res.class'] === 'string' ? given['context.res.class'] : 'default';
  const context: DriverContext = {
    orgId: stringOr(given['context.org.id'], 'test-org'),
    appId: stringOr(given['context.app.id'], 'test-app'),
    envId: stringOr(given['context.env.id'], 'test-env'),
    envType: stringOr(given['context.env.type'], 'development'),
  };
  // A deterministic stand-in for the GUResID, so repeated test runs (and cookies) line up.
  const guresid = stringOr(
    given['context.res.guresid'],
    sha256Hex(canonicalJson({ ...context, type: parsed.type, class: resClass, resId })).slice(0, 40),
  );
  const placeholders: Record<string, unknown> = {
    'context.res.id': resId,
    'context.res.type': parsed.type,
    'context.res.class': resClass,
    'context.res.guresid': guresid,
    'context.org.id': context.orgId,
    'context.app.id': context.appId,
    'context.env.id': context.envId,
    'context.env.type': context.envType,
    ...given,
  };

  const missing = new Set<string>();
  const values = resolvePlaceholders(parsed.driverInputs.values, placeholders, missing) as JsonObject;
  const fromRefs = inlineSecretRefs(parsed.driverInputs.secretRefs);
  let secrets = merge(parsed.driverInputs.secrets, fromRefs.secrets);
  secrets = merge(secrets, inputs.secretRefs ?? {});
  secrets = merge(secrets, inputs.driverSecrets ?? {});
  secrets = resolvePlaceholders(secrets, placeholders, missing) as JsonObject;
  if (missing.size > 0) {
    throw new InvalidInput(`definition uses placeholders that the inputs do not provide: ${[...missing].sort().join(', ')}`, {
      missing: [...missing].sort(),
    });
  }
  const unresolved = fromRefs.unresolved.filter((path) => !hasPath(inputs.secretRefs ?? {}, path) && !hasPath(inputs.driverSecrets ?? {}, path));
  if (unresolved.length > 0) {
    throw new InvalidInput(`secret_refs point to secret stores that cannot be read locally; give them in inputs.secretRefs: ${unresolved.join(', ')}`, {
      unresolved,
    });
  }

  // Run locally (CLI), terraform state goes to a scratch folder of this machine, never a server's data folder.
  const registry = options.registry ?? createBuiltinRegistry({ terraformStateDir: join(tmpdir(), 'baton-test-definition', 'terraform') });
  const driver = registry.get(parsed.driverType);
  // As in a deployment: the definition's own deadline wins, and the driver never sees Baton's field.
  const deadline = splitDeadline(values, options.timeoutMs ?? 30_000);
  return callDriver(
    driver,
    {
      guresid,
      type: parsed.type,
      class: resClass,
      resId,
      resource: inputs.resource ?? {},
      driver: { values: deadline.values, secrets },
      ...(inputs.cookie === undefined || inputs.cookie === null ? {} : { cookie: inputs.cookie }),
      context,
      log: () => undefined,
    },
    { timeoutMs: deadline.timeoutMs },
  );
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

export const MASK = '********';

/** A copy of `result` whose secret outputs show their structure but not their values. */
export function maskSecrets(result: ProvisionResult): ProvisionResult {
  const mask = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(mask);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    return MASK;
  };
  return { ...result, secrets: mask(result.secrets) as JsonObject };
}
