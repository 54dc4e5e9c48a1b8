import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database, EnvsTable } from './schema.js';
import type { Executor } from './store.js';

export type EnvRow = Selectable<EnvsTable>;

export function createEnvsRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, appId: string, trx?: Executor): Promise<EnvRow[]> {
      return executor(db, trx)
        .selectFrom('envs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    /** Environments of many apps at once (for app listings), ordered by app then creation. */
    async listForApps(orgId: string, appIds: readonly string[], trx?: Executor): Promise<EnvRow[]> {
      if (appIds.length === 0) return [];
      return executor(db, trx)
        .selectFrom('envs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', 'in', appIds)
        .orderBy('app_id')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<EnvRow | undefined> {
      return executor(db, trx)
        .selectFrom('envs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: EnvRow, trx?: Executor): Promise<EnvRow> {
      await insertOrConflict(`environment "${row.id}" already exists`, { kind: 'environment', id: row.id }, () =>
        executor(db, trx).insertInto('envs').values(row).execute(),
      );
      return row;
    },
    async updateName(orgId: string, appId: string, id: string, name: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('envs')
        .set({ name })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(orgId: string, appId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('envs')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type EnvsRepo = ReturnType<typeof createEnvsRepo>;
