import type { ColumnType, Insertable, Kysely, Selectable } from 'kysely';
import { nowIso } from './ddl.js';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * One provisioned resource of an environment, keyed by GUResID (Humanitec's ActiveResource). Written by the
 * deployment engine after each successful provisioning; read by the definitions API ("which resources use
 * this definition") and by the engine (cookie, previous outputs). Secret outputs and the cookie are sealed.
 */
export interface ActiveResourcesTable {
  org_id: string;
  app_id: string;
  env_id: string;
  guresid: string;
  env_type: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  def_version_id: string;
  criteria_id: string;
  driver_type: string;
  driver_account: string | null;
  deploy_id: string;
  /** `pending`, `active`, `deleting` (its driver is deprovisioning it) or `deprovision_failed` (see `last_error`). */
  status: string;
  /** Output values as JSON text. */
  resource: string;
  secrets_sealed: string | null;
  cookie_sealed: string | null;
  scheduled_deletion: number;
  updated_at: string;
  /**
   * The resolved driver inputs it was provisioned with (`{params, driver: {values, secrets}, secret_paths}`), sealed;
   * deprovisioning uses them. NULL for rows written before migration 0008. Optional on insert.
   */
  inputs_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** The last deprovisioning failure, secrets masked (status `deprovision_failed`); NULL otherwise. */
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * The definition version the resource is pinned to (migration 0015); NULL: not pinned. Only `setPin` writes it:
   * the engine's upsert leaves it alone, so a pin outlives redeployments.
   */
  target_def_version_id: ColumnType<string | null, string | null | undefined, string | null>;
}

declare module './schema.js' {
  interface Database {
    active_resources: ActiveResourcesTable;
  }
}

export type ActiveResourceRow = Selectable<ActiveResourcesTable>;
/** A row to write: `inputs_sealed` and `last_error` may be left out (NULL on insert; an upsert then clears `last_error`). */
export type ActiveResourceWrite = Insertable<ActiveResourcesTable>;

export function createActiveResourcesRepo(db: Kysely<Database>) {
  return {
    async listByDefinition(orgId: string, defId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .orderBy('app_id')
        .orderBy('env_id')
        .orderBy('res_id')
        .execute();
    },
    async listByEnv(orgId: string, appId: string, envId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .orderBy('res_id')
        .orderBy('type')
        .execute();
    },
    async get(orgId: string, appId: string, envId: string, guresid: string, trx?: Executor): Promise<ActiveResourceRow | undefined> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
    },
    /** Pins the resource to a definition version (`null` unpins); false when the row is gone. */
    async setPin(orgId: string, appId: string, envId: string, guresid: string, targetDefVersionId: string | null, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('active_resources')
        .set({ target_def_version_id: targetDefVersionId })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Rows of the org pinned to one of these definition versions (an archive is refused while any is). */
    async listPinnedTo(orgId: string, defId: string, versionId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .where('target_def_version_id', '=', versionId)
        .orderBy('app_id')
        .orderBy('env_id')
        .orderBy('res_id')
        .execute();
    },
    /**
     * Inserts or replaces the row of this GUResID (a fresh provisioning clears any `last_error`). A pin stays unless
     * the row sets `target_def_version_id` (the engine clears it when the resource moves to another definition).
     */
    async upsert(row: ActiveResourceWrite, trx?: Executor): Promise<void> {
      const { org_id: _o, app_id: _a, env_id: _e, guresid: _g, target_def_version_id: pin, ...changes } = row;
      await executor(db, trx)
        .insertInto('active_resources')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'env_id', 'guresid']).doUpdateSet({ ...changes, ...(pin !== undefined ? { target_def_version_id: pin } : {}), last_error: row.last_error ?? null }))
        .execute();
    },
    /** Sets a row's status and `last_error` (deprovisioning: `deleting`, `deprovision_failed`); false when it is gone. */
    async setStatus(orgId: string, appId: string, envId: string, guresid: string, status: string, lastError: string | null, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('active_resources')
        .set({ status, last_error: lastError, updated_at: nowIso() })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(orgId: string, appId: string, envId: string, guresid: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('active_resources')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type ActiveResourcesRepo = ReturnType<typeof createActiveResourcesRepo>;
