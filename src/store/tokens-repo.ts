import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict, precompiled } from './repo-support.js';
import type { Database, TokensTable } from './schema.js';
import type { UserRow } from './users-repo.js';
import type { Executor } from './store.js';

export type TokenRow = Selectable<TokensTable>;

/** A token's owner with what authentication checks of the token row: its stored hash and its expiry. */
export interface TokenOwner {
  user: UserRow;
  token_hash: string;
  expires_at: string | null;
}

export function createTokensRepo(db: Kysely<Database>) {
  // Every authenticated request runs this: the token row and its user in one precompiled statement.
  const ownerByHash = precompiled(db, 1, (tokenHash: string) =>
    db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('users')
      .select(['tokens.token_hash as token_row_hash', 'tokens.expires_at as token_row_expires_at'])
      .where('tokens.token_hash', '=', tokenHash),
  );
  return {
    async findByHash(tokenHash: string, trx?: Executor): Promise<TokenRow | undefined> {
      return executor(db, trx).selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** The user holding the token with this hash (none when the hash is unknown or its user is gone). */
    async findOwnerByHash(tokenHash: string, trx?: Executor): Promise<TokenOwner | undefined> {
      const row = (await ownerByHash([tokenHash], trx))[0];
      if (row === undefined) return undefined;
      const { token_row_hash, token_row_expires_at, ...user } = row;
      return { user, token_hash: token_row_hash, expires_at: token_row_expires_at };
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
