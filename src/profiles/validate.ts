/** Validation of module specs against a profile's `specSchema`. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InvalidInput } from '../shared/errors.js';
import { safeRegExpEngine } from '../shared/safe-regex.js';
import { revealSecrets } from './metadata.js';
import type { ResolvedValue, WorkloadProfile } from './types.js';

export interface SpecIssue {
  /** JSON Pointer into the module, e.g. `/spec/containers/main/image`. */
  path: string;
  message: string;
}

// user `pattern`s are checked for catastrophic backtracking before they run (src/shared/safe-regex.ts)
const ajv = new Ajv2020({ allErrors: true, strict: false, code: { regExp: safeRegExpEngine } });
// Compiled validators are cached per schema object: profiles are long-lived, specs are validated often.
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function describe(error: ErrorObject): SpecIssue {
  let path = `/spec${error.instancePath}`;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    path = `${path}/${extra}`;
    message = 'is not a known property';
  } else if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    path = `${path}/${missing}`;
    message = 'is required';
  }
  return { path, message };
}

/** Check a spec (secret strings allowed) against a profile's schema; an empty list means valid. */
export function validateSpecWith(profile: Pick<WorkloadProfile, 'specSchema'>, spec: ResolvedValue): SpecIssue[] {
  const validate = validatorFor(profile.specSchema);
  if (validate(revealSecrets(spec))) return [];
  const issues = (validate.errors ?? [])
    // `if/then` wrappers repeat what the inner error already says.
    .filter((e) => e.keyword !== 'if')
    .map(describe);
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path} ${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function assertValidSpec(profile: WorkloadProfile, workloadId: string, spec: ResolvedValue): void {
  const issues = validateSpecWith(profile, spec);
  if (issues.length > 0) {
    throw new InvalidInput(
      `module "${workloadId}" does not fit profile "${profile.id}": ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      { workload: workloadId, profile: profile.id, issues },
    );
  }
}
