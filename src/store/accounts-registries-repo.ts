import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * Tables of migration 0014: resource accounts, container registries and the org's public keys. Credentials are
 * only ever stored sealed (`credentials_sealed`, `creds_sealed`: SecretBox envelopes); see the migration.
 */
export interface ResourceAccountsTable {
  org_id: string;
  id: string;
  name: string;
  type: string;
  credentials_sealed: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface RegistriesTable {
  org_id: string;
  id: string;
  registry: string;
  type: string;
  enable_ci: number;
  /** JSON text of the cluster pull-secret map, or NULL. */
  secrets: string | null;
  creds_sealed: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface PublicKeysTable {
  org_id: string;
  id: string;
  key: string;
  fingerprint: string;
  created_at: string;
  created_by: string;
  expired_at: string;
}

declare module './schema.js' {
  interface Database {
    resource_accounts: ResourceAccountsTable;
    registries: RegistriesTable;
    public_keys: PublicKeysTable;
  }
}

export type ResourceAccountRow = Selectable<ResourceAccountsTable>;
export type RegistryRow = Selectable<RegistriesTable>;
export type PublicKeyRow = Selectable<PublicKeysTable>;

/** What still uses an account: non-deleted definitions and active resources naming it as `driver_account`. */
export interface AccountReferences {
  definitions: string[];
  activeResources: Array<{ app_id: string; env_id: string; type: string; class: string; res_id: string; def_id: string; guresid: string }>;
}

export function createResourceAccountsRepo(db: Kysely<Database>) {
  return {
    async list(orgId: string, trx?: Executor): Promise<ResourceAccountRow[]> {
      return executor(db, trx).selectFrom('resource_accounts').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<ResourceAccountRow | undefined> {
      return executor(db, trx).selectFrom('resource_accounts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    },
    async insert(row: ResourceAccountRow, trx?: Executor): Promise<void> {
      await insertOrConflict(`resource account "${row.id}" already exists`, { kind: 'resource account', id: row.id }, () =>
        executor(db, trx).insertInto('resource_accounts').values(row).execute(),
      );
    },
    async update(orgId: string, id: string, changes: Partial<Omit<ResourceAccountRow, 'org_id' | 'id'>>, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('resource_accounts').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('resource_accounts').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Ids of the accounts some non-deleted definition or active resource of the org names (`is_used`). */
    async usedIds(orgId: string, trx?: Executor): Promise<Set<string>> {
      const ex = executor(db, trx);
      const defs = await ex.selectFrom('resource_definitions').select('driver_account').distinct().where('org_id', '=', orgId).where('is_deleted', '=', 0).where('driver_account', 'is not', null).execute();
      const active = await ex.selectFrom('active_resources').select('driver_account').distinct().where('org_id', '=', orgId).where('driver_account', 'is not', null).execute();
      return new Set([...defs, ...active].map((r) => r.driver_account!));
    },
    async references(orgId: string, id: string, trx?: Executor): Promise<AccountReferences> {
      const ex = executor(db, trx);
      const defs = await ex.selectFrom('resource_definitions').select('id').where('org_id', '=', orgId).where('is_deleted', '=', 0).where('driver_account', '=', id).orderBy('id').execute();
      const active = await ex
        .selectFrom('active_resources')
        .select(['app_id', 'env_id', 'type', 'class', 'res_id', 'def_id', 'guresid'])
        .where('org_id', '=', orgId)
        .where('driver_account', '=', id)
        .orderBy('app_id')
        .orderBy('env_id')
        .orderBy('guresid')
        .execute();
      return { definitions: defs.map((d) => d.id), activeResources: active };
    },
  };
}
export type ResourceAccountsRepo = ReturnType<typeof createResourceAccountsRepo>;

const normaliseRegistry = (row: RegistryRow): RegistryRow => ({ ...row, enable_ci: Number(row.enable_ci) });

export function createRegistriesRepo(db: Kysely<Database>) {
  const conflict = (row: Pick<RegistryRow, 'id' | 'registry'>) => `registry "${row.id}" or a registry named "${row.registry}" already exists`;
  return {
    async list(orgId: string, trx?: Executor): Promise<RegistryRow[]> {
      return (await executor(db, trx).selectFrom('registries').selectAll().where('org_id', '=', orgId).orderBy('id').execute()).map(normaliseRegistry);
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<RegistryRow | undefined> {
      const row = await executor(db, trx).selectFrom('registries').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row && normaliseRegistry(row);
    },
    async insert(row: RegistryRow, trx?: Executor): Promise<void> {
      await insertOrConflict(conflict(row), { kind: 'registry', id: row.id }, () => executor(db, trx).insertInto('registries').values(row).execute());
    },
    async update(orgId: string, id: string, changes: Partial<Omit<RegistryRow, 'org_id' | 'id'>>, trx?: Executor): Promise<void> {
      await insertOrConflict(conflict({ id, registry: changes.registry ?? '' }), { kind: 'registry', id }, () =>
        executor(db, trx).updateTable('registries').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute(),
      );
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('registries').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
export type RegistriesRepo = ReturnType<typeof createRegistriesRepo>;

export function createPublicKeysRepo(db: Kysely<Database>) {
  return {
    /** Newest first (Humanitec's order); only the key with `fingerprint` when given. */
    async list(orgId: string, fingerprint?: string, trx?: Executor): Promise<PublicKeyRow[]> {
      let query = executor(db, trx).selectFrom('public_keys').selectAll().where('org_id', '=', orgId);
      if (fingerprint !== undefined) query = query.where('fingerprint', '=', fingerprint);
      return query.orderBy('created_at', 'desc').orderBy('id').execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<PublicKeyRow | undefined> {
      return executor(db, trx).selectFrom('public_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    },
    async insert(row: PublicKeyRow, trx?: Executor): Promise<void> {
      await insertOrConflict(`a public key with fingerprint ${row.fingerprint} is already registered`, { kind: 'public key', fingerprint: row.fingerprint }, () =>
        executor(db, trx).insertInto('public_keys').values(row).execute(),
      );
    },
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('public_keys').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
export type PublicKeysRepo = ReturnType<typeof createPublicKeysRepo>;
