import { Conflict, InvalidInput } from '../shared/errors.js';
import { checkDeadlineValue } from '../drivers/deadline.js';
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { defaultTypeRegistry, type ResourceTypeRegistry } from './types.js';

/**
 * Resource definitions: the "how" (driver + inputs) and the "when" (matching criteria) for a resource type.
 * Shapes follow Humanitec's CreateResourceDefinitionRequest / ResourceDefinitionResponse (snake_case on purpose,
 * so API bodies and YAML manifests pass through unchanged).
 */

export type JsonObject = Record<string, unknown>;

/** Class every resource and every criterion has unless it says otherwise. */
export const DEFAULT_CLASS = 'default';
/** A criterion field set to this matches every value. */
export const WILDCARD = '*';

export interface MatchingCriterion {
  /** Assigned when stored; `normalizeDefinition` derives a stable one from the content when absent. */
  id: string;
  class: string;
  app_id?: string;
  env_id?: string;
  env_type?: string;
  res_id?: string;
}

export interface ProvisionDependency {
  /** The co-provisioned resource depends on (is provisioned after) the current one. */
  is_dependent: boolean;
  /** Everything that depends on the current resource also depends on the co-provisioned one. */
  match_dependents: boolean;
  /** Resource inputs handed to the co-provisioned resource's driver; placeholders allowed. */
  params?: JsonObject;
}

export interface DriverInputs {
  values: JsonObject;
  secrets: JsonObject;
  secret_refs?: JsonObject;
}

export interface ResourceDefinition {
  id: string;
  name: string;
  type: string;
  driver_type: string;
  driver_account?: string;
  driver_inputs: DriverInputs;
  provision: Record<string, ProvisionDependency>;
  criteria: MatchingCriterion[];
  in_place_driver_change?: boolean;
  /** Stored version the graph records on each node (`def_version_id`). */
  version_id?: string;
  /** ISO time; used only to break ties deterministically (older wins). */
  created_at?: string;
  is_deleted?: boolean;
  is_default?: boolean;
}

/** Humanitec's definition id rule: at least 3 characters, lowercase letters, digits and inner `-`. */
export const DEFINITION_ID_PATTERN = /^[a-z0-9][a-z0-9-]+[a-z0-9]$/;
const DRIVER_TYPE_PATTERN = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;
const CRITERION_FIELDS = ['class', 'app_id', 'env_id', 'env_type', 'res_id'] as const;
const PROVISION_FIELDS = new Set(['is_dependent', 'match_dependents', 'params']);
const DEFINITION_FIELDS = new Set([
  'id', 'name', 'type', 'driver_type', 'driver_account', 'driver_inputs', 'provision', 'criteria', 'in_place_driver_change',
  // Present on responses and exports; accepted so a definition read back can be written again unchanged.
  'org_id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'active_version_id', 'is_default', 'is_deleted',
]);

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A provision key `type[.class][#resId]` taken apart; omitted parts are inherited from the provisioning resource. */
export interface ProvisionKey {
  type: string;
  class?: string;
  resId?: string;
}

/**
 * Splits `type[.class][#id]`. The id may itself contain dots (`dns#shared.api-dns`), so `#` is split first.
 * Custom types contain `/`, never `.` or `#`, so the first `.` before `#` always starts the class.
 */
export function parseResourceDescriptor(descriptor: string): ProvisionKey {
  const hash = descriptor.indexOf('#');
  const head = hash === -1 ? descriptor : descriptor.slice(0, hash);
  const resId = hash === -1 ? undefined : descriptor.slice(hash + 1);
  const dot = head.indexOf('.');
  const type = dot === -1 ? head : head.slice(0, dot);
  const cls = dot === -1 ? undefined : head.slice(dot + 1);
  if (type === '' || cls === '' || resId === '') {
    throw new InvalidInput(`"${descriptor}" is not a resource descriptor: expected type[.class][#id]`, { descriptor });
  }
  return { type, ...(cls === undefined ? {} : { class: cls }), ...(resId === undefined ? {} : { resId }) };
}

/** `type.class#resId`, the form used in errors, logs and placeholders. */
export function formatDescriptor(ref: { type: string; class: string; resId: string }): string {
  return `${ref.type}.${ref.class}#${ref.resId}`;
}

/** Stable id for a criterion that has none yet: equal content ⇒ equal id, so re-imports do not churn. */
export function deriveCriterionId(definitionId: string, criterion: Omit<MatchingCriterion, 'id'>): string {
  return sha256Hex(canonicalJson({ definitionId, criterion })).slice(0, 12);
}

/**
 * Validates one criterion body (MatchingCriteriaRuleRequest) and fills the class default.
 * Empty strings count as "not set", as in Humanitec's API.
 */
export function normalizeCriterion(body: unknown, definitionId: string, field = 'criteria'): MatchingCriterion {
  if (!isPlainObject(body)) throw new InvalidInput(`${field}: each criterion must be an object`, { field });
  const out: Omit<MatchingCriterion, 'id'> = { class: DEFAULT_CLASS };
  for (const key of Object.keys(body)) {
    if (key === 'id') continue;
    if (!(CRITERION_FIELDS as readonly string[]).includes(key)) {
      throw new InvalidInput(`${field}.${key}: unknown criterion field (allowed: ${CRITERION_FIELDS.join(', ')})`, { field: `${field}.${key}` });
    }
  }
  for (const key of CRITERION_FIELDS) {
    const value = body[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new InvalidInput(`${field}.${key}: must be a string`, { field: `${field}.${key}` });
    out[key] = value;
  }
  const id = typeof body.id === 'string' && body.id !== '' ? body.id : deriveCriterionId(definitionId, out);
  return { id, ...out };
}

/** The fields two criteria must share to be duplicates (everything but the id). */
export function criterionKey(criterion: Omit<MatchingCriterion, 'id'>): string {
  return CRITERION_FIELDS.map((k) => criterion[k] ?? '').join('\u0000');
}

export function describeCriterion(criterion: Omit<MatchingCriterion, 'id'>): string {
  const parts = CRITERION_FIELDS.filter((k) => criterion[k] !== undefined).map((k) => `${k}=${criterion[k]}`);
  return `{${parts.join(', ')}}`;
}

function normalizeProvision(body: unknown, types: ResourceTypeRegistry, issues: string[]): Record<string, ProvisionDependency> {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) {
    issues.push('provision: must be a map of "type[.class][#id]" to {is_dependent, match_dependents, params}');
    return {};
  }
  const out: Record<string, ProvisionDependency> = {};
  for (const [key, raw] of Object.entries(body)) {
    const field = `provision["${key}"]`;
    let parsed: ProvisionKey;
    try {
      parsed = parseResourceDescriptor(key);
    } catch (error) {
      issues.push(`${field}: ${(error as Error).message}`);
      continue;
    }
    if (!types.has(parsed.type)) issues.push(`${field}: unknown resource type "${parsed.type}"`);
    const entry = raw ?? {};
    if (!isPlainObject(entry)) {
      issues.push(`${field}: must be an object`);
      continue;
    }
    for (const k of Object.keys(entry)) if (!PROVISION_FIELDS.has(k)) issues.push(`${field}.${k}: unknown field`);
    for (const flag of ['is_dependent', 'match_dependents'] as const) {
      if (entry[flag] !== undefined && typeof entry[flag] !== 'boolean') issues.push(`${field}.${flag}: must be a boolean`);
    }
    if (entry.params !== undefined && !isPlainObject(entry.params)) issues.push(`${field}.params: must be an object`);
    out[key] = {
      is_dependent: entry.is_dependent === true,
      match_dependents: entry.match_dependents === true,
      ...(isPlainObject(entry.params) ? { params: entry.params } : {}),
    };
  }
  return out;
}

function normalizeDriverInputs(body: unknown, issues: string[]): DriverInputs {
  if (body === undefined || body === null) return { values: {}, secrets: {} };
  if (!isPlainObject(body)) {
    issues.push('driver_inputs: must be an object {values, secrets | secret_refs}');
    return { values: {}, secrets: {} };
  }
  for (const k of Object.keys(body)) {
    if (!['values', 'secrets', 'secret_refs'].includes(k)) issues.push(`driver_inputs.${k}: unknown field (allowed: values, secrets, secret_refs)`);
  }
  for (const k of ['values', 'secrets', 'secret_refs'] as const) {
    if (body[k] !== undefined && body[k] !== null && !isPlainObject(body[k])) issues.push(`driver_inputs.${k}: must be an object`);
  }
  const secrets = isPlainObject(body.secrets) ? body.secrets : {};
  const secretRefs = isPlainObject(body.secret_refs) ? body.secret_refs : undefined;
  if (secretRefs && Object.keys(secrets).length > 0) {
    issues.push('driver_inputs: "secrets" and "secret_refs" cannot be used together');
  }
  if (secretRefs) checkSecretRefLeaves(secretRefs, 'driver_inputs.secret_refs', issues);
  const deadlineProblem = isPlainObject(body.values) ? checkDeadlineValue(body.values) : undefined;
  if (deadlineProblem !== undefined) issues.push(deadlineProblem);
  return {
    values: isPlainObject(body.values) ? body.values : {},
    secrets,
    ...(secretRefs ? { secret_refs: secretRefs } : {}),
  };
}

/** Leaves are `{value}` (store in the primary store) or `{store, ref, version?}` (external store); nesting is allowed. */
function checkSecretRefLeaves(node: JsonObject, path: string, issues: string[]): void {
  const keys = Object.keys(node);
  const isLeaf = keys.some((k) => ['value', 'store', 'ref', 'version'].includes(k));
  if (isLeaf) {
    if ('value' in node) {
      if (keys.some((k) => k !== 'value')) issues.push(`${path}: "value" cannot be combined with store/ref/version`);
    } else if (typeof node.store !== 'string' || typeof node.ref !== 'string') {
      issues.push(`${path}: a secret reference needs "store" and "ref" (or just "value")`);
    } else if (node.store === 'humanitec') {
      issues.push(`${path}: store cannot be "humanitec"`);
    }
    return;
  }
  for (const [k, child] of Object.entries(node)) {
    if (!isPlainObject(child)) issues.push(`${path}.${k}: must be a secret reference {value} or {store, ref, version?}`);
    else checkSecretRefLeaves(child, `${path}.${k}`, issues);
  }
}

export interface ValidateDefinitionOptions {
  types?: ResourceTypeRegistry;
  /** Driver ids that exist; when given, `driver_type` must be one of them. */
  knownDriverTypes?: ReadonlySet<string>;
}

/**
 * Validates a CreateResourceDefinitionRequest body and returns the normalized definition
 * (criteria classes defaulted, criterion ids derived, provision flags filled). Reports every problem at once.
 */
export function validateDefinitionRequest(body: unknown, options: ValidateDefinitionOptions = {}): ResourceDefinition {
  const types = options.types ?? defaultTypeRegistry;
  if (!isPlainObject(body)) throw new InvalidInput('resource definition must be an object');
  const issues: string[] = [];
  for (const k of Object.keys(body)) if (!DEFINITION_FIELDS.has(k)) issues.push(`${k}: unknown field`);

  const id = body.id;
  if (typeof id !== 'string' || !DEFINITION_ID_PATTERN.test(id)) {
    issues.push(`id: must match ${DEFINITION_ID_PATTERN.source} (got ${JSON.stringify(id)})`);
  }
  const defId = typeof id === 'string' ? id : '';
  if (body.name !== undefined && typeof body.name !== 'string') issues.push('name: must be a string');
  const type = body.type;
  if (typeof type !== 'string' || type === '') issues.push('type: required');
  else if (!types.has(type)) issues.push(`type: unknown resource type "${type}"`);

  const driverType = body.driver_type;
  if (typeof driverType !== 'string' || !DRIVER_TYPE_PATTERN.test(driverType)) {
    issues.push(`driver_type: must be "<org>/<driver>" (got ${JSON.stringify(driverType)})`);
  } else if (options.knownDriverTypes && !options.knownDriverTypes.has(driverType)) {
    issues.push(`driver_type: no driver "${driverType}" is registered`);
  }
  const account = body.driver_account;
  if (account !== undefined && account !== null && account !== '') {
    // An account id, or a placeholder that resolves to one (`${resources['config#aws'].account}`).
    if (typeof account !== 'string' || (!account.includes('${') && !DEFINITION_ID_PATTERN.test(account))) {
      issues.push(`driver_account: must be an account id or a placeholder (got ${JSON.stringify(account)})`);
    }
  }
  if (body.in_place_driver_change !== undefined && typeof body.in_place_driver_change !== 'boolean') {
    issues.push('in_place_driver_change: must be a boolean');
  }
  const driverInputs = normalizeDriverInputs(body.driver_inputs, issues);
  const provision = normalizeProvision(body.provision, types, issues);

  let criteria: MatchingCriterion[] = [];
  if (body.criteria !== undefined && body.criteria !== null) {
    if (!Array.isArray(body.criteria)) issues.push('criteria: must be a list');
    else {
      criteria = [];
      body.criteria.forEach((c, i) => {
        try {
          criteria.push(normalizeCriterion(c, defId, `criteria[${i}]`));
        } catch (error) {
          issues.push((error as Error).message);
        }
      });
    }
  }
  if (issues.length > 0) {
    throw new InvalidInput(`invalid resource definition${defId ? ` "${defId}"` : ''}: ${issues.join('; ')}`, { issues });
  }
  assertNoDuplicateCriteria([], { id: defId, type: type as string, criteria });
  return {
    id: defId,
    name: typeof body.name === 'string' && body.name !== '' ? body.name : defId,
    type: type as string,
    driver_type: driverType as string,
    ...(typeof account === 'string' && account !== '' ? { driver_account: account } : {}),
    driver_inputs: driverInputs,
    provision,
    criteria,
    ...(typeof body.in_place_driver_change === 'boolean' ? { in_place_driver_change: body.in_place_driver_change } : {}),
    ...(typeof body.created_at === 'string' ? { created_at: body.created_at } : {}),
    ...(typeof body.active_version_id === 'string' ? { version_id: body.active_version_id } : {}),
    ...(typeof body.is_default === 'boolean' ? { is_default: body.is_default } : {}),
  };
}

/**
 * Humanitec refuses a criterion that duplicates one already present for the same resource type,
 * in this definition or in any other. Throws `Conflict` naming both holders.
 * `existing` may contain `candidate` itself (an update); its old criteria are then ignored.
 */
export function assertNoDuplicateCriteria(
  existing: readonly Pick<ResourceDefinition, 'id' | 'type' | 'criteria' | 'is_deleted'>[],
  candidate: Pick<ResourceDefinition, 'id' | 'type' | 'criteria'>,
): void {
  const taken = new Map<string, string>();
  for (const def of existing) {
    if (def.type !== candidate.type || def.id === candidate.id || def.is_deleted) continue;
    for (const c of def.criteria) taken.set(criterionKey(c), def.id);
  }
  const own = new Set<string>();
  for (const c of candidate.criteria) {
    const key = criterionKey(c);
    const holder = taken.get(key);
    if (holder !== undefined) {
      throw new Conflict(
        `matching criterion ${describeCriterion(c)} for type "${candidate.type}" duplicates one of definition "${holder}"`,
        { type: candidate.type, criterion: c, conflictsWith: holder },
      );
    }
    if (own.has(key)) {
      throw new Conflict(`matching criterion ${describeCriterion(c)} appears twice in definition "${candidate.id}"`, {
        type: candidate.type,
        criterion: c,
        conflictsWith: candidate.id,
      });
    }
    own.add(key);
  }
}

/** Checks a definition id on its own (route parameters). */
export function checkDefinitionId(id: unknown): string {
  if (typeof id !== 'string' || !DEFINITION_ID_PATTERN.test(id)) {
    throw new InvalidInput(`definition id must match ${DEFINITION_ID_PATTERN.source} (got ${JSON.stringify(id)})`, { field: 'id' });
  }
  return id;
}

/** Validates a resource class id (ResourceClassRequest): the API uses the same id rule as other objects. */
const CLASS_ID_PATTERN = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
export function checkClassId(id: unknown): string {
  if (typeof id !== 'string' || id.length < 2 || id.length > 63 || !CLASS_ID_PATTERN.test(id)) {
    throw new InvalidInput(`class id must match ${CLASS_ID_PATTERN.source} and be 2-63 characters (got ${JSON.stringify(id)})`, {
      field: 'id',
    });
  }
  return id;
}
