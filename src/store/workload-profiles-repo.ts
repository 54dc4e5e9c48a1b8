import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from './ddl.js';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * The current state of an org's custom workload profile (see migration 0006). JSON columns are text;
 * `baton_template` is the Go template that renders the profile's objects (null when the profile reuses a
 * built-in through `workload_profile_chart`).
 */
export interface WorkloadProfilesTable {
  org_id: string;
  id: string;
  /** Id of the latest version. */
  version: string;
  description: string;
  deprecation_message: string | null;
  spec_definition: string;
  spec_schema: string | null;
  workload_profile_chart: string | null;
  baton_template: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One immutable version of a custom profile; `seq` orders a profile's versions (1, 2, …). */
export interface WorkloadProfileVersionsTable {
  org_id: string;
  profile_id: string;
  id: string;
  seq: number;
  description: string;
  deprecation_message: string | null;
  spec_definition: string;
  spec_schema: string | null;
  workload_profile_chart: string | null;
  baton_template: string | null;
  created_at: string;
  created_by: string;
}

declare module './schema.js' {
  interface Database {
    workload_profiles: WorkloadProfilesTable;
    workload_profile_versions: WorkloadProfileVersionsTable;
  }
}

export type WorkloadProfileRow = Selectable<WorkloadProfilesTable>;
export type WorkloadProfileVersionRow = Selectable<WorkloadProfileVersionsTable>;

export function createWorkloadProfilesRepo(db: Kysely<Database>, dialect: DialectName) {
  // pg returns integer columns as numbers, but `seq` must compare numerically whatever the driver does.
  const normalise = (row: WorkloadProfileVersionRow): WorkloadProfileVersionRow => ({ ...row, seq: Number(row.seq) });

  return {
    async list(orgId: string, trx?: Executor): Promise<WorkloadProfileRow[]> {
      return executor(db, trx).selectFrom('workload_profiles').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    },
    async get(orgId: string, id: string, trx?: Executor): Promise<WorkloadProfileRow | undefined> {
      return executor(db, trx).selectFrom('workload_profiles').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    },
    async insert(row: WorkloadProfileRow, trx?: Executor): Promise<WorkloadProfileRow> {
      await insertOrConflict(`workload profile "${row.org_id}/${row.id}" already exists`, { kind: 'workload profile', id: `${row.org_id}/${row.id}` }, () =>
        executor(db, trx).insertInto('workload_profiles').values(row).execute(),
      );
      return row;
    },
    /** Replaces the current state (everything but the creation fields); false when the profile does not exist. */
    async update(row: WorkloadProfileRow, trx?: Executor): Promise<boolean> {
      const { org_id, id, created_at: _createdAt, created_by: _createdBy, ...changes } = row;
      const result = await executor(db, trx)
        .updateTable('workload_profiles')
        .set(changes)
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Deletes the profile and (cascade) its versions; false when it did not exist. */
    async delete(orgId: string, id: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx).deleteFrom('workload_profiles').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async insertVersion(row: WorkloadProfileVersionRow, trx?: Executor): Promise<WorkloadProfileVersionRow> {
      await insertOrConflict(
        `version "${row.id}" of workload profile "${row.org_id}/${row.profile_id}" already exists`,
        { kind: 'workload profile version', id: row.id, field: 'version' },
        () => executor(db, trx).insertInto('workload_profile_versions').values(row).execute(),
      );
      return row;
    },
    /** Newest first. */
    async listVersions(orgId: string, profileId: string, trx?: Executor): Promise<WorkloadProfileVersionRow[]> {
      const rows = await executor(db, trx)
        .selectFrom('workload_profile_versions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('profile_id', '=', profileId)
        .orderBy('seq', 'desc')
        .execute();
      return rows.map(normalise);
    },
    async latestVersion(orgId: string, profileId: string, trx?: Executor): Promise<WorkloadProfileVersionRow | undefined> {
      const row = await executor(db, trx)
        .selectFrom('workload_profile_versions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('profile_id', '=', profileId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && normalise(row);
    },
    /**
     * Serialises changes to one profile until `trx` ends, so version numbering cannot interleave. PostgreSQL locks
     * the profile row; SQLite needs nothing, its writers are already serial.
     */
    async lock(orgId: string, id: string, trx: Executor): Promise<void> {
      if (dialect !== 'postgres') return;
      await trx.selectFrom('workload_profiles').select('id').where('org_id', '=', orgId).where('id', '=', id).forUpdate().execute();
    },
  };
}
export type WorkloadProfilesRepo = ReturnType<typeof createWorkloadProfilesRepo>;
