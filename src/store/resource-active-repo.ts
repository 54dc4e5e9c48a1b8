import { sql } from 'kysely';
import type { ColumnType, Insertable, Kysely, RawBuilder, Selectable } from 'kysely';
import { decodeIdPageToken, decodeKeyPageToken, encodeKeyPageToken, toKeyPage } from '../shared/pagination.js';
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

/** Narrows `listUsage`: each field given keeps only the rows equal to it. */
export interface ActiveResourceUsageFilter {
  appId?: string | undefined;
  envId?: string | undefined;
  defId?: string | undefined;
  /** Only the apps on which this user holds one of `roles` (callers who may not read every app). */
  member?: { userId: string; roles: readonly string[] } | undefined;
}

/**
 * One active resource as `baton resources active-resource-usage` shows it: no outputs, no secrets, plus whether the
 * environment's current set still needs it and how many of the environment's deployments came after the one that
 * provisioned it (null when that deployment is not one of the environment's).
 */
export interface ActiveResourceUsageRow {
  app_id: string;
  env_id: string;
  guresid: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  def_version_id: string;
  deploy_id: string;
  status: string;
  updated_at: string;
  orphaned: boolean;
  deploys_ago: number | null;
}

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
    /**
     * The org's active resources across apps and environments in one statement, keyset-paged on the primary key
     * `(app_id, env_id, guresid)` (`limit + 1` rows read), so a page costs the same wherever it starts. The orphan
     * flag comes from the resource's link row, `deploys_ago` from counting the environment's deployments with a
     * later `seq` than the provisioning one (index `deployments_env_idx`).
     */
    async listUsage(orgId: string, filter: ActiveResourceUsageFilter, page: PageRequest, trx?: Executor): Promise<Page<ActiveResourceUsageRow>> {
      const { member } = filter;
      if (member !== undefined && member.roles.length === 0) return { items: [] };
      let query = executor(db, trx)
        .selectFrom('active_resources as r')
        .leftJoin('active_resource_links as l', (join) =>
          join.onRef('l.org_id', '=', 'r.org_id').onRef('l.app_id', '=', 'r.app_id').onRef('l.env_id', '=', 'r.env_id').onRef('l.guresid', '=', 'r.guresid'),
        )
        .leftJoin('deployments as d', (join) => join.onRef('d.org_id', '=', 'r.org_id').onRef('d.app_id', '=', 'r.app_id').onRef('d.env_id', '=', 'r.env_id').onRef('d.id', '=', 'r.deploy_id'))
        .select(['r.app_id', 'r.env_id', 'r.guresid', 'r.type', 'r.class', 'r.res_id', 'r.def_id', 'r.def_version_id', 'r.deploy_id', 'r.status', 'r.updated_at', 'l.orphaned', 'd.seq'])
        .select((eb) =>
          eb
            .selectFrom('deployments as later')
            .select((count) => count.fn.countAll().as('n'))
            .whereRef('later.org_id', '=', 'r.org_id')
            .whereRef('later.app_id', '=', 'r.app_id')
            .whereRef('later.env_id', '=', 'r.env_id')
            .whereRef('later.seq', '>', 'd.seq')
            .as('later_deploys'),
        )
        .where('r.org_id', '=', orgId);
      if (member !== undefined) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('app_members as m')
              .select('m.user_id')
              .whereRef('m.org_id', '=', 'r.org_id')
              .whereRef('m.app_id', '=', 'r.app_id')
              .where('m.user_id', '=', member.userId)
              .where('m.role', 'in', member.roles),
          ),
        );
      }
      if (filter.appId !== undefined) query = query.where('r.app_id', '=', filter.appId);
      if (filter.envId !== undefined) query = query.where('r.env_id', '=', filter.envId);
      if (filter.defId !== undefined) query = query.where('r.def_id', '=', filter.defId);
      if (page.token !== undefined) {
        // Row-value comparison spelled out: `(a, e, g) > (…)` is not in every dialect Kysely targets.
        const [app, env, guresid] = decodeKeyPageToken(page.token, 3) as [string, string, string];
        query = query.where((eb) =>
          eb.or([
            eb('r.app_id', '>', app),
            eb.and([eb('r.app_id', '=', app), eb.or([eb('r.env_id', '>', env), eb.and([eb('r.env_id', '=', env), eb('r.guresid', '>', guresid)])])]),
          ]),
        );
      }
      const rows = await query.orderBy('r.app_id').orderBy('r.env_id').orderBy('r.guresid').limit(page.limit + 1).execute();
      const items = rows.slice(0, page.limit).map(
        (row): ActiveResourceUsageRow => ({
          app_id: row.app_id,
          env_id: row.env_id,
          guresid: row.guresid,
          type: row.type,
          class: row.class,
          res_id: row.res_id,
          def_id: row.def_id,
          def_version_id: row.def_version_id,
          deploy_id: row.deploy_id,
          status: row.status,
          updated_at: row.updated_at,
          // No link row (a resource the engine never linked): not marked orphaned, as the per-env listing says.
          orphaned: row.orphaned === 1,
          // count(*) is a bigint (a string from pg); no provisioning deployment in the env: unknown.
          deploys_ago: row.seq === null || row.later_deploys === null ? null : Number(row.later_deploys),
        }),
      );
      if (rows.length <= page.limit) return { items };
      const last = items[items.length - 1]!;
      return { items, nextToken: encodeKeyPageToken([last.app_id, last.env_id, last.guresid]) };
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
