import type { Kysely, Selectable } from 'kysely';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database, OrgsTable } from './schema.js';
import type { Executor } from './store.js';

export type OrgRow = Selectable<OrgsTable>;

export function createOrgsRepo(db: Kysely<Database>) {
  return {
    async list(trx?: Executor): Promise<OrgRow[]> {
      return executor(db, trx).selectFrom('orgs').selectAll().orderBy('id').execute();
    },
    async get(id: string, trx?: Executor): Promise<OrgRow | undefined> {
      return executor(db, trx).selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
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
