import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * An org's custom workload profiles and their history. Built-in profiles live in code (src/profiles), never here.
 *
 * - `workload_profiles` is the current state of each profile; `workload_profile_versions` holds every version
 *   (create and each update insert one), ordered per profile by `seq`. The current row repeats the latest version's
 *   content so reads and the deployment engine need one query, and `version` names that latest version.
 * - `version` ids are unique per profile, not globally: Humanitec lets callers choose them.
 * - Deleting a profile deletes its versions (cascade); deleting the org deletes its profiles.
 */
export const workloadProfilesMigration: BatonMigration = {
  name: '0006_workload_profiles',
  async up(db) {
    await db.schema
      .createTable('workload_profiles')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('version', t.text, (c) => c.notNull())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('deprecation_message', t.text)
      .addColumn('spec_definition', t.json, (c) => c.notNull())
      .addColumn('spec_schema', t.json)
      .addColumn('workload_profile_chart', t.json)
      .addColumn('baton_template', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('workload_profiles_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createTable('workload_profile_versions')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('profile_id', t.id, (c) => c.notNull())
      .addColumn('id', t.text, (c) => c.notNull())
      .addColumn('seq', t.integer, (c) => c.notNull())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('deprecation_message', t.text)
      .addColumn('spec_definition', t.json, (c) => c.notNull())
      .addColumn('spec_schema', t.json)
      .addColumn('workload_profile_chart', t.json)
      .addColumn('baton_template', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('workload_profile_versions_pk', ['org_id', 'profile_id', 'id'])
      .addUniqueConstraint('workload_profile_versions_seq_uq', ['org_id', 'profile_id', 'seq'])
      .addForeignKeyConstraint('workload_profile_versions_profile_fk', ['org_id', 'profile_id'], 'workload_profiles', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
  },
};
