import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database, UsersTable } from './schema.js';
import type { Executor } from './store.js';

export type UserRow = Selectable<UsersTable>;

export function createUsersRepo(db: Kysely<Database>) {
  return {
    async get(id: string, trx?: Executor): Promise<UserRow | undefined> {
      return executor(db, trx).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(trx?: Executor): Promise<UserRow[]> {
      return executor(db, trx).selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    async count(trx?: Executor): Promise<number> {
      const row = await executor(db, trx)
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async updateName(id: string, name: string, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('users').set({ name }).where('id', '=', id).execute();
    },
    /** Deletes the user; their tokens, roles and credentials go with them (cascade). */
    async delete(id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async insert(row: UserRow, trx?: Executor): Promise<UserRow> {
      await insertOrConflict(`user "${row.id}" already exists`, { kind: 'user', id: row.id }, () =>
        executor(db, trx).insertInto('users').values(row).execute(),
      );
      return row;
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
