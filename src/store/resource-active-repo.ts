import { sql } from 'kysely';
import type { ColumnType, Insertable, Kysely, RawBuilder, Selectable } from 'kysely';
import { decodeIdPageToken, toKeyPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
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

/** A row of `pageByEnv`: the deployment link's `orphaned` flag rides along (NULL: no link, not orphaned). */
export type ActiveResourcePageRow = ActiveResourceRow & { link_orphaned: number | null };

/**
 * The paging keys of active resources, as SQL: `type/class/res_id` within an environment, `app/env/type/class/res_id`
 * for a definition's resources. Paged listings compare and order by these very strings (not by the columns one by
 * one, which orders `postgres` before `postgres-instance` where the string puts `postgres-instance/…` first), so
 * pages come in the order and with the tokens the API used when it paged whole lists in memory. Migration 0019
 * indexes both expressions; they must stay written exactly as there for the planners to use those indexes.
 */
function envKey(): RawBuilder<string> {
  return sql<string>`(${sql.ref('active_resources.type')} || '/' || ${sql.ref('active_resources.class')} || '/' || ${sql.ref('active_resources.res_id')})`;
}
function orgKey(): RawBuilder<string> {
  return sql<string>`(${sql.ref('active_resources.app_id')} || '/' || ${sql.ref('active_resources.env_id')} || '/' || ${sql.ref('active_resources.type')} || '/' || ${sql.ref('active_resources.class')} || '/' || ${sql.ref('active_resources.res_id')})`;
}
/** The keys above computed from a row (for the token of a page's last row). */
export const activeResourceEnvKey = (row: Pick<ActiveResourceRow, 'type' | 'class' | 'res_id'>): string => `${row.type}/${row.class}/${row.res_id}`;
export const activeResourceOrgKey = (row: Pick<ActiveResourceRow, 'app_id' | 'env_id' | 'type' | 'class' | 'res_id'>): string =>
  `${row.app_id}/${row.env_id}/${activeResourceEnvKey(row)}`;

export function createActiveResourcesRepo(db: Kysely<Database>) {
  return {
    /**
     * One page of a definition's active resources in the order of `activeResourceOrgKey` (keyset on that key,
     * index `active_resources_def_key_idx`, `limit + 1` rows read).
     */
    async pageByDefinition(orgId: string, defId: string, page: PageRequest, trx?: Executor): Promise<Page<ActiveResourceRow>> {
      let query = executor(db, trx).selectFrom('active_resources').selectAll().where('org_id', '=', orgId).where('def_id', '=', defId);
      if (page.token !== undefined) query = query.where(orgKey(), '>', decodeIdPageToken(page.token));
      return toKeyPage(await query.orderBy(orgKey()).limit(page.limit + 1).execute(), page.limit, activeResourceOrgKey);
    },
    /**
     * One page of an environment's active resources in the order of `activeResourceEnvKey` (keyset on that key,
     * index `active_resources_env_key_idx`), each with its deployment link's `orphaned` flag (the engine's
     * `active_resource_links`, one primary-key lookup per row), filtered on it and on `scheduled_deletion` when given.
     */
    async pageByEnv(
      orgId: string,
      appId: string,
      envId: string,
      filter: { orphaned?: boolean | undefined; scheduledDeletion?: boolean | undefined },
      page: PageRequest,
      trx?: Executor,
    ): Promise<Page<ActiveResourcePageRow>> {
      let query = executor(db, trx)
        .selectFrom('active_resources')
        .leftJoin('active_resource_links', (join) =>
          join
            .onRef('active_resource_links.org_id', '=', 'active_resources.org_id')
            .onRef('active_resource_links.app_id', '=', 'active_resources.app_id')
            .onRef('active_resource_links.env_id', '=', 'active_resources.env_id')
            .onRef('active_resource_links.guresid', '=', 'active_resources.guresid'),
        )
        .selectAll('active_resources')
        .select('active_resource_links.orphaned as link_orphaned')
        .where('active_resources.org_id', '=', orgId)
        .where('active_resources.app_id', '=', appId)
        .where('active_resources.env_id', '=', envId);
      if (filter.scheduledDeletion !== undefined) query = query.where('active_resources.scheduled_deletion', '=', filter.scheduledDeletion ? 1 : 0);
      if (filter.orphaned !== undefined) {
        const orphaned = sql<number>`coalesce(${sql.ref('active_resource_links.orphaned')}, 0)`;
        query = query.where(orphaned, filter.orphaned ? '=' : '<>', 1);
      }
      if (page.token !== undefined) query = query.where(envKey(), '>', decodeIdPageToken(page.token));
      return toKeyPage(await query.orderBy(envKey()).limit(page.limit + 1).execute(), page.limit, activeResourceEnvKey);
    },
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
