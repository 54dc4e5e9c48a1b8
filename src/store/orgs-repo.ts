import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict, precompiled } from './repo-support.js';
import type { Database, OrgsTable } from './schema.js';
import type { Executor } from './store.js';

export type OrgRow = Selectable<OrgsTable>;

export function createOrgsRepo(db: Kysely<Database>) {
  // Every org-scoped request looks its org up (precompiled: see repo-support.ts).
  const byId = precompiled(db, 1, (id: string) => db.selectFrom('orgs').selectAll().where('id', '=', id));
  return {
    async list(trx?: Executor): Promise<OrgRow[]> {
      return executor(db, trx).selectFrom('orgs').selectAll().orderBy('id').execute();
    },
    async get(id: string, trx?: Executor): Promise<OrgRow | undefined> {
      return (await byId([id], trx))[0];
    },
    async insert(row: OrgRow, trx?: Executor): Promise<OrgRow> {
      await insertOrConflict(`organization "${row.id}" already exists`, { kind: 'organization', id: row.id }, () =>
        executor(db, trx).insertInto('orgs').values(row).execute(),
      );
      return row;
    },
  };
}
export type OrgsRepo = ReturnType<typeof createOrgsRepo>;
