import { sql } from 'kysely';
import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * API tokens in Humanitec's shape (`POST /users/{userId}/tokens {id, type, description?, expires_at?}`).
 *
 * - The token id is chosen by the client and "unique for the user", so the primary key becomes `(user_id, id)`
 *   (it was `id` alone, a random UUID). Existing rows keep their UUID ids.
 * - `created_by`: the user who issued the token (TokenInfoResponse.created_by). Existing rows: the owner.
 * - `token_hash` stays unique (it is the lookup key of authentication). New hashes are keyed
 *   (`hmac-sha256:<hex>`, src/org/tokens.ts); rows from before keep their bare SHA-256 hex and are rewritten
 *   to the keyed form the first time their token authenticates.
 *
 * SQLite cannot change a primary key in place, so the table is rebuilt (same DDL on both dialects).
 */
export const tokensMigration: BatonMigration = {
  name: '0011_tokens',
  async up(db) {
    await db.schema
      .createTable('tokens_v2')
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('token_hash', t.text, (c) => c.notNull().unique())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.id, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .addPrimaryKeyConstraint('tokens_v2_pk', ['user_id', 'id'])
      .execute();
    await sql`insert into tokens_v2 (user_id, id, token_hash, description, created_at, created_by, expires_at)
      select user_id, id, token_hash, description, created_at, user_id, expires_at from tokens`.execute(db);
    await db.schema.dropTable('tokens').execute();
    await db.schema.alterTable('tokens_v2').renameTo('tokens').execute();
  },
};
