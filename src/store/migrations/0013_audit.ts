import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * The audit log and the record of automation rule runs (issue #17, docs/ci.md).
 *
 * - `audit_log`: one row per successful mutating API request (`POST`/`PUT`/`PATCH`/`DELETE` answered 2xx):
 *   `at, org_id, user_id, request_method, request_path, response_status`. No bodies, no query strings. Not tied
 *   to the org by a foreign key: the log outlives what it describes. Listed newest first per org (`at`, `id`).
 * - `automation_rule_runs`: what each automation rule did with each container artefact version
 *   (`outcome`: `deployed` with its `deploy_id`, `skipped` with the `reason`, e.g. the rule's creator may no
 *   longer deploy there, or `failed`). The primary key (org, version, rule) makes a rule act on a version at
 *   most once: the row is written in the transaction that queues the deployment, so a rule evaluation job
 *   resumed after a crash skips the rules it already ran.
 */
export const auditMigration: BatonMigration = {
  name: '0013_audit',
  async up(db) {
    await db.schema
      .createTable('audit_log')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('user_id', t.text, (c) => c.notNull())
      .addColumn('request_method', t.text, (c) => c.notNull())
      .addColumn('request_path', t.text, (c) => c.notNull())
      .addColumn('response_status', t.integer, (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_log_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('audit_log_at_ix').on('audit_log').columns(['org_id', 'at', 'id']).execute();
    await db.schema
      .createTable('automation_rule_runs')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('version_id', t.id, (c) => c.notNull())
      .addColumn('rule_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('outcome', t.text, (c) => c.notNull())
      .addColumn('deploy_id', t.text)
      .addColumn('reason', t.text, (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('automation_rule_runs_pk', ['org_id', 'version_id', 'rule_id'])
      .execute();
    await db.schema.createIndex('automation_rule_runs_rule_ix').on('automation_rule_runs').columns(['org_id', 'app_id', 'env_id', 'rule_id', 'at']).execute();
  },
};
