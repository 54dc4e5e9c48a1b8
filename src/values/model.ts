/**
 * Shared values: the pure rules. A value set is a map key → StoredValue; every change produces a new set and a
 * JSON patch describing it. Nothing here does I/O or cryptography: secrets arrive already sealed (`sealed`) and
 * are only ever compared by their `secret_version`, never by content, so a patch can never carry a secret.
 */
import fastJsonPatch from 'fast-json-patch';
import { InvalidInput, NotFound } from '../shared/errors.js';
import { isForbiddenKey } from '../shared/safe-path.js';

/** Humanitec's key rule for shared values (ValueCreatePayloadRequest.key). */
export const VALUE_KEY_PATTERN = '^[A-Za-z0-9_.-]+$';
export const VALUE_KEY_MAX_LENGTH = 256;
/** Largest value (plain or secret, in characters) one shared value may hold; the API schema says the same (docs/internals/values.md). */
export const VALUE_MAX_LENGTH = 65_536;
const keyRegex = new RegExp(VALUE_KEY_PATTERN);

/** The id Humanitec accepts in place of a version id to mean "the latest version". */
export const LATEST_VERSION_ALIAS = '00000000-0000-0000-0000-000000000000';

export type ValueSource = 'app' | 'env';

export type ValueSetResultOf =
  | `${ValueSource}_value_create`
  | `${ValueSource}_value_update`
  | `${ValueSource}_value_delete`
  | `${ValueSource}_values_delete`
  | `${ValueSource}_value_set_version_restore`
  | `${ValueSource}_value_set_version_purge`;

/** One shared value as stored in a version. */
export interface StoredValue {
  key: string;
  description: string;
  is_secret: boolean;
  /** The value; always '' for secrets (their value is only in `sealed`). */
  value: string;
  /** SecretBox envelope of the secret's value; absent for plain values and once purged. */
  sealed?: string;
  /** Counts the secret's writes ("1", "2", …), so changes show in patches without revealing content. */
  secret_version?: string;
  /** Set when the value was purged: it can no longer be read, restored or deployed. */
  purged?: true;
  /** A secret kept in a secret store instead of by Baton: read from the store at deploy time (never `sealed`). */
  secret_ref?: StoredSecretRef;
  created_at: string;
  updated_at: string;
}

/** Where a secret value lives in a secret store (`/orgs/{orgId}/secretstores`): not secret itself. */
export interface StoredSecretRef {
  store: string;
  ref: string;
  version?: string;
}

export type ValueSet = Record<string, StoredValue>;

/** One JSON patch operation as ValueSetVersionResponse.change lists them. */
export interface ValueChangeOp {
  op: string;
  path: string;
  value?: unknown;
}

/** What a client may write: the value itself (a secret's in clear, to be sealed by the caller). */
export interface ValueWrite {
  description?: string | null | undefined;
  value?: string | null | undefined;
  is_secret?: boolean | undefined;
  /** A secret read from a store at deploy time (`secret_ref: {store, ref, version?}`); excludes `value`. */
  secret_ref?: StoredSecretRef | undefined;
}

export function checkValueKey(field: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidInput(`${field} must be a non-empty string`, { field });
  if (key.length > VALUE_KEY_MAX_LENGTH) {
    throw new InvalidInput(`${field} must be at most ${VALUE_KEY_MAX_LENGTH} characters (got ${key.length})`, { field });
  }
  if (!keyRegex.test(key)) {
    throw new InvalidInput(`${field} "${key}" is not a valid value key: use letters, digits, "_", "." and "-"`, { field });
  }
  // value sets are maps keyed by these keys
  if (isForbiddenKey(key)) throw new InvalidInput(`${field} "${key}" is not allowed as a value key`, { field });
  return key;
}

/** The part of a value that patches and listings may show: never a secret's content, not even sealed. */
export function visibleValue(value: StoredValue): { value: string; description: string; is_secret: boolean; secret_version?: string; secret_ref?: StoredSecretRef; purged?: true } {
  return {
    value: value.is_secret ? '' : value.value,
    description: value.description,
    is_secret: value.is_secret,
    ...(value.secret_version !== undefined ? { secret_version: value.secret_version } : {}),
    ...(value.secret_ref !== undefined ? { secret_ref: value.secret_ref } : {}),
    ...(value.purged ? { purged: true as const } : {}),
  };
}

/** The JSON patch turning `before` into `after`, over the visible parts only (paths `/KEY[/field]`). */
export function changeBetween(before: ValueSet, after: ValueSet): ValueChangeOp[] {
  const view = (set: ValueSet) => Object.fromEntries(Object.entries(set).map(([key, value]) => [key, visibleValue(value)]));
  return fastJsonPatch.compare(view(before), view(after)) as ValueChangeOp[];
}

/** Whether a patch touches `key` (the `key_changed` filter). */
export function changeTouchesKey(change: readonly ValueChangeOp[], key: string): boolean {
  const prefix = `/${key}`;
  return change.some((op) => op.path === prefix || op.path.startsWith(`${prefix}/`));
}

function nextSecretVersion(previous: StoredValue | undefined): string {
  const last = previous?.secret_version === undefined ? 0 : Number(previous.secret_version);
  return String(Number.isFinite(last) ? last + 1 : 1);
}

/**
 * Builds the stored value for a create or full replace. `seal` turns a secret's clear text into an envelope;
 * it is only called for secrets.
 */
export function writtenValue(
  key: string,
  input: ValueWrite,
  previous: StoredValue | undefined,
  now: string,
  seal: (clear: string) => string,
): StoredValue {
  const isSecret = input.secret_ref !== undefined ? true : (input.is_secret ?? previous?.is_secret ?? false);
  if (input.secret_ref !== undefined && (input.is_secret === false || (previous !== undefined && !previous.purged && !previous.is_secret))) {
    throw new InvalidInput(`is_secret: value "${key}" refers to a secret store and must be secret`, { field: 'is_secret' });
  }
  if (typeof input.value === 'string' && input.value.length > VALUE_MAX_LENGTH) {
    throw new InvalidInput(`value: "${key}" is ${input.value.length} characters, more than the limit of ${VALUE_MAX_LENGTH}`, { field: 'value', key, limit: VALUE_MAX_LENGTH });
  }
  if (previous !== undefined && !previous.purged && input.is_secret !== undefined && input.is_secret !== previous.is_secret) {
    throw new InvalidInput(`is_secret: value "${key}" is ${previous.is_secret ? '' : 'not '}secret and cannot change that; delete and recreate it`, {
      field: 'is_secret',
    });
  }
  const base = {
    key,
    description: input.description ?? previous?.description ?? '',
    is_secret: isSecret,
    created_at: previous?.created_at ?? now,
    updated_at: now,
  };
  if (!isSecret) return { ...base, value: input.value ?? (previous?.is_secret === false ? previous.value : '') };
  if (input.secret_ref !== undefined) {
    if (typeof input.value === 'string' && input.value !== '') {
      throw new InvalidInput(`value: secret "${key}" refers to a secret store; give either value or secret_ref.ref, not both`, { field: 'value' });
    }
    return { ...base, value: '', secret_ref: { ...input.secret_ref } };
  }
  if (input.value === undefined || input.value === null) {
    // A secret whose value is not being written keeps its sealed value or store reference (e.g. a description-only update).
    if (previous?.secret_ref !== undefined && !previous.purged) return { ...base, value: '', secret_ref: previous.secret_ref };
    if (previous?.sealed === undefined) throw new InvalidInput(`value: secret "${key}" needs a value`, { field: 'value' });
    return { ...base, value: '', sealed: previous.sealed, ...(previous.secret_version !== undefined ? { secret_version: previous.secret_version } : {}) };
  }
  return { ...base, value: '', sealed: seal(input.value), secret_version: nextSecretVersion(previous) };
}

export interface MergedValue {
  value: StoredValue;
  source: ValueSource;
}

/**
 * App values overridden by env values, sorted by key. Purged entries are left out unless `includePurged` (history
 * views show that a key existed; current listings and deployments must not use it).
 */
export function mergeValueSets(app: ValueSet, env: ValueSet, options: { includePurged?: boolean } = {}): MergedValue[] {
  const merged = new Map<string, MergedValue>();
  const usable = (value: StoredValue) => options.includePurged === true || !value.purged;
  for (const value of Object.values(app)) if (usable(value)) merged.set(value.key, { value, source: 'app' });
  for (const value of Object.values(env)) {
    // A purged override hides the app value too: the version said "this key has that (now gone) value".
    if (usable(value)) merged.set(value.key, { value, source: 'env' });
    else merged.delete(value.key);
  }
  return [...merged.values()].sort((a, b) => (a.value.key < b.value.key ? -1 : a.value.key > b.value.key ? 1 : 0));
}

/** The current set after restoring a whole version: its keys come back, keys it did not have are deleted. */
export function restoreVersion(current: ValueSet, version: ValueSet, now: string): ValueSet {
  const restored: ValueSet = {};
  for (const value of Object.values(version)) {
    if (value.purged) continue; // a purged value cannot come back
    restored[value.key] = restoredValue(current[value.key], value, now);
  }
  return restored;
}

/** The current set after restoring one key from a version. */
export function restoreKey(current: ValueSet, version: ValueSet, versionId: string, key: string, now: string): ValueSet {
  const value = version[key];
  if (value === undefined) throw new NotFound('value', key, `value "${key}" is not in value set version "${versionId}"`, { version_id: versionId });
  if (value.purged) throw new InvalidInput(`key: value "${key}" was purged from value set version "${versionId}" and cannot be restored`, { field: 'key' });
  return { ...current, [key]: restoredValue(current[key], value, now) };
}

function restoredValue(current: StoredValue | undefined, from: StoredValue, now: string): StoredValue {
  const unchanged = current !== undefined && JSON.stringify(current) === JSON.stringify(from);
  if (unchanged) return current;
  return { ...from, created_at: current?.created_at ?? from.created_at, updated_at: now };
}

/** A value with its content removed for good. */
export function purgedValue(value: StoredValue, now: string): StoredValue {
  const { sealed: _sealed, secret_ref: _ref, ...rest } = value;
  return { ...rest, value: '', purged: true, updated_at: now };
}

/**
 * Whether `candidate` holds the same content as `target` (the value being purged), so the purge must remove it too:
 * the same sealed envelope for secrets, the same text for plain values.
 */
export function holdsSameContent(candidate: StoredValue | undefined, target: StoredValue): boolean {
  if (candidate === undefined || candidate.purged || candidate.is_secret !== target.is_secret) return false;
  if (target.secret_ref !== undefined) return JSON.stringify(candidate.secret_ref) === JSON.stringify(target.secret_ref);
  return target.is_secret ? candidate.sealed !== undefined && candidate.sealed === target.sealed : candidate.value === target.value;
}
