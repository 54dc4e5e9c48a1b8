/**
 * Validation against the official Score v1b1 JSON schema (draft 2020-12), vendored byte for byte in
 * ./schema/score-v1b1.json. Ajv is compiled once per process; its raw errors are turned into messages that
 * say what was expected, with the noise of failed `oneOf`/`anyOf` branches removed.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import scoreSchema from './schema/score-v1b1.json' with { type: 'json' };
import { closestName } from '../shared/suggest.js';
import { fromPointer } from './document.js';

export interface SchemaProblem {
  /** Path of the value the problem is about (reported to the user). */
  path: string[];
  /** Path used to find the line and column (may point at a key below `path`). */
  locatePath: string[];
  /** Locate the key of the last segment of `locatePath` rather than its value. */
  atKey: boolean;
  message: string;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // `strict: false`: the official schema uses annotation keywords (`deprecated`, `examples`) that Ajv's
  // strict mode would reject although they are valid draft 2020-12.
  compiled ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(scoreSchema);
  return compiled;
}

function isAtOrBelow(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + '/');
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function describe(type: unknown): string {
  const names = Array.isArray(type) ? type.map(String) : [String(type)];
  return names.map((name) => (name === 'object' ? 'a map' : name === 'array' ? 'a list' : `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`)).join(' or ');
}

function requiredAlternatives(errors: ErrorObject[]): string[] | undefined {
  const names = errors.map((error) => (error.keyword === 'required' ? String(error.params.missingProperty) : undefined));
  return names.every((name) => name !== undefined) ? names : undefined;
}

/** The names listed by `oneOf: [{required:[a]}, {required:[b]}]`, if the schema has that shape. */
function requiredChoices(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const names: string[] = [];
  for (const branch of schema as unknown[]) {
    const required = (branch as { required?: unknown }).required;
    if (!Array.isArray(required) || required.length !== 1) return undefined;
    names.push(String(required[0]));
  }
  return names;
}

function messageFor(error: ErrorObject): string {
  const prefix = error.propertyName !== undefined ? `name '${error.propertyName}' ` : '';
  switch (error.keyword) {
    case 'required':
      return `missing required property '${String(error.params.missingProperty)}'`;
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const suggestion = closestName(name, known);
      return `unknown property '${name}' is not allowed here${suggestion ? ` (did you mean '${suggestion}'?)` : known.length > 0 ? ` (expected one of ${known.join(', ')})` : ''}`;
    }
    case 'type': {
      const hint = /\/variables\/[^/]+$/.test(error.instancePath) ? ' (quote the value in YAML)' : '';
      return `${show(error.data)} is not ${describe(error.params.type)}${hint}`;
    }
    case 'pattern':
      return `${prefix}${error.propertyName !== undefined ? '' : show(error.data) + ' '}does not match the expected pattern ${String(error.params.pattern)}`;
    case 'enum':
      return `${show(error.data)} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${show(error.data)} ${error.message ?? 'is out of range'}`;
    case 'minLength':
      return `${prefix || show(error.data) + ' '}is too short: must have at least ${String(error.params.limit)} characters`;
    case 'maxLength':
      return `${prefix || show(error.data) + ' '}is too long: must have at most ${String(error.params.limit)} characters`;
    case 'minProperties':
      return `must have at least ${String(error.params.limit)} entr${error.params.limit === 1 ? 'y' : 'ies'}`;
    case 'not':
      return "'target' is only allowed in the deprecated list form; in the map form the key is the target path";
    default:
      return `${prefix}${error.message ?? error.keyword}`;
  }
}

/**
 * Removes what a developer does not need from Ajv's `allErrors` output: the branches of a failed
 * `oneOf`/`anyOf` that do not apply (wrong type, e.g. "must be array" for a map), and the summary errors
 * when a more precise error from the applicable branch is present.
 */
function simplify(errors: ErrorObject[]): { error: ErrorObject; message: string }[] {
  const dropped = new Set<number>();
  const messages = new Map<number, string>();
  errors.forEach((error, index) => {
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') return;
    // Ajv reports a combinator's branch errors right before the combinator's own error.
    let start = index;
    while (start > 0 && isAtOrBelow(errors[start - 1]!.instancePath, error.instancePath)) start--;
    const branch: number[] = [];
    for (let k = start; k < index; k++) if (!dropped.has(k)) branch.push(k);
    const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
    if (error.keyword === 'oneOf' && Array.isArray(passing)) {
      branch.forEach((k) => dropped.add(k));
      const choices = requiredChoices(error.schema);
      messages.set(
        index,
        choices
          ? `exactly one of ${choices.join(', ')} is required, found ${passing.map((i) => choices[Number(i)] ?? '?').join(' and ')}`
          : 'matches more than one of the allowed forms; it must match exactly one',
      );
      return;
    }
    const typeMismatches = branch.filter((k) => errors[k]!.keyword === 'type' && errors[k]!.instancePath === error.instancePath);
    const others = branch.filter((k) => !typeMismatches.includes(k));
    typeMismatches.forEach((k) => dropped.add(k));
    const alternatives = requiredAlternatives(others.map((k) => errors[k]!));
    if (alternatives && others.every((k) => errors[k]!.instancePath === error.instancePath) && others.length > 1) {
      others.forEach((k) => dropped.add(k));
      messages.set(index, `${error.keyword === 'oneOf' ? 'exactly one' : 'at least one'} of ${alternatives.join(', ')} is required`);
    } else if (others.length > 0) {
      dropped.add(index);
    } else {
      const types = typeMismatches.map((k) => errors[k]!.params.type as unknown);
      messages.set(index, `${show(error.data)} is not ${types.length ? types.map(describe).join(' or ') : 'of an allowed form'}`);
    }
  });
  // `propertyNames` adds a summary ("property name must be valid") after the precise name errors.
  errors.forEach((error, index) => {
    if (error.keyword === 'propertyNames') dropped.add(index);
  });
  return errors.flatMap((error, index) =>
    dropped.has(index) ? [] : [{ error, message: messages.get(index) ?? messageFor(error) }],
  );
}

/** Validates one workload value against the Score schema; an empty list means valid. */
export function validateAgainstSchema(value: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const { error, message } of simplify(validate.errors ?? [])) {
    const path = fromPointer(error.instancePath);
    const key = `${error.instancePath}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let locatePath = path;
    let atKey = false;
    if (error.keyword === 'additionalProperties') {
      locatePath = [...path, String(error.params.additionalProperty)];
      atKey = true;
    } else if (error.propertyName !== undefined) {
      locatePath = [...path, error.propertyName];
      atKey = true;
    }
    // An unknown property is named by its own path (`containers.main.imagee`), so the field shown is the one at fault.
    problems.push({ path: error.keyword === 'additionalProperties' ? locatePath : path, locatePath, atKey, message });
  }
  return problems;
}
