import type { Kysely, Selectable } from 'kysely';
import { decodePageToken, toPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** One stored Deployment Set of an app. `content` is the JSON text of the normalised set (`{version, modules, shared}`). */
export interface DeploymentSetsTable {
  org_id: string;
  app_id: string;
  /** The set's content address (`setId` of src/sets). */
  id: string;
  content: string;
  /** When the set was first stored in this app; orders listings. */
  created_at: string;
}

declare module './schema.js' {
  interface Database {
    deployment_sets: DeploymentSetsTable;
  }
}

export type DeploymentSetRow = Selectable<DeploymentSetsTable>;

export function createSetsRepo(db: Kysely<Database>) {
  return {
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<DeploymentSetRow | undefined> {
      return executor(db, trx)
        .selectFrom('deployment_sets')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /**
     * Stores the set unless the app already has it. Sets are content-addressed, so an existing row with the same id
     * holds the same content and is kept (with its original `created_at`). Returns whether a row was inserted.
     */
    async insertIfAbsent(row: DeploymentSetRow, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .insertInto('deployment_sets')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'id']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    /** The app's sets, oldest first; one page when `page` is given, else all of them. */
    async list(orgId: string, appId: string, page?: PageRequest, trx?: Executor): Promise<Page<DeploymentSetRow>> {
      let query = executor(db, trx)
        .selectFrom('deployment_sets')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId);
      if (page?.token !== undefined) {
        const after = decodePageToken(page.token);
        query = query.where((eb) =>
          eb.or([eb('created_at', '>', after.created_at), eb.and([eb('created_at', '=', after.created_at), eb('id', '>', after.id)])]),
        );
      }
      query = query.orderBy('created_at').orderBy('id');
      if (page === undefined) return { items: await query.execute() };
      return toPage(await query.limit(page.limit + 1).execute(), page.limit);
    },
  };
}
export type SetsRepo = ReturnType<typeof createSetsRepo>;
