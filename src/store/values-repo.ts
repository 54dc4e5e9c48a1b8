import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from './ddl.js';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * One value set version of an app (`env_id` null) or of one of its environments. The newest version of a scope is
 * that scope's current set of shared values. `value_set` and `change` are JSON text (see src/values for their shape);
 * `value_set` holds secrets only sealed.
 */
export interface ValueSetVersionsTable {
  id: string;
  org_id: string;
  app_id: string;
  env_id: string | null;
  seq: number;
  app_version_id: string | null;
  value_set: string;
  change: string;
  comment: string;
  result_of: string | null;
  source_value_set_version_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

declare module './schema.js' {
  interface Database {
    value_set_versions: ValueSetVersionsTable;
  }
}

export type ValueSetVersionRow = Selectable<ValueSetVersionsTable>;

/** App level (`envId` null) or one environment of the app. */
export interface ValueScope {
  orgId: string;
  appId: string;
  envId: string | null;
}

export function createValueSetVersionsRepo(db: Kysely<Database>, dialect: DialectName) {
  function scoped(scope: ValueScope, trx: Executor | undefined) {
    const query = executor(db, trx)
      .selectFrom('value_set_versions')
      .selectAll()
      .where('org_id', '=', scope.orgId)
      .where('app_id', '=', scope.appId);
    return scope.envId === null ? query.where('env_id', 'is', null) : query.where('env_id', '=', scope.envId);
  }
  // pg returns integer columns as numbers but be defensive: `seq` must compare numerically.
  const normalise = (row: ValueSetVersionRow): ValueSetVersionRow => ({ ...row, seq: Number(row.seq) });

  return {
    /** The scope's current version (highest `seq`), if any change was ever made. */
    async latest(scope: ValueScope, trx?: Executor): Promise<ValueSetVersionRow | undefined> {
      const row = await scoped(scope, trx).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row && normalise(row);
    },
    async get(scope: ValueScope, id: string, trx?: Executor): Promise<ValueSetVersionRow | undefined> {
      const row = await scoped(scope, trx).where('id', '=', id).executeTakeFirst();
      return row && normalise(row);
    },
    /** Newest first. */
    async list(scope: ValueScope, trx?: Executor): Promise<ValueSetVersionRow[]> {
      return (await scoped(scope, trx).orderBy('seq', 'desc').execute()).map(normalise);
    },
    /**
     * Up to `limit` versions of the scope with an id after `after`, by id (keyset on `value_set_versions_id_idx`,
     * migration 0019): the paged version list reads a scope's history a slice at a time.
     */
    async listByIdAfter(scope: ValueScope, options: { after?: string | undefined; limit: number }, trx?: Executor): Promise<ValueSetVersionRow[]> {
      let query = scoped(scope, trx);
      if (options.after !== undefined) query = query.where('id', '>', options.after);
      return (await query.orderBy('id').limit(options.limit).execute()).map(normalise);
    },
    async insert(row: ValueSetVersionRow, trx?: Executor): Promise<ValueSetVersionRow> {
      await insertOrConflict(`value set version "${row.id}" already exists`, { kind: 'value set version', id: row.id }, () =>
        executor(db, trx).insertInto('value_set_versions').values(row).execute(),
      );
      return row;
    },
    /** Rewrites the stored values of one version: only purging does this, history is otherwise immutable. */
    async replaceValueSet(id: string, valueSet: string, updatedAt: string, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('value_set_versions').set({ value_set: valueSet, updated_at: updatedAt }).where('id', '=', id).execute();
    },
    /**
     * Serialises value changes of one app until `trx` ends, so `seq` numbering and read-modify-write of the current
     * set cannot interleave. PostgreSQL locks the app row; SQLite needs nothing, its writers are already serial.
     */
    async lockApp(orgId: string, appId: string, trx: Executor): Promise<void> {
      if (dialect !== 'postgres') return;
      await trx.selectFrom('apps').select('id').where('org_id', '=', orgId).where('id', '=', appId).forUpdate().execute();
    },
  };
}
export type ValueSetVersionsRepo = ReturnType<typeof createValueSetVersionsRepo>;
