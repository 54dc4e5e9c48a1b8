import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** An org's custom driver (Humanitec's DriverDefinition): reached over HTTP at `target`. JSON columns are text. */
export interface ResourceDriversTable {
  org_id: string;
  id: string;
  type: string;
  target: string;
  account_types: string;
  inputs_schema: string;
  template: string | null;
  is_public: number;
  created_at: string;
  created_by: string;
  updated_at: string;
}

declare module './schema.js' {
  interface Database {
    resource_drivers: ResourceDriversTable;
  }
}

export type ResourceDriverRow = Selectable<ResourceDriversTable>;

export function createResourceDriversRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, trx?: Executor): Promise<ResourceDriverRow[]> {
      return executor(db, trx).selectFrom('resource_drivers').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<ResourceDriverRow | undefined> {
      return executor(db, trx).selectFrom('resource_drivers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    },
    async insert(row: ResourceDriverRow, trx?: Executor): Promise<ResourceDriverRow> {
      await insertOrConflict(`driver "${row.org_id}/${row.id}" already exists`, { kind: 'driver', id: row.id }, () =>
        executor(db, trx).insertInto('resource_drivers').values(row).execute(),
      );
      return row;
    },
    async update(row: ResourceDriverRow, trx?: Executor): Promise<boolean> {
      const { org_id, id, created_at: _c, created_by: _b, ...changes } = row;
      const result = await executor(db, trx)
        .updateTable('resource_drivers')
        .set(changes)
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('resource_drivers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type ResourceDriversRepo = ReturnType<typeof createResourceDriversRepo>;
