import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database, EnvTypesTable } from './schema.js';
import type { Executor } from './store.js';

export type EnvTypeRow = Selectable<EnvTypesTable>;

export function createEnvTypesRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, trx?: Executor): Promise<EnvTypeRow[]> {
      return executor(db, trx).selectFrom('env_types').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<EnvTypeRow | undefined> {
      return executor(db, trx)
        .selectFrom('env_types')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: EnvTypeRow, trx?: Executor): Promise<EnvTypeRow> {
      await insertOrConflict(`environment type "${row.id}" already exists`, { kind: 'environment type', id: row.id }, () =>
        executor(db, trx).insertInto('env_types').values(row).execute(),
      );
      return row;
    },
    async updateDescription(orgId: string, id: string, description: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('env_types')
        .set({ description })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** How many environments (across all apps of the org) use this type. */
    async countEnvsUsing(orgId: string, id: string, trx?: Executor): Promise<number> {
      const row = await executor(db, trx)
        .selectFrom('envs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .where('type', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('env_types')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type EnvTypesRepo = ReturnType<typeof createEnvTypesRepo>;
