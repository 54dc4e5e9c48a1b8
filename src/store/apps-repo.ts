import type { Insertable, Kysely, Selectable } from 'kysely';
import { decodeIdPageToken, toIdPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { executor, insertOrConflict, precompiled } from './repo-support.js';
import type { AppsTable, Database } from './schema.js';
import type { Executor } from './store.js';

export type AppRow = Selectable<AppsTable>;
/** A row to insert: `status` defaults to `active`, `status_changed_at` to NULL. */
export type NewAppRow = Insertable<AppsTable>;

export function createAppsRepo(db: Kysely<Database>) {
  // GET /orgs/{org}/apps without paging, for a caller who sees every app (precompiled: see repo-support.ts).
  const allOfOrg = precompiled(db, 1, (orgId: string) => db.selectFrom('apps').selectAll('apps').where('apps.org_id', '=', orgId).orderBy('apps.id'));
  return {
    /**
     * The org's apps by id: one page (keyset on the primary key, `limit + 1` rows read) when `page` is given, else
     * all. `member`: only the apps on which that user holds one of `roles` (one join, not a lookup per app).
     */
    async list(orgId: string, page?: PageRequest, member?: { userId: string; roles: readonly string[] }, trx?: Executor): Promise<Page<AppRow>> {
      if (page === undefined && member === undefined) return { items: await allOfOrg([orgId], trx) };
      let query = executor(db, trx).selectFrom('apps').selectAll('apps').where('apps.org_id', '=', orgId);
      if (member !== undefined) {
        if (member.roles.length === 0) return { items: [] };
        query = query
          .innerJoin('app_members', (join) => join.onRef('app_members.org_id', '=', 'apps.org_id').onRef('app_members.app_id', '=', 'apps.id'))
          .where('app_members.user_id', '=', member.userId)
          .where('app_members.role', 'in', member.roles);
      }
      if (page?.token !== undefined) query = query.where('apps.id', '>', decodeIdPageToken(page.token));
      query = query.orderBy('apps.id');
      if (page === undefined) return { items: await query.execute() };
      return toIdPage(await query.limit(page.limit + 1).execute(), page.limit);
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<AppRow | undefined> {
      return executor(db, trx)
        .selectFrom('apps')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: NewAppRow, trx?: Executor): Promise<AppRow> {
      await insertOrConflict(`application "${row.id}" already exists`, { kind: 'application', id: row.id }, () =>
        executor(db, trx).insertInto('apps').values(row).execute(),
      );
      return { ...row, status: row.status ?? 'active', status_changed_at: row.status_changed_at ?? null };
    },
    async updateName(orgId: string, id: string, name: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('apps')
        .set({ name })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Sets the lifecycle status (`active` or `deleting`, migration 0008); false when the row does not exist. */
    async setStatus(orgId: string, id: string, status: string, at: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('apps')
        .set({ status, status_changed_at: at })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Deletes the app; its environments go with it (foreign key cascade). */
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('apps')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type AppsRepo = ReturnType<typeof createAppsRepo>;
