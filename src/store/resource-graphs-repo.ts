import type { Kysely, Selectable } from 'kysely';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** A dependency graph computed for an environment (Humanitec's DependencyGraphResponse). `nodes` is JSON text. */
export interface ResourceGraphsTable {
  org_id: string;
  app_id: string;
  env_id: string;
  id: string;
  hash: string;
  nodes: string;
  created_at: string;
  used_at: string;
}

declare module './schema.js' {
  interface Database {
    resource_graphs: ResourceGraphsTable;
  }
}

export type ResourceGraphRow = Selectable<ResourceGraphsTable>;

export function createResourceGraphsRepo(db: Kysely<Database>) {
  return {
    async get(orgId: string, appId: string, envId: string, id: string, trx?: Executor): Promise<ResourceGraphRow | undefined> {
      return executor(db, trx)
        .selectFrom('resource_graphs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async getByHash(orgId: string, appId: string, envId: string, hash: string, trx?: Executor): Promise<ResourceGraphRow | undefined> {
      return executor(db, trx)
        .selectFrom('resource_graphs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('hash', '=', hash)
        .executeTakeFirst();
    },
    /**
     * Stores the graph, or, when the environment already has a graph with the same hash (the same nodes), marks
     * that one used now and returns it: two graphs with one hash never coexist.
     */
    async upsertByHash(row: ResourceGraphRow, trx?: Executor): Promise<ResourceGraphRow> {
      const inserted = await executor(db, trx)
        .insertInto('resource_graphs')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'env_id', 'hash']).doUpdateSet({ used_at: row.used_at }))
        .execute();
      void inserted;
      const stored = await this.getByHash(row.org_id, row.app_id, row.env_id, row.hash, trx);
      return stored ?? row;
    },
  };
}
export type ResourceGraphsRepo = ReturnType<typeof createResourceGraphsRepo>;
