/**
 * The deployment engine's view of shared values: the merged app+env set of one environment version, secrets
 * opened. Only the engine calls this; nothing here is reachable from the API.
 */
import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../secrets/index.js';
import { createSecretReader } from '../secrets/stores/resolve.js';
import type { SecretStoreResolver } from '../secrets/stores/types.js';
import { InvalidInput, NotFound } from '../shared/errors.js';
import { createCoreRepos, fromJsonText, nowIso, toJsonText } from '../store/index.js';
import type { Executor, Store } from '../store/index.js';
import { createValueSetVersionsRepo } from '../store/values-repo.js';
import type { ValueScope, ValueSetVersionRow } from '../store/values-repo.js';
import { LATEST_VERSION_ALIAS, changeBetween, mergeValueSets } from './model.js';
import type { ValueSet } from './model.js';
import { valueSecretAad } from './service.js';

export interface ResolvedValueSet {
  /** The env value set version these values are (what a deployment records as `value_set_version_id`). */
  id: string;
  /** Every usable key: app values overridden by env values; purged values left out; secrets in clear. */
  values: Record<string, { value: string; secret: boolean }>;
}

export interface EngineValueSource {
  valueSetFor(orgId: string, appId: string, envId: string, versionId?: string): Promise<ResolvedValueSet>;
}

const parse = (row: ValueSetVersionRow | undefined): ValueSet => (row === undefined ? {} : (fromJsonText<ValueSet>(row.value_set) ?? {}));

/**
 * `valueSetFor(org, app, env)` pins the current values: it returns the env's newest version, first appending one
 * (result_of null, comment "pinned for deployment") when that version does not sit on the app's newest version (an
 * env created after the last app change, or one that never had values). With `versionId` it returns that env
 * version as it was (404 if the env has no such version).
 */
export function createValueSource(store: Store, secretBox: SecretBox, secretStores?: SecretStoreResolver): EngineValueSource {
  const core = createCoreRepos(store);
  const versions = createValueSetVersionsRepo(store.db, store.dialect);

  async function pinCurrent(scope: ValueScope, trx: Executor): Promise<ValueSetVersionRow> {
    await versions.lockApp(scope.orgId, scope.appId, trx);
    if (!(await core.envs.get(scope.orgId, scope.appId, scope.envId!, trx))) {
      throw new NotFound('environment', scope.envId!, undefined, { app_id: scope.appId });
    }
    const envLatest = await versions.latest(scope, trx);
    const appLatest = await versions.latest({ ...scope, envId: null }, trx);
    if (envLatest !== undefined && envLatest.app_version_id === (appLatest?.id ?? null)) return envLatest;
    const previousApp = envLatest?.app_version_id ? await versions.get({ ...scope, envId: null }, envLatest.app_version_id, trx) : undefined;
    const envSet = parse(envLatest);
    const toMap = (app: ValueSet) => Object.fromEntries(mergeValueSets(app, envSet).map((m) => [m.value.key, m.value]));
    const now = nowIso();
    const row: ValueSetVersionRow = {
      id: randomUUID(),
      org_id: scope.orgId,
      app_id: scope.appId,
      env_id: scope.envId,
      seq: (envLatest?.seq ?? 0) + 1,
      app_version_id: appLatest?.id ?? null,
      value_set: toJsonText(envSet),
      change: toJsonText(changeBetween(toMap(parse(previousApp)), toMap(parse(appLatest)))),
      comment: 'pinned for deployment',
      result_of: null,
      source_value_set_version_id: null,
      created_by: 'baton',
      created_at: now,
      updated_at: now,
    };
    await versions.insert(row, trx);
    return row;
  }

  return {
    async valueSetFor(orgId, appId, envId, versionId) {
      const scope: ValueScope = { orgId, appId, envId };
      const row =
        versionId === undefined || versionId === LATEST_VERSION_ALIAS
          ? await store.transaction((trx) => pinCurrent(scope, trx))
          : await versions.get(scope, versionId);
      if (row === undefined) throw new NotFound('value set version', versionId ?? '', undefined, { app_id: appId, env_id: envId });
      const appRow = row.app_version_id ? await versions.get({ ...scope, envId: null }, row.app_version_id) : undefined;
      const values: ResolvedValueSet['values'] = {};
      const read = secretStores ? createSecretReader(secretStores, orgId) : undefined;
      for (const { value, source } of mergeValueSets(parse(appRow), parse(row))) {
        if (!value.is_secret) {
          values[value.key] = { value: value.value, secret: false };
          continue;
        }
        if (value.secret_ref !== undefined && !value.purged) {
          // Read from its store now, at deploy time: Baton keeps only the reference.
          if (!read) throw new InvalidInput(`secret value "${value.key}" refers to store "${value.secret_ref.store}", but this Baton reads no secret stores`, { key: value.key });
          values[value.key] = { value: await read(value.secret_ref, `${source === 'app' ? 'app' : 'environment'} value "${value.key}"`), secret: true };
          continue;
        }
        if (value.sealed === undefined) continue; // purged
        const owner: ValueScope = source === 'app' ? { ...scope, envId: null } : scope;
        const clear = secretBox.open(value.sealed, valueSecretAad(owner, value.key));
        if (typeof clear !== 'string') throw new InvalidInput(`secret value "${value.key}" is not a string`, { key: value.key });
        values[value.key] = { value: clear, secret: true };
      }
      return { id: row.id, values };
    },
  };
}
