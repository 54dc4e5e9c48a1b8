import type { Kysely, Selectable } from 'kysely';
import { decodePageToken, toPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** One Deployment Delta of an app: its content plus Humanitec's delta metadata as columns (so listings can filter). */
export interface DeltasTable {
  org_id: string;
  app_id: string;
  id: string;
  env_id: string | null;
  name: string | null;
  /** 0/1 */
  archived: number;
  /** 0/1, or null when never set (Humanitec's optional `metadata.shared`). */
  shared: number | null;
  /** JSON array of user ids who changed the delta after its creator. */
  contributers: string;
  /** JSON text of the normalised delta body `{modules: {add, remove, update}, shared}`. */
  content: string;
  created_by: string;
  created_at: string;
  last_modified_at: string;
  /** Bumped on every write; `update` only succeeds against the revision the caller read (optimistic concurrency). */
  revision: number;
}

declare module './schema.js' {
  interface Database {
    deltas: DeltasTable;
  }
}

export type DeltaRow = Selectable<DeltasTable>;

export interface DeltaListFilter {
  /** Only deltas associated with this environment. */
  envId?: string | undefined;
  /** Only archived (true) or only not archived (false) deltas; undefined for both. */
  archived?: boolean | undefined;
}

/** The columns a write may change (never the keys, the creator or the creation time). */
export type DeltaChanges = Partial<Pick<DeltaRow, 'env_id' | 'name' | 'archived' | 'shared' | 'contributers' | 'content' | 'last_modified_at'>>;

export function createDeltasRepo(db: Kysely<Database>) {
  return {
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<DeltaRow | undefined> {
      return executor(db, trx)
        .selectFrom('deltas')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: DeltaRow, trx?: Executor): Promise<DeltaRow> {
      await insertOrConflict(`delta "${row.id}" already exists`, { kind: 'delta', id: row.id }, () =>
        executor(db, trx).insertInto('deltas').values(row).execute(),
      );
      return row;
    },
    /** The app's deltas, oldest first, filtered; one page when `page` is given, else all of them. */
    async list(orgId: string, appId: string, filter: DeltaListFilter = {}, page?: PageRequest, trx?: Executor): Promise<Page<DeltaRow>> {
      let query = executor(db, trx).selectFrom('deltas').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (filter.envId !== undefined) query = query.where('env_id', '=', filter.envId);
      if (filter.archived !== undefined) query = query.where('archived', '=', filter.archived ? 1 : 0);
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
    /**
     * Writes `changes` if the row is still at `expectedRevision`, bumping the revision. Returns false when the row
     * is gone or another writer got there first (the caller re-reads and retries).
     */
    async update(orgId: string, appId: string, id: string, expectedRevision: number, changes: DeltaChanges, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('deltas')
        .set({ ...changes, revision: expectedRevision + 1 })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .where('revision', '=', expectedRevision)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
export type DeltasRepo = ReturnType<typeof createDeltasRepo>;
