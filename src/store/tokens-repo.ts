import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database, TokensTable } from './schema.js';
import type { Executor } from './store.js';

export type TokenRow = Selectable<TokensTable>;

export function createTokensRepo(db: Kysely<Database>) {
  return {
    async findByHash(tokenHash: string, trx?: Executor): Promise<TokenRow | undefined> {
      return executor(db, trx).selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    async get(userId: string, id: string, trx?: Executor): Promise<TokenRow | undefined> {
      return executor(db, trx).selectFrom('tokens').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    },
    async listForUser(userId: string, trx?: Executor): Promise<TokenRow[]> {
      return executor(db, trx).selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    },
    async insert(row: TokenRow, trx?: Executor): Promise<TokenRow> {
      await insertOrConflict(`token "${row.id}" already exists for this user`, { kind: 'token', id: row.id }, () =>
        executor(db, trx).insertInto('tokens').values(row).execute(),
      );
      return row;
    },
    /** Rewrites a row's hash (a legacy unkeyed hash upgraded to the keyed one). */
    async replaceHash(userId: string, id: string, fromHash: string, toHash: string, trx?: Executor): Promise<void> {
      await executor(db, trx)
        .updateTable('tokens')
        .set({ token_hash: toHash })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .where('token_hash', '=', fromHash)
        .execute();
    },
    async delete(userId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('tokens')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type TokensRepo = ReturnType<typeof createTokensRepo>;
