import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Deployment Sets and Deltas, both owned by an app (deleting the app deletes them).
 *
 * - `deployment_sets`: immutable, content-addressed. The primary key includes the set id, so a set reached twice
 *   (by any number of deltas or deployments) is one row; inserting it again is a no-op.
 * - `deltas`: mutable drafts. `revision` is bumped on every write so concurrent read-modify-write updates
 *   (PATCH merges) can detect each other without dialect-specific row locks.
 */
export const setsMigration: BatonMigration = {
  name: '0002_sets',
  async up(db) {
    await db.schema
      .createTable('deployment_sets')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('content', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('deployment_sets_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('deployment_sets_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createIndex('deployment_sets_order_idx')
      .on('deployment_sets')
      .columns(['org_id', 'app_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('deltas')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id)
      .addColumn('name', t.text)
      .addColumn('archived', t.boolean, (c) => c.notNull())
      .addColumn('shared', t.boolean)
      .addColumn('contributers', t.json, (c) => c.notNull())
      .addColumn('content', t.json, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_modified_at', t.timestamp, (c) => c.notNull())
      .addColumn('revision', t.integer, (c) => c.notNull())
      .addPrimaryKeyConstraint('deltas_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('deltas_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('deltas_order_idx').on('deltas').columns(['org_id', 'app_id', 'created_at', 'id']).execute();
  },
};
