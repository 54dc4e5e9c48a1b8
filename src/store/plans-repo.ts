/** Storage of deployment plans (migration 0007_plans). JSON columns are text. */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

export interface PlansTable {
  org_id: string;
  app_id: string;
  env_id: string;
  id: string;
  /** The env's `from_deploy_id` and `last_deploy_id` when the plan was made. */
  from_deploy_id: string | null;
  last_deploy_id: string | null;
  set_id: string;
  request: string;
  object_hashes: string;
  plan: string;
  created_at: string;
  created_by: string;
}

declare module './schema.js' {
  interface Database {
    plans: PlansTable;
  }
}

export type PlanRow = Selectable<PlansTable>;

export function createPlansRepo(db: Kysely<Database>) {
  return {
    async insert(row: PlanRow, trx?: Executor): Promise<void> {
      await (trx ?? db).insertInto('plans').values(row).execute();
    },
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<PlanRow | undefined> {
      return (trx ?? db).selectFrom('plans').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    },
  };
}

export type PlansRepo = ReturnType<typeof createPlansRepo>;
