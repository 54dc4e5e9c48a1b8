import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * An org's external secret store (`/orgs/{orgId}/secretstores/{id}`). `config` is JSON text of the non-secret
 * settings; `auth_sealed` the SecretBox envelope of its credentials (never in clear). See migration 0009.
 */
export interface SecretStoresTable {
  org_id: string;
  id: string;
  kind: string;
  is_primary: number;
  config: string;
  auth_sealed: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One version of one value of Baton's own sealed store. */
export interface SecretStoreEntriesTable {
  org_id: string;
  store_id: string;
  ref: string;
  version: number;
  sealed: string;
  created_at: string;
}

declare module './schema.js' {
  interface Database {
    secret_stores: SecretStoresTable;
    secret_store_entries: SecretStoreEntriesTable;
  }
}

export type SecretStoreRow = Selectable<SecretStoresTable>;
export type SecretStoreEntryRow = Selectable<SecretStoreEntriesTable>;

const normalise = (row: SecretStoreRow): SecretStoreRow => ({ ...row, is_primary: Number(row.is_primary) });

export function createSecretStoresRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, trx?: Executor): Promise<SecretStoreRow[]> {
      return (await executor(db, trx).selectFrom('secret_stores').selectAll().where('org_id', '=', orgId).orderBy('id').execute()).map(normalise);
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<SecretStoreRow | undefined> {
      const row = await executor(db, trx).selectFrom('secret_stores').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row && normalise(row);
    },
    async insert(row: SecretStoreRow, trx?: Executor): Promise<void> {
      await insertOrConflict(`secret store "${row.id}" already exists`, { kind: 'secret store', id: row.id }, () =>
        executor(db, trx).insertInto('secret_stores').values(row).execute(),
      );
    },
    async update(orgId: string, id: string, changes: Partial<Omit<SecretStoreRow, 'org_id' | 'id'>>, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('secret_stores').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    /** Clears the primary flag of every store of the org (before another one becomes primary). */
    async clearPrimary(orgId: string, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('secret_stores').set({ is_primary: 0 }).where('org_id', '=', orgId).where('is_primary', '=', 1).execute();
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('secret_stores').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
export type SecretStoresRepo = ReturnType<typeof createSecretStoresRepo>;

export function createSecretStoreEntriesRepo(db: Kysely<Database>) {
  return {
    /** The newest version of `ref`, or exactly `version`. */
    async get(orgId: string, storeId: string, ref: string, version?: number, trx?: Executor): Promise<SecretStoreEntryRow | undefined> {
      let query = executor(db, trx).selectFrom('secret_store_entries').selectAll().where('org_id', '=', orgId).where('store_id', '=', storeId).where('ref', '=', ref);
      query = version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
      const row = await query.executeTakeFirst();
      return row && { ...row, version: Number(row.version) };
    },
    async insert(row: SecretStoreEntryRow, trx?: Executor): Promise<void> {
      await insertOrConflict(`secret "${row.ref}" version ${row.version} was written concurrently`, { store: row.store_id, ref: row.ref }, () =>
        executor(db, trx).insertInto('secret_store_entries').values(row).execute(),
      );
    },
  };
}
export type SecretStoreEntriesRepo = ReturnType<typeof createSecretStoreEntriesRepo>;
