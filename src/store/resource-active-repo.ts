import type { Kysely, Selectable } from 'kysely';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * One provisioned resource of an environment, keyed by GUResID (Humanitec's ActiveResource). Written by the
 * deployment engine after each successful provisioning; read by the definitions API ("which resources use
 * this definition") and by the engine (cookie, previous outputs). Secret outputs and the cookie are sealed.
 */
export interface ActiveResourcesTable {
  org_id: string;
  app_id: string;
  env_id: string;
  guresid: string;
  env_type: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  def_version_id: string;
  criteria_id: string;
  driver_type: string;
  driver_account: string | null;
  deploy_id: string;
  /** `pending`, `active` or `deleting`. */
  status: string;
  /** Output values as JSON text. */
  resource: string;
  secrets_sealed: string | null;
  cookie_sealed: string | null;
  scheduled_deletion: number;
  updated_at: string;
}

declare module './schema.js' {
  interface Database {
    active_resources: ActiveResourcesTable;
  }
}

export type ActiveResourceRow = Selectable<ActiveResourcesTable>;

export function createActiveResourcesRepo(db: Kysely<Database>) {
  return {
    async listByDefinition(orgId: string, defId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('def_id', '=', defId)
        .orderBy('app_id')
        .orderBy('env_id')
        .orderBy('res_id')
        .execute();
    },
    async listByEnv(orgId: string, appId: string, envId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .orderBy('res_id')
        .orderBy('type')
        .execute();
    },
    async get(orgId: string, appId: string, envId: string, guresid: string, trx?: Executor): Promise<ActiveResourceRow | undefined> {
      return executor(db, trx)
        .selectFrom('active_resources')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
    },
    /** Inserts or replaces the row of this GUResID. */
    async upsert(row: ActiveResourceRow, trx?: Executor): Promise<void> {
      const { org_id: _o, app_id: _a, env_id: _e, guresid: _g, ...changes } = row;
      await executor(db, trx)
        .insertInto('active_resources')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'env_id', 'guresid']).doUpdateSet(changes))
        .execute();
    },
    async delete(orgId: string, appId: string, envId: string, guresid: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('active_resources')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type ActiveResourcesRepo = ReturnType<typeof createActiveResourcesRepo>;
