/**
 * The one path walker for every place that reads or sets a value by a dotted path or a JSON pointer taken from
 * input (Score overrides and property overrides, delta patches, workload patches, definition secrets and merges,
 * values, profile metadata). It refuses the segments `__proto__`, `constructor` and `prototype` with an
 * `InvalidInput` naming the path, so no input can reach `Object.prototype`; only own properties are followed.
 * Maps keyed by users that are built outside a walk use `safeRecord` (null-prototype, forbidden keys refused).
 */
import { InvalidInput } from './errors.js';

/** Keys that reach an object's prototype chain when used with `obj[key]`. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/** Throws an InvalidInput naming `path` (as the caller wrote it) when one of `segments` is forbidden. */
export function assertSafeSegments(segments: readonly string[], path: string, details: Record<string, unknown> = {}): void {
  for (const segment of segments) {
    if (FORBIDDEN_KEYS.has(segment)) {
      throw new InvalidInput(`path ${JSON.stringify(path)} uses the forbidden segment "${segment}"`, { ...details, path });
    }
  }
}

/** Throws when a key of a user-supplied map is forbidden (`where` names the map, e.g. `overrides`). */
export function assertSafeKey(key: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw new InvalidInput(`${where}: the key "${key}" is not allowed`, { path: `${where}.${key}` });
}

/** The unescaped tokens of an RFC 6901 JSON pointer (`''` is the root), forbidden segments refused. */
export function pointerSegments(pointer: string, details: Record<string, unknown> = {}): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new InvalidInput(`path ${JSON.stringify(pointer)} is not a JSON pointer`, { ...details, path: pointer });
  const segments = pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  assertSafeSegments(segments, pointer, details);
  return segments;
}

export function pointerOf(segments: readonly string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The value at `segments` below `root`, or undefined; only own properties are followed. */
export function getAt(root: unknown, segments: readonly string[], path = pointerOf(segments)): unknown {
  assertSafeSegments(segments, path);
  let current = root;
  for (const segment of segments) {
    if (!isContainer(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * Sets `value` at `segments` below `root` (mutating it), creating maps for missing or non-map intermediate values.
 * Own properties only; forbidden segments refused (so plain maps stay safe: no key can reach a prototype).
 */
export function setAt(root: Record<string, unknown>, segments: readonly string[], value: unknown, path = pointerOf(segments)): void {
  assertSafeSegments(segments, path);
  if (segments.length === 0) throw new InvalidInput('cannot set the root', { path });
  let node = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]!;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isContainer(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]!] = value;
}

/** A null-prototype copy of a map's own entries (keys from users, forbidden ones refused). */
export function safeRecord<T>(entries: Iterable<readonly [string, T]>, where: string): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) {
    assertSafeKey(key, where);
    out[key] = value;
  }
  return out;
}
