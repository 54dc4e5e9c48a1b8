/**
 * The shared-values service: app values, env overrides and their value set versions, over the store. Every write
 * runs in one transaction under a per-app lock: it reads the scope's newest version (the current set), computes the
 * next set with the pure rules of model.ts and inserts it as a new version. An app-level change also appends a
 * version to every environment of the app, so each env version pins exactly one merged app+env set.
 *
 * Secrets are sealed here (SecretBox, AAD = org/app/env/key) before anything is stored, and never returned.
 */
import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../secrets/index.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import { decodeIdPageToken, toKeyPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { createCoreRepos, fromJsonText, nowIso, toJsonText } from '../store/index.js';
import type { Executor, Store } from '../store/index.js';
import { createValueSetVersionsRepo } from '../store/values-repo.js';
import type { ValueScope, ValueSetVersionRow } from '../store/values-repo.js';
import {
  LATEST_VERSION_ALIAS,
  changeBetween,
  changeTouchesKey,
  checkValueKey,
  holdsSameContent,
  mergeValueSets,
  purgedValue,
  restoreKey,
  restoreVersion,
  writtenValue,
} from './model.js';
import type { MergedValue, ValueChangeOp, ValueSet, ValueSetResultOf, ValueSource, ValueWrite } from './model.js';

export type { ValueScope } from '../store/values-repo.js';

/** The most versions `listVersionsPage` reads at once while `key_changed` skips some (slices double from a page's size). */
const VERSION_SLICE_MAX = 500;

/** Where Baton keeps secret values, as ValueResponse.secret_store_id reports it. */
export const BATON_SECRET_STORE_ID = 'baton';

/** A value as the API shows it (Humanitec's ValueResponse): a secret's `value` is always ''. */
export interface ValueView {
  key: string;
  value: string;
  description: string;
  is_secret: boolean;
  source: ValueSource;
  created_at: string;
  updated_at: string;
  secret_key: string | null;
  secret_store_id: string | null;
  secret_version: string | null;
}

/** A version as the API shows it (Humanitec's ValueSetVersionResponse). */
export interface ValueSetVersionView {
  id: string;
  values: Record<string, ValueView>;
  change: ValueChangeOp[];
  comment: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  result_of: ValueSetResultOf | null;
  source_value_set_version_id: string | null;
}

/** A create (key required) or full replace. */
export interface ValueInput extends ValueWrite {
  key?: string | undefined;
}

/** The AAD a secret value is sealed with: a sealed value copied to another app, env or key fails to open. */
export function valueSecretAad(scope: ValueScope, key: string): string {
  return `baton/values/${scope.orgId}/${scope.appId}/${scope.envId ?? '-'}/${key}`;
}

function parseValueSet(row: ValueSetVersionRow | undefined): ValueSet {
  return row === undefined ? {} : (fromJsonText<ValueSet>(row.value_set) ?? {});
}

function parseChange(row: ValueSetVersionRow): ValueChangeOp[] {
  return fromJsonText<ValueChangeOp[]>(row.change) ?? [];
}

function mergedMap(list: MergedValue[]): ValueSet {
  return Object.fromEntries(list.map((m) => [m.value.key, m.value]));
}

export function toValueView(scope: ValueScope, merged: MergedValue): ValueView {
  const { value, source } = merged;
  const owner: ValueScope = source === 'app' ? { ...scope, envId: null } : scope;
  return {
    key: value.key,
    value: value.is_secret ? '' : value.value,
    description: value.description,
    is_secret: value.is_secret,
    source,
    created_at: value.created_at,
    updated_at: value.updated_at,
    secret_key: !value.is_secret ? null : value.secret_ref !== undefined ? value.secret_ref.ref : valueSecretAad(owner, value.key).replace(/^baton\//, ''),
    secret_store_id: !value.is_secret ? null : (value.secret_ref?.store ?? BATON_SECRET_STORE_ID),
    secret_version: !value.is_secret ? null : value.secret_ref !== undefined ? (value.secret_ref.version ?? null) : (value.secret_version ?? null),
  };
}

interface Mutation {
  resultOf: ValueSetResultOf | null;
  comment: string;
  sourceVersionId: string | null;
  /** The next set from the current one; may throw a domain error to abort the transaction. */
  next(current: ValueSet, trx: Executor): ValueSet | Promise<ValueSet>;
}

export function createValuesService(store: Store, secretBox: SecretBox) {
  const core = createCoreRepos(store);
  const versions = createValueSetVersionsRepo(store.db, store.dialect);

  async function requireScope(scope: ValueScope, trx?: Executor): Promise<void> {
    const app = await core.apps.get(scope.orgId, scope.appId, trx);
    if (!app) throw new NotFound('application', scope.appId, undefined, { org_id: scope.orgId });
    if (scope.envId !== null && !(await core.envs.get(scope.orgId, scope.appId, scope.envId, trx))) {
      throw new NotFound('environment', scope.envId, undefined, { app_id: scope.appId });
    }
  }
  const appScope = (scope: ValueScope): ValueScope => ({ ...scope, envId: null });

  /** The merged set an env version stands for (app part from its pinned app version). */
  async function mergedSetOf(scope: ValueScope, row: ValueSetVersionRow | undefined, options: { includePurged?: boolean }, trx?: Executor): Promise<MergedValue[]> {
    if (scope.envId === null) return mergeValueSets(parseValueSet(row), {}, options);
    const appRow = row?.app_version_id ? await versions.get(appScope(scope), row.app_version_id, trx) : undefined;
    return mergeValueSets(parseValueSet(appRow), parseValueSet(row), options);
  }

  async function toVersionView(scope: ValueScope, row: ValueSetVersionRow, trx?: Executor): Promise<ValueSetVersionView> {
    const merged = await mergedSetOf(scope, row, { includePurged: true }, trx);
    return {
      id: row.id,
      values: Object.fromEntries(merged.map((m) => [m.value.key, toValueView(scope, m)])),
      change: parseChange(row),
      comment: row.comment,
      created_at: row.created_at,
      created_by: row.created_by,
      updated_at: row.updated_at,
      result_of: row.result_of as ValueSetResultOf | null,
      source_value_set_version_id: row.source_value_set_version_id,
    };
  }

  function newRow(scope: ValueScope, seq: number, fields: Pick<ValueSetVersionRow, 'app_version_id' | 'value_set' | 'change' | 'comment' | 'result_of' | 'source_value_set_version_id' | 'created_by'>): ValueSetVersionRow {
    const now = nowIso();
    return { id: randomUUID(), org_id: scope.orgId, app_id: scope.appId, env_id: scope.envId, seq, created_at: now, updated_at: now, ...fields };
  }

  /** Applies one change to a scope and records it as a new version (plus one per env for an app-level change). */
  async function commit(scope: ValueScope, actor: string, mutation: Mutation): Promise<{ row: ValueSetVersionRow; before: ValueSet; after: ValueSet }> {
    return store.transaction(async (trx) => {
      await versions.lockApp(scope.orgId, scope.appId, trx);
      await requireScope(scope, trx);
      const latest = await versions.latest(scope, trx);
      const before = parseValueSet(latest);
      const after = await mutation.next(before, trx);
      const common = { comment: mutation.comment, result_of: mutation.resultOf, created_by: actor };

      if (scope.envId !== null) {
        const appLatest = await versions.latest(appScope(scope), trx);
        const appSet = parseValueSet(appLatest);
        // The env's previous merged state may sit on an older app version (env created after the last app change).
        const previousMerged = mergedMap(await mergedSetOf(scope, latest, {}, trx));
        const row = newRow(scope, (latest?.seq ?? 0) + 1, {
          ...common,
          app_version_id: appLatest?.id ?? null,
          value_set: toJsonText(after),
          change: toJsonText(changeBetween(previousMerged, mergedMap(mergeValueSets(appSet, after)))),
          source_value_set_version_id: mutation.sourceVersionId,
        });
        await versions.insert(row, trx);
        return { row, before, after };
      }

      const row = newRow(scope, (latest?.seq ?? 0) + 1, {
        ...common,
        app_version_id: null,
        value_set: toJsonText(after),
        change: toJsonText(changeBetween(before, after)),
        source_value_set_version_id: mutation.sourceVersionId,
      });
      await versions.insert(row, trx);
      for (const env of await core.envs.list(scope.orgId, scope.appId, trx)) {
        const envScope: ValueScope = { ...scope, envId: env.id };
        const envLatest = await versions.latest(envScope, trx);
        const envSet = parseValueSet(envLatest);
        const previousMerged = mergedMap(await mergedSetOf(envScope, envLatest, {}, trx));
        await versions.insert(
          newRow(envScope, (envLatest?.seq ?? 0) + 1, {
            ...common,
            app_version_id: row.id,
            value_set: toJsonText(envSet),
            change: toJsonText(changeBetween(previousMerged, mergedMap(mergeValueSets(after, envSet)))),
            source_value_set_version_id: null,
          }),
          trx,
        );
      }
      return { row, before, after };
    });
  }

  const sealer = (scope: ValueScope, key: string) => (clear: string) => secretBox.seal(clear, valueSecretAad(scope, key));
  const level = (scope: ValueScope): ValueSource => (scope.envId === null ? 'app' : 'env');

  function currentView(scope: ValueScope, key: string, after: ValueSet): ValueView {
    return toValueView(scope, { value: after[key]!, source: level(scope) });
  }

  async function findVersion(scope: ValueScope, id: string, trx?: Executor): Promise<ValueSetVersionRow> {
    const row = id === LATEST_VERSION_ALIAS ? await versions.latest(scope, trx) : await versions.get(scope, id, trx);
    if (!row) throw new NotFound('value set version', id, undefined, { app_id: scope.appId, ...(scope.envId ? { env_id: scope.envId } : {}) });
    return row;
  }

  function notFoundValue(scope: ValueScope, key: string): NotFound {
    const where = scope.envId === null ? `application "${scope.appId}"` : `environment "${scope.envId}"`;
    return new NotFound('value', key, `value "${key}" not found in ${where}`, { app_id: scope.appId, ...(scope.envId ? { env_id: scope.envId } : {}) });
  }

  return {
    /** App level: the app's values. Env level: app values merged with the env's overrides, each with its `source`. */
    async list(scope: ValueScope): Promise<ValueView[]> {
      await requireScope(scope);
      const merged =
        scope.envId === null
          ? mergeValueSets(parseValueSet(await versions.latest(scope)), {})
          : mergeValueSets(parseValueSet(await versions.latest(appScope(scope))), parseValueSet(await versions.latest(scope)));
      return merged.map((m) => toValueView(scope, m));
    },

    async create(scope: ValueScope, input: ValueInput & { key: string }, actor: string): Promise<ValueView> {
      const key = checkValueKey('key', input.key);
      const { after } = await commit(scope, actor, {
        resultOf: `${level(scope)}_value_create`,
        comment: '',
        sourceVersionId: null,
        next(current) {
          if (current[key] !== undefined) {
            throw new Conflict(`value "${key}" already exists${scope.envId ? ` in environment "${scope.envId}"` : ''}`, { kind: 'value', id: key });
          }
          return { ...current, [key]: writtenValue(key, input, undefined, nowIso(), sealer(scope, key)) };
        },
      });
      return currentView(scope, key, after);
    },

    /**
     * PUT: replaces the value. At env level a key that only the app has becomes an env override (that is how an
     * environment overrides an app value); a key neither has is a 404.
     */
    async replace(scope: ValueScope, key: string, input: ValueInput, actor: string): Promise<ValueView> {
      checkValueKey('key', key);
      if (input.key !== undefined && input.key !== key) {
        throw new InvalidInput(`key: the body's key "${input.key}" differs from the path's "${key}"`, { field: 'key' });
      }
      return upsert(scope, key, input, actor, 'replace');
    },

    /** PATCH: changes only the fields given. */
    async patch(scope: ValueScope, key: string, input: ValueWrite, actor: string): Promise<ValueView> {
      checkValueKey('key', key);
      if (input.is_secret !== undefined) throw new InvalidInput('is_secret cannot be patched', { field: 'is_secret' });
      return upsert(scope, key, input, actor, 'patch');
    },

    async delete(scope: ValueScope, key: string, actor: string): Promise<void> {
      checkValueKey('key', key);
      await commit(scope, actor, {
        resultOf: `${level(scope)}_value_delete`,
        comment: '',
        sourceVersionId: null,
        next(current) {
          if (current[key] === undefined || current[key].purged) throw notFoundValue(scope, key);
          const { [key]: _removed, ...rest } = current;
          return rest;
        },
      });
    },

    /** Deletes every value of the scope (at env level: every override). No version is made when there were none. */
    async deleteAll(scope: ValueScope, actor: string): Promise<void> {
      await requireScope(scope);
      const latest = await versions.latest(scope);
      if (Object.keys(parseValueSet(latest)).length === 0) return;
      await commit(scope, actor, { resultOf: `${level(scope)}_values_delete`, comment: '', sourceVersionId: null, next: () => ({}) });
    },

    /** Newest first; `keyChanged` keeps the versions whose change touched that key. */
    async listVersions(scope: ValueScope, keyChanged?: string): Promise<ValueSetVersionView[]> {
      await requireScope(scope);
      let rows = await versions.list(scope);
      if (keyChanged !== undefined && keyChanged !== '') rows = rows.filter((row) => changeTouchesKey(parseChange(row), keyChanged));
      return Promise.all(rows.map((row) => toVersionView(scope, row)));
    },

    /**
     * One page of `listVersions` by id (the order and tokens of the API's paged list), read from the store a slice
     * at a time: keyset on the id, versions `keyChanged` leaves out skipped (it reads each version's change, so it
     * runs here). Only the page's versions are turned into views (an env version's view reads its app version).
     */
    async listVersionsPage(scope: ValueScope, keyChanged: string | undefined, page: PageRequest): Promise<Page<ValueSetVersionView>> {
      await requireScope(scope);
      const want = page.limit + 1;
      const found: ValueSetVersionRow[] = [];
      let after = page.token === undefined ? undefined : decodeIdPageToken(page.token);
      for (let slice = want; ; slice = Math.min(slice * 2, VERSION_SLICE_MAX)) {
        const rows = await versions.listByIdAfter(scope, { after, limit: slice });
        found.push(...(keyChanged === undefined || keyChanged === '' ? rows : rows.filter((row) => changeTouchesKey(parseChange(row), keyChanged))));
        if (found.length >= want || rows.length < slice) break;
        after = rows[rows.length - 1]!.id;
      }
      const rows = toKeyPage(found.slice(0, want), page.limit, (row) => row.id);
      const items = await Promise.all(rows.items.map((row) => toVersionView(scope, row)));
      return rows.nextToken === undefined ? { items } : { items, nextToken: rows.nextToken };
    },

    async getVersion(scope: ValueScope, id: string): Promise<ValueSetVersionView> {
      await requireScope(scope);
      return toVersionView(scope, await findVersion(scope, id));
    },

    /** Makes the version's values current again: its keys come back, keys it did not have are deleted. */
    async restore(scope: ValueScope, versionId: string, comment: string | undefined, actor: string): Promise<ValueSetVersionView> {
      const { row } = await commit(scope, actor, {
        resultOf: `${level(scope)}_value_set_version_restore`,
        comment: comment ?? '',
        sourceVersionId: versionId,
        async next(current, trx) {
          const version = await findVersion(scope, versionId, trx);
          return restoreVersion(current, parseValueSet(version), nowIso());
        },
      });
      return toVersionView(scope, row);
    },

    async restoreKey(scope: ValueScope, versionId: string, key: string, comment: string | undefined, actor: string): Promise<ValueSetVersionView> {
      checkValueKey('key', key);
      const { row } = await commit(scope, actor, {
        resultOf: `${level(scope)}_value_set_version_restore`,
        comment: comment ?? '',
        sourceVersionId: versionId,
        async next(current, trx) {
          const version = await findVersion(scope, versionId, trx);
          return restoreKey(current, parseValueSet(version), version.id, key, nowIso());
        },
      });
      return toVersionView(scope, row);
    },

    /**
     * Purges the key's value as it is in the given version: removed for good from that version and from every version
     * of the scope holding the same content (for a secret: the same sealed envelope). If the current set holds it,
     * the key is deleted from the current set. Recorded as a new version.
     */
    async purge(scope: ValueScope, versionId: string, key: string, comment: string | undefined, actor: string): Promise<void> {
      checkValueKey('key', key);
      await commit(scope, actor, {
        resultOf: `${level(scope)}_value_set_version_purge`,
        comment: comment ?? '',
        sourceVersionId: versionId,
        async next(current, trx) {
          const version = await findVersion(scope, versionId, trx);
          const target = parseValueSet(version)[key];
          if (target === undefined) {
            throw new NotFound('value', key, `value "${key}" is not in value set version "${version.id}"${scope.envId ? ' (app values are purged at app level)' : ''}`);
          }
          if (target.purged) return current;
          const now = nowIso();
          for (const row of await versions.list(scope, trx)) {
            const set = parseValueSet(row);
            if (!holdsSameContent(set[key], target)) continue;
            await versions.replaceValueSet(row.id, toJsonText({ ...set, [key]: purgedValue(set[key]!, now) }), now, trx);
          }
          if (!holdsSameContent(current[key], target)) return current;
          const { [key]: _purged, ...rest } = current;
          return rest;
        },
      });
    },
  };

  async function upsert(scope: ValueScope, key: string, input: ValueWrite, actor: string, mode: 'replace' | 'patch'): Promise<ValueView> {
    const mutation: Mutation = {
      resultOf: `${level(scope)}_value_update`, // becomes `_create` when an env override is created (read after next())
      comment: '',
      sourceVersionId: null,
      async next(current, trx) {
        const previous = current[key]?.purged ? undefined : current[key];
        if (previous === undefined) {
          const appValue = scope.envId === null ? undefined : parseValueSet(await versions.latest(appScope(scope), trx))[key];
          if (appValue === undefined || appValue.purged) throw notFoundValue(scope, key);
          mutation.resultOf = 'env_value_create';
          // A new override takes the app value's description and kind, never its content (sealed for another scope).
          const base: ValueWrite = { description: appValue.description, is_secret: appValue.is_secret };
          return { ...current, [key]: writtenValue(key, { ...base, ...definedFields(input) }, undefined, nowIso(), sealer(scope, key)) };
        }
        const write = mode === 'patch' ? input : { ...input, description: input.description ?? '' };
        return { ...current, [key]: writtenValue(key, write, previous, nowIso(), sealer(scope, key)) };
      },
    };
    const { after } = await commit(scope, actor, mutation);
    return currentView(scope, key, after);
  }
}
export type ValuesService = ReturnType<typeof createValuesService>;

function definedFields(input: ValueWrite): ValueWrite {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null));
}
