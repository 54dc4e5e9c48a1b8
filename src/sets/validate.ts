import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { InvalidInput } from '../shared/errors.js';
import { normalizeModule, normalizeResourceMap, normalizeSet } from './normalize.js';
import {
  DeltaInputSchema,
  DeploymentSetSchema,
  ModuleInputSchema,
  RESOURCE_NAME_PATTERN,
  ResourceRefInputSchema,
  SetInputSchema,
  type Delta,
  type DeltaInput,
  type DeploymentSet,
  type Module,
  type PatchOperation,
  type ResourceRef,
  type ResourceRefInput,
} from './schemas.js';

export interface ValidationIssue {
  /** JSON Pointer into the checked value, e.g. `/modules/add/web/profile`. */
  path: string;
  message: string;
}

const setInputValidator = Compile(SetInputSchema);
const deltaInputValidator = Compile(DeltaInputSchema);
const storedSetValidator = Compile(DeploymentSetSchema);
const moduleInputValidator = Compile(ModuleInputSchema);
const resourceInputValidator = Compile(ResourceRefInputSchema);
const resourceNameRegex = new RegExp(RESOURCE_NAME_PATTERN);

function toIssues(errors: TLocalizedValidationError[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    // An `additionalProperties: false` failure is reported twice (once as a `false` sub-schema); keep the clear one.
    if (error.keyword === 'boolean') continue;
    let message = error.message;
    if (error.keyword === 'additionalProperties') {
      message = `unknown member(s): ${error.params.additionalProperties.join(', ')}`;
    } else if (error.keyword === 'pattern' && error.schemaPath.includes('propertyNames')) {
      const segment = error.instancePath.split('/').pop() ?? '';
      const name = segment.replaceAll('~1', '/').replaceAll('~0', '~');
      message = `${JSON.stringify(name)} is not a valid name (must match ${error.params.pattern})`;
    } else if (error.keyword === 'propertyNames') {
      message = `invalid name(s): ${error.params.propertyNames.map((name) => JSON.stringify(name)).join(', ')}`;
    }
    issues.push({ path: error.instancePath, message });
  }
  return issues;
}

function fail(what: string, issues: ValidationIssue[]): never {
  const first = issues[0];
  const where = first ? `${first.path || '(root)'}: ${first.message}` : 'does not match the schema';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
  throw new InvalidInput(`invalid ${what} at ${where}${more}`, { issues });
}

function checkOperations(ops: PatchOperation[], basePath: string, issues: ValidationIssue[]): void {
  ops.forEach((op, index) => {
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
      issues.push({ path: `${basePath}/${index}`, message: `operation "${op.op}" needs a "value"` });
    }
    if ((op.op === 'move' || op.op === 'copy') && op.from === undefined) {
      issues.push({ path: `${basePath}/${index}`, message: `operation "${op.op}" needs a "from"` });
    }
  });
}

/** Validates a set arriving from outside and returns it normalised (see `normalizeSet`). Throws `InvalidInput`. */
export function parseSet(input: unknown): DeploymentSet {
  if (!setInputValidator.Check(input)) fail('deployment set', toIssues(setInputValidator.Errors(input)));
  return normalizeSet(input);
}

/**
 * Validates a delta arriving from outside (Humanitec `DeltaRequest`) and returns it normalised: every bucket
 * present, added modules normalised, `null`s gone. `id` and `metadata` are passed through untouched.
 * Throws `InvalidInput` whose `details.issues` lists every problem with its JSON Pointer.
 */
export function parseDelta(input: unknown): Delta {
  if (!deltaInputValidator.Check(input)) fail('delta', toIssues(deltaInputValidator.Errors(input)));
  const delta: DeltaInput = input;
  const issues: ValidationIssue[] = [];
  for (const [moduleId, ops] of Object.entries(delta.modules?.update ?? {})) {
    checkOperations(ops, `/modules/update/${moduleId}`, issues);
  }
  checkOperations(delta.shared ?? [], '/shared', issues);
  if (issues.length > 0) fail('delta', issues);

  const add: Record<string, Module> = {};
  for (const [moduleId, module] of Object.entries(delta.modules?.add ?? {})) add[moduleId] = normalizeModule(module);
  const out: Delta = {
    modules: { add, remove: [...(delta.modules?.remove ?? [])], update: { ...(delta.modules?.update ?? {}) } },
    shared: [...(delta.shared ?? [])],
  };
  if (delta.id !== undefined) out.id = delta.id;
  if (delta.metadata !== undefined && delta.metadata !== null) out.metadata = delta.metadata;
  return out;
}

/**
 * Checks a module produced by JSON-Patch (which may have introduced `null`s or broken the shape) and returns it
 * normalised. Throws `InvalidInput` naming the module.
 */
export function checkPatchedModule(moduleId: string, module: unknown): Module {
  if (!moduleInputValidator.Check(module)) {
    const issues = toIssues(moduleInputValidator.Errors(module)).map((issue) => ({
      path: `/modules/${moduleId}${issue.path}`,
      message: issue.message,
    }));
    fail(`module "${moduleId}" after applying its update`, issues);
  }
  return normalizeModule(module);
}

/** Checks the `shared` map produced by JSON-Patch and returns it normalised. Throws `InvalidInput` naming the entry. */
export function checkPatchedShared(shared: unknown): Record<string, ResourceRef> {
  const issues: ValidationIssue[] = [];
  if (shared === null || typeof shared !== 'object' || Array.isArray(shared)) {
    fail('shared resources after applying the delta', [{ path: '/shared', message: 'must be an object' }]);
  }
  for (const [name, ref] of Object.entries(shared)) {
    if (!resourceNameRegex.test(name)) {
      issues.push({ path: `/shared/${name}`, message: `invalid name ${JSON.stringify(name)}` });
    } else if (!resourceInputValidator.Check(ref)) {
      for (const issue of toIssues(resourceInputValidator.Errors(ref))) {
        issues.push({ path: `/shared/${name}${issue.path}`, message: issue.message });
      }
    }
  }
  if (issues.length > 0) fail('shared resources after applying the delta', issues);
  return normalizeResourceMap(shared as Record<string, ResourceRefInput>);
}

/** Full check of a stored/normalised set (e.g. one read back from storage). */
export function isValidSet(set: unknown): set is DeploymentSet {
  return storedSetValidator.Check(set);
}
