import { autoIncrementPrimaryKey, columnType as t, isAutoIncrement } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * The deployment engine's tables.
 *
 * - `jobs`: the durable work queue. `seq` (auto-increment) is the submission order: a job is only claimable when
 *   no older job of the same `queue_key` (one environment) is unfinished, which gives one deployment at a time per
 *   environment, in submission order, across replicas. A running job whose `locked_until` has passed is claimable
 *   again (its worker died); `attempts` counts claims.
 * - `deployments`: Humanitec's Deployment plus `progress` (phases with times, per-resource step state) so that a
 *   claimed-again deployment resumes where the last worker stopped.
 * - `deployment_errors`, `deployment_logs`: append-only.
 * - `env_deploy_state`: per environment, the deployment the next one builds on (`from_deploy_id`, moved by a rebase)
 *   and the last one that ran; cascades with the environment.
 */
export const engineMigration: BatonMigration = {
  name: '0004_engine',
  async up(db, dialect) {
    await db.schema
      .createTable('jobs')
      .addColumn('seq', autoIncrementPrimaryKey(dialect), (c) => {
        const pk = c.primaryKey();
        return isAutoIncrement(dialect) ? pk.autoIncrement() : pk;
      })
      .addColumn('id', t.id, (c) => c.notNull().unique())
      .addColumn('kind', t.text, (c) => c.notNull())
      .addColumn('queue_key', t.text, (c) => c.notNull())
      .addColumn('payload', t.json, (c) => c.notNull())
      .addColumn('state', t.text, (c) => c.notNull())
      .addColumn('run_at', t.timestamp, (c) => c.notNull())
      .addColumn('attempts', t.integer, (c) => c.notNull())
      .addColumn('max_attempts', t.integer, (c) => c.notNull())
      .addColumn('locked_by', t.text)
      .addColumn('locked_until', t.timestamp)
      .addColumn('last_error', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_state_idx').on('jobs').columns(['state', 'queue_key', 'seq']).execute();

    await db.schema
      .createTable('deployments')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('seq', t.integer, (c) => c.notNull())
      .addColumn('from_id', t.text, (c) => c.notNull())
      .addColumn('delta_id', t.text)
      .addColumn('base_set_id', t.text)
      .addColumn('set_id', t.text, (c) => c.notNull())
      .addColumn('value_set_version_id', t.text)
      .addColumn('comment', t.text, (c) => c.notNull())
      .addColumn('status', t.text, (c) => c.notNull())
      .addColumn('status_changed_at', t.timestamp, (c) => c.notNull())
      .addColumn('dependency_graph_id', t.text)
      .addColumn('progress', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('deployments_pk', ['org_id', 'app_id', 'id'])
      .execute();
    await db.schema.createIndex('deployments_env_idx').on('deployments').columns(['org_id', 'app_id', 'env_id', 'seq']).execute();

    await db.schema
      .createTable('deployment_errors')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('deploy_id', t.id, (c) => c.notNull())
      .addColumn('position', t.integer, (c) => c.notNull())
      .addColumn('scope', t.text, (c) => c.notNull())
      .addColumn('object_id', t.text, (c) => c.notNull())
      .addColumn('code', t.text, (c) => c.notNull())
      .addColumn('summary', t.text, (c) => c.notNull())
      .addColumn('message', t.text, (c) => c.notNull())
      .addColumn('error_type', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('deployment_errors_pk', ['org_id', 'app_id', 'deploy_id', 'position'])
      .execute();

    await db.schema
      .createTable('deployment_logs')
      .addColumn('seq', autoIncrementPrimaryKey(dialect), (c) => {
        const pk = c.primaryKey();
        return isAutoIncrement(dialect) ? pk.autoIncrement() : pk;
      })
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('deploy_id', t.id, (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('phase', t.text, (c) => c.notNull())
      .addColumn('level', t.text, (c) => c.notNull())
      .addColumn('resource', t.text)
      .addColumn('message', t.text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('deployment_logs_deploy_idx').on('deployment_logs').columns(['org_id', 'app_id', 'deploy_id', 'seq']).execute();

    await db.schema
      .createTable('env_deploy_state')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('from_deploy_id', t.text)
      .addColumn('last_deploy_id', t.text)
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('env_deploy_state_pk', ['org_id', 'app_id', 'env_id'])
      .addForeignKeyConstraint('env_deploy_state_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();

    // Per active resource: what it depends on (for reverse-order deprovisioning) and whether the current set still
    // needs it (a dependency removed from the set keeps its resource, Humanitec's rule, but is marked orphaned).
    // A table of its own rather than columns on `active_resources`, which the resources concern owns.
    await db.schema
      .createTable('active_resource_links')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('guresid', t.id, (c) => c.notNull())
      .addColumn('depends_on', t.json, (c) => c.notNull())
      .addColumn('orphaned', t.boolean, (c) => c.notNull())
      .addPrimaryKeyConstraint('active_resource_links_pk', ['org_id', 'app_id', 'env_id', 'guresid'])
      .addForeignKeyConstraint('active_resource_links_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
  },
};
