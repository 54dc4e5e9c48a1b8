import type { Insertable, Kysely, Selectable } from 'kysely';
import { decodePageToken, toPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { executor, insertOrConflict, precompiled } from './repo-support.js';
import type { Database, EnvsTable } from './schema.js';
import type { Executor } from './store.js';

export type EnvRow = Selectable<EnvsTable>;
/** A row to insert: `status` defaults to `active`, `status_changed_at` to NULL. */
export type NewEnvRow = Insertable<EnvsTable>;
/** What an app listing shows of each environment (`listForApps`): its app, id, name and type. */
export type EnvSummaryRow = Pick<EnvRow, 'app_id' | 'id' | 'name' | 'type'>;

/** The columns of `EnvSummaryRow`. */
const SUMMARY_COLUMNS = ['app_id', 'id', 'name', 'type'] as const;

export function createEnvsRepo(db: Kysely<Database>) {
  // GET /orgs/{org}/apps without paging reads every environment of the org on each call (precompiled: see
  // repo-support.ts).
  const summariesOfOrg = precompiled(db, 1, (orgId: string) =>
    db.selectFrom('envs').select(SUMMARY_COLUMNS).where('org_id', '=', orgId).orderBy('app_id').orderBy('created_at').orderBy('id'),
  );
  return {
    async list(orgId: string, appId: string, trx?: Executor): Promise<EnvRow[]> {
      return executor(db, trx)
        .selectFrom('envs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    /** One page of the app's environments in creation order (keyset on `(created_at, id)`, index envs_order_idx). */
    async listPage(orgId: string, appId: string, page: PageRequest, trx?: Executor): Promise<Page<EnvRow>> {
      let query = executor(db, trx).selectFrom('envs').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (page.token !== undefined) {
        const after = decodePageToken(page.token);
        query = query.where((eb) =>
          eb.or([eb('created_at', '>', after.created_at), eb.and([eb('created_at', '=', after.created_at), eb('id', '>', after.id)])]),
        );
      }
      return toPage(await query.orderBy('created_at').orderBy('id').limit(page.limit + 1).execute(), page.limit);
    },
    /**
     * Environments of many apps at once (for app listings), ordered by app then creation; `undefined`: of every app
     * of the org (one range scan, no list of ids bound as parameters). Only the columns a listing shows: building the
     * row objects is most of what this query costs, and a whole row has more than twice as many (the profile of
     * GET /orgs/{org}/apps in BENCHMARKS.md, api section).
     */
    async listForApps(orgId: string, appIds: readonly string[] | undefined, trx?: Executor): Promise<EnvSummaryRow[]> {
      if (appIds === undefined) return summariesOfOrg([orgId], trx);
      if (appIds.length === 0) return [];
      return executor(db, trx)
        .selectFrom('envs')
        .select(SUMMARY_COLUMNS)
        .where('org_id', '=', orgId)
        .where('app_id', 'in', appIds)
        .orderBy('app_id')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<EnvRow | undefined> {
      return executor(db, trx)
        .selectFrom('envs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(row: NewEnvRow, trx?: Executor): Promise<EnvRow> {
      await insertOrConflict(`environment "${row.id}" already exists`, { kind: 'environment', id: row.id }, () =>
        executor(db, trx).insertInto('envs').values(row).execute(),
      );
      return { ...row, status: row.status ?? 'active', status_changed_at: row.status_changed_at ?? null };
    },
    async updateName(orgId: string, appId: string, id: string, name: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('envs')
        .set({ name })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Sets the lifecycle status (`active` or `deleting`, migration 0008); false when the row does not exist. */
    async setStatus(orgId: string, appId: string, id: string, status: string, at: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('envs')
        .set({ status, status_changed_at: at })
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(orgId: string, appId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('envs')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
export type EnvsRepo = ReturnType<typeof createEnvsRepo>;
