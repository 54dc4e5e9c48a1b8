import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** An org's own resource type (`<orgId>/<name>`); the schemas are JSON text. Built-in types are not stored. */
export interface ResourceTypesTable {
  org_id: string;
  type: string;
  name: string;
  category: string;
  use: string;
  inputs_schema: string;
  outputs_schema: string;
  created_at: string;
  created_by: string;
}

/** A resource class: a named variant of a type (`postgres` class `large`) that criteria and sets can name. */
export interface ResourceClassesTable {
  org_id: string;
  resource_type: string;
  id: string;
  description: string;
  created_at: string;
  created_by: string;
}

declare module './schema.js' {
  interface Database {
    resource_types: ResourceTypesTable;
    resource_classes: ResourceClassesTable;
  }
}

export type ResourceTypeRow = Selectable<ResourceTypesTable>;
export type ResourceClassRow = Selectable<ResourceClassesTable>;

export function createResourceTypesRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, trx?: Executor): Promise<ResourceTypeRow[]> {
      return executor(db, trx).selectFrom('resource_types').selectAll().where('org_id', '=', orgId).orderBy('type').execute();
    },
    async get(orgId: string, type: string, trx?: Executor): Promise<ResourceTypeRow | undefined> {
      return executor(db, trx).selectFrom('resource_types').selectAll().where('org_id', '=', orgId).where('type', '=', type).executeTakeFirst();
    },
    async insert(row: ResourceTypeRow, trx?: Executor): Promise<ResourceTypeRow> {
      await insertOrConflict(`resource type "${row.type}" already exists`, { kind: 'resource type', id: row.type }, () =>
        executor(db, trx).insertInto('resource_types').values(row).execute(),
      );
      return row;
    },
    async update(row: ResourceTypeRow, trx?: Executor): Promise<boolean> {
      const { org_id, type, created_at: _c, created_by: _b, ...changes } = row;
      const result = await executor(db, trx)
        .updateTable('resource_types')
        .set(changes)
        .where('org_id', '=', org_id)
        .where('type', '=', type)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(orgId: string, type: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('resource_types').where('org_id', '=', orgId).where('type', '=', type).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listClasses(orgId: string, trx?: Executor): Promise<ResourceClassRow[]> {
      return executor(db, trx)
        .selectFrom('resource_classes')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('resource_type')
        .orderBy('id')
        .execute();
    },
    async getClass(orgId: string, type: string, id: string, trx?: Executor): Promise<ResourceClassRow | undefined> {
      return executor(db, trx)
        .selectFrom('resource_classes')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('resource_type', '=', type)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insertClass(row: ResourceClassRow, trx?: Executor): Promise<ResourceClassRow> {
      await insertOrConflict(
        `resource class "${row.id}" of type "${row.resource_type}" already exists`,
        { kind: 'resource class', id: row.id, type: row.resource_type },
        () => executor(db, trx).insertInto('resource_classes').values(row).execute(),
      );
      return row;
    },
    async updateClassDescription(orgId: string, type: string, id: string, description: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('resource_classes')
        .set({ description })
        .where('org_id', '=', orgId)
        .where('resource_type', '=', type)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async deleteClass(orgId: string, type: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('resource_classes')
        .where('org_id', '=', orgId)
        .where('resource_type', '=', type)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    /** Removes every class of a type (when the custom type itself is deleted). */
    async deleteClassesOfType(orgId: string, type: string, trx?: Executor): Promise<void> {
      await executor(db, trx).deleteFrom('resource_classes').where('org_id', '=', orgId).where('resource_type', '=', type).execute();
    },
  };
}
export type ResourceTypesRepo = ReturnType<typeof createResourceTypesRepo>;
