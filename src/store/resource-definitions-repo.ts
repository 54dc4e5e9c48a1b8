import type { ColumnType, Insertable, Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * A resource definition's current state. JSON columns hold `JSON.stringify` text. Secrets are never stored in
 * clear: `secrets_sealed` is a SecretBox envelope of `{secrets, secret_ref_values}`, `secret_paths` the JSON
 * pointers of the secret leaves (names only, for reference paths in responses).
 */
export interface ResourceDefinitionsTable {
  org_id: string;
  id: string;
  name: string;
  type: string;
  driver_type: string;
  driver_account: string | null;
  driver_values: string;
  secret_paths: string;
  secrets_sealed: string | null;
  /** `driver_inputs.secret_refs` leaves that point into external stores (`{store, ref, version?}`): not secret. */
  external_secret_refs: string | null;
  provision: string;
  in_place_driver_change: number;
  active_version_id: string;
  is_deleted: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface ResourceCriteriaTable {
  org_id: string;
  def_id: string;
  id: string;
  /** The definition's resource type, copied so the unique index can span every definition of a type. */
  type: string;
  class: string;
  app_id: string | null;
  env_id: string | null;
  env_type: string | null;
  res_id: string | null;
  match_key: string;
  created_at: string;
}

export interface ResourceDefinitionVersionsTable {
  org_id: string;
  def_id: string;
  id: string;
  seq: number;
  /** `created`, `updated` or `deleted`. */
  action: string;
  content: string;
  secrets_sealed: string | null;
  created_at: string;
  created_by: string;
  /** 0/1 (migration 0015): an archived version can be neither promoted nor pinned. 0 when left out on insert. */
  archived: ColumnType<number, number | undefined, number>;
}

declare module './schema.js' {
  interface Database {
    resource_definitions: ResourceDefinitionsTable;
    resource_criteria: ResourceCriteriaTable;
    resource_definition_versions: ResourceDefinitionVersionsTable;
  }
}

export type ResourceDefinitionRow = Selectable<ResourceDefinitionsTable>;
export type ResourceCriterionRow = Selectable<ResourceCriteriaTable>;
export type ResourceDefinitionVersionRow = Selectable<ResourceDefinitionVersionsTable>;

export function createResourceDefinitionsRepo(db: Kysely<Database>) {
  return {
    /** Definitions of the org (deleted ones only when asked), ordered by id. */
    async list(orgId: string, options: { includeDeleted?: boolean; type?: string } = {}, trx?: Executor): Promise<ResourceDefinitionRow[]> {
      let query = executor(db, trx).selectFrom('resource_definitions').selectAll().where('org_id', '=', orgId);
      if (!options.includeDeleted) query = query.where('is_deleted', '=', 0);
      if (options.type !== undefined) query = query.where('type', '=', options.type);
      return query.orderBy('id').execute();
    },
    /**
     * Up to `limit` of the org's definitions with an id after `after`, by id (keyset on the primary key
     * `(org_id, id)`): the paged definitions list reads the org's definitions a slice at a time.
     */
    async listAfter(orgId: string, options: { includeDeleted?: boolean; type?: string | undefined; after?: string | undefined; limit: number }, trx?: Executor): Promise<ResourceDefinitionRow[]> {
      let query = executor(db, trx).selectFrom('resource_definitions').selectAll().where('org_id', '=', orgId);
      if (!options.includeDeleted) query = query.where('is_deleted', '=', 0);
      if (options.type !== undefined) query = query.where('type', '=', options.type);
      if (options.after !== undefined) query = query.where('id', '>', options.after);
      return query.orderBy('id').limit(options.limit).execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<ResourceDefinitionRow | undefined> {
      return executor(db, trx)
        .selectFrom('resource_definitions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: ResourceDefinitionRow, trx?: Executor): Promise<ResourceDefinitionRow> {
      await insertOrConflict(`resource definition "${row.id}" already exists`, { kind: 'resource definition', id: row.id }, () =>
        executor(db, trx).insertInto('resource_definitions').values(row).execute(),
      );
      return row;
    },
    /** Replaces every column but the keys and the creation stamp. */
    async update(row: ResourceDefinitionRow, trx?: Executor): Promise<boolean> {
      const { org_id, id, created_at: _c, created_by: _b, ...changes } = row;
      const result = await executor(db, trx)
        .updateTable('resource_definitions')
        .set(changes)
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async countUsingDriver(orgId: string, driverType: string, trx?: Executor): Promise<string[]> {
      const rows = await executor(db, trx)
        .selectFrom('resource_definitions')
        .select('id')
        .where('org_id', '=', orgId)
        .where('driver_type', '=', driverType)
        .where('is_deleted', '=', 0)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async countOfType(orgId: string, type: string, trx?: Executor): Promise<string[]> {
      const rows = await executor(db, trx)
        .selectFrom('resource_definitions')
        .select('id')
        .where('org_id', '=', orgId)
        .where('type', '=', type)
        .where('is_deleted', '=', 0)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },

    /** Criteria of the org (optionally of one definition), ordered by definition then creation. */
    async listCriteria(orgId: string, defId?: string, trx?: Executor): Promise<ResourceCriterionRow[]> {
      let query = executor(db, trx).selectFrom('resource_criteria').selectAll().where('org_id', '=', orgId);
      if (defId !== undefined) query = query.where('def_id', '=', defId);
      return query.orderBy('def_id').orderBy('created_at').orderBy('id').execute();
    },
    /** The criteria of these definitions only (in `listCriteria`'s order). */
    async listCriteriaOf(orgId: string, defIds: readonly string[], trx?: Executor): Promise<ResourceCriterionRow[]> {
      if (defIds.length === 0) return [];
      return executor(db, trx)
        .selectFrom('resource_criteria')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', 'in', defIds)
        .orderBy('def_id')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    /** Adds criteria; an equal criterion of the same type (in any definition) is a Conflict via the unique index. */
    async insertCriteria(rows: readonly ResourceCriterionRow[], trx?: Executor): Promise<void> {
      for (const row of rows) {
        await insertOrConflict(
          `a matching criterion equal to ${row.match_key} already exists for resource type "${row.type}"`,
          { kind: 'matching criteria', type: row.type, def_id: row.def_id },
          () => executor(db, trx).insertInto('resource_criteria').values(row).execute(),
        );
      }
    },
    async deleteCriterion(orgId: string, defId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('resource_criteria')
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async deleteCriteriaOf(orgId: string, defId: string, trx?: Executor): Promise<void> {
      await executor(db, trx).deleteFrom('resource_criteria').where('org_id', '=', orgId).where('def_id', '=', defId).execute();
    },

    async listVersions(orgId: string, defId: string, trx?: Executor): Promise<ResourceDefinitionVersionRow[]> {
      return executor(db, trx)
        .selectFrom('resource_definition_versions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .orderBy('seq', 'desc')
        .execute();
    },
    async getVersion(orgId: string, defId: string, id: string, trx?: Executor): Promise<ResourceDefinitionVersionRow | undefined> {
      return executor(db, trx)
        .selectFrom('resource_definition_versions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** The next version number of a definition (1 for the first). */
    async nextVersionSeq(orgId: string, defId: string, trx?: Executor): Promise<number> {
      const row = await executor(db, trx)
        .selectFrom('resource_definition_versions')
        .select((eb) => eb.fn.max('seq').as('max_seq'))
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .executeTakeFirst();
      return Number(row?.max_seq ?? 0) + 1;
    },
    /** Marks a version archived (1) or not (0); false when there is no such version. */
    async setVersionArchived(orgId: string, defId: string, id: string, archived: boolean, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('resource_definition_versions')
        .set({ archived: archived ? 1 : 0 })
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Versions by id across the org's definitions (pinned versions the engine loads). */
    async getVersionsByIds(orgId: string, ids: readonly string[], trx?: Executor): Promise<ResourceDefinitionVersionRow[]> {
      if (ids.length === 0) return [];
      return executor(db, trx).selectFrom('resource_definition_versions').selectAll().where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
    },
    async insertVersion(row: Insertable<ResourceDefinitionVersionsTable>, trx?: Executor): Promise<Insertable<ResourceDefinitionVersionsTable>> {
      await insertOrConflict(
        `resource definition "${row.def_id}" was changed concurrently; retry`,
        { kind: 'resource definition version', id: row.def_id },
        () => executor(db, trx).insertInto('resource_definition_versions').values(row).execute(),
      );
      return row;
    },
  };
}
export type ResourceDefinitionsRepo = ReturnType<typeof createResourceDefinitionsRepo>;
