/**
 * Overrides applied to a Score workload before validation, as the reference tools do:
 * an overrides document deep-merged into the workload (`null` deletes a key), then property overrides
 * `path=value` where the path is dot-separated (`\.` is a dot inside a key, `\\` a backslash, a number indexes
 * an existing list item, `-1` appends), the value is YAML (so `8080` is a number and `"8080"` a string), and an
 * empty value, a `null` value or a path without `=` deletes (score-go's framework/override_utils.go, humctl's `-p`).
 */
import { parse as parseYaml } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { assertSafeKey, assertSafeSegments } from '../shared/safe-path.js';

export interface PropertyOverride {
  path: string;
  /** `undefined` deletes the property. */
  value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge where `patch` wins; maps merge recursively, lists and scalars replace, `null` deletes. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isRecord(base) || !isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    assertSafeKey(key, 'overrides');
    if (value === null) delete result[key];
    else result[key] = Object.hasOwn(result, key) ? deepMerge(result[key], value) : structuredClone(value);
  }
  return result;
}

/** Splits an override path at dots: `\.` is a dot inside a key and `\\` a backslash (score-go's ParseDotPathParts). */
export function parseDotPath(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < path.length; index++) {
    const char = path[index];
    const next = path[index + 1];
    if (char === '\\' && (next === '.' || next === '\\')) {
      current += next;
      index++;
    } else if (char === '.') {
      segments.push(current);
      current = '';
    } else current += char;
  }
  segments.push(current);
  return segments;
}

/**
 * Parses `path=value` (the CLI's `--property`); the value is YAML. `path` alone, `path=` and `path=null` delete.
 * A value that is not valid YAML is taken as a string, as score-humanitec does.
 */
export function parsePropertyOverride(text: string): PropertyOverride {
  const equals = text.indexOf('=');
  if (equals === 0 || text === '') throw new InvalidInput(`property override '${text}' must look like path=value (or path alone to delete)`, { field: 'property' });
  if (equals < 0) return { path: text, value: undefined };
  const path = text.slice(0, equals);
  const raw = text.slice(equals + 1);
  if (raw === '') return { path, value: undefined };
  let value: unknown;
  try {
    value = parseYaml(raw) as unknown;
  } catch {
    value = raw;
  }
  return { path, value: value === null ? undefined : value };
}

/** Returns a copy of `document` with one property override applied. */
export function applyPropertyOverride(document: unknown, override: PropertyOverride): unknown {
  const segments = parseDotPath(override.path);
  if (segments.some((segment) => segment === '')) {
    throw new InvalidInput(`property override path '${override.path}' has an empty segment`, { field: 'property' });
  }
  assertSafeSegments(segments, override.path, { field: 'property' });
  const root: unknown = structuredClone(document);
  let current: unknown = root;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (Array.isArray(current)) {
      if (!/^-?\d+$/.test(segment)) {
        throw new InvalidInput(`property override '${override.path}': '${segment}' is not a list index`, { field: 'property' });
      }
      const appending = segment === '-1' && last && override.value !== undefined;
      const position = appending ? current.length : Number(segment);
      if (!appending && (position < 0 || position >= current.length)) {
        throw new InvalidInput(
          `property override '${override.path}': cannot ${override.value === undefined && last ? 'remove' : 'set'} index ${segment} of a list of ${current.length} (out of range; -1 appends)`,
          { field: 'property' },
        );
      }
      if (last) {
        if (override.value === undefined) current.splice(position, 1);
        else current[position] = override.value;
      } else {
        if (current[position] === null || typeof current[position] !== 'object') {
          throw new InvalidInput(`property override '${override.path}': cannot set '${segments[index + 1]}' inside a non-map value`, { field: 'property' });
        }
        current = current[position];
      }
    } else if (isRecord(current)) {
      if (last) {
        if (override.value === undefined) delete current[segment];
        else current[segment] = override.value;
      } else {
        if (!Object.hasOwn(current, segment) || current[segment] === undefined || current[segment] === null) current[segment] = {};
        current = current[segment];
      }
    } else {
      throw new InvalidInput(`property override '${override.path}': cannot set '${segment}' inside a non-map value`, { field: 'property' });
    }
  });
  return root;
}

export interface WorkloadOverrides {
  /** An overrides document (the CLI's `--overrides-file`), deep-merged first. */
  overrides?: unknown;
  /** Property overrides (`path=value` strings or parsed), applied in order after `overrides`. */
  properties?: readonly (string | PropertyOverride)[];
}

export function hasOverrides(options: WorkloadOverrides): boolean {
  return options.overrides !== undefined || (options.properties?.length ?? 0) > 0;
}

export function applyOverrides(document: unknown, options: WorkloadOverrides): unknown {
  let result = document;
  if (options.overrides !== undefined) {
    if (!isRecord(options.overrides)) throw new InvalidInput('the overrides document must be a map', { field: 'overrides' });
    result = deepMerge(result, options.overrides);
  }
  for (const property of options.properties ?? []) {
    result = applyPropertyOverride(result, typeof property === 'string' ? parsePropertyOverride(property) : property);
  }
  return result;
}
