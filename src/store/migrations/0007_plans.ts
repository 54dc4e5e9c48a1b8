import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Deployment plans (Baton, see docs/internals/engine.md). A plan records the environment's deployment pointers at planning
 * time, so a deployment that names the plan can refuse to run when the environment moved on since; `plan` is the
 * plan as the API returned it (secret data redacted), `object_hashes` the content hashes of the rendered objects.
 * Plans go with their environment (cascade).
 */
export const plansMigration: BatonMigration = {
  name: '0007_plans',
  async up(db) {
    await db.schema
      .createTable('plans')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('from_deploy_id', t.id)
      .addColumn('last_deploy_id', t.id)
      .addColumn('set_id', t.text, (c) => c.notNull())
      .addColumn('request', t.json, (c) => c.notNull())
      .addColumn('object_hashes', t.json, (c) => c.notNull())
      .addColumn('plan', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('plans_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('plans_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
  },
};
