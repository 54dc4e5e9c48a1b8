import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Shared values and their history. There is no separate "current values" table: the newest value set version of a
 * scope *is* its current state, so a change and its version are one insert and can never disagree.
 *
 * - `env_id` is NULL for app-level versions. The composite foreign key to `envs` is not checked for NULL (both
 *   dialects use MATCH SIMPLE), so app rows only hang off the app while env rows also cascade with their env.
 * - `seq` orders the versions of one scope (app, or app+env); it is assigned under a per-app lock by the service.
 * - `app_version_id` (env rows only) pins the app-level version whose values the env version sits on, so one env
 *   version id reproduces the merged app+env set a deployment used.
 * - `value_set` holds secrets only sealed (SecretBox envelopes), never in clear.
 */
export const valuesMigration: BatonMigration = {
  name: '0005_values',
  async up(db) {
    await db.schema
      .createTable('value_set_versions')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id)
      .addColumn('seq', t.integer, (c) => c.notNull())
      .addColumn('app_version_id', t.id)
      .addColumn('value_set', t.json, (c) => c.notNull())
      .addColumn('change', t.json, (c) => c.notNull())
      .addColumn('comment', t.text, (c) => c.notNull())
      .addColumn('result_of', t.text)
      .addColumn('source_value_set_version_id', t.id)
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint('value_set_versions_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .addForeignKeyConstraint('value_set_versions_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('value_set_versions_scope_idx')
      .on('value_set_versions')
      .columns(['org_id', 'app_id', 'env_id', 'seq'])
      .execute();
  },
};
