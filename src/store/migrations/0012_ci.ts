import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * CI integration (issue #17, docs/ci.md): artefacts and their versions, builds of the deprecated image API,
 * automation rules, webhooks and their deliveries.
 *
 * - `artefacts`: one per org, type and name; `artefact_versions` go with their artefact (cascade). A workload
 *   version keeps its request (`spec`, `image`, overrides, aliases, extensions) in `workload` (JSON) and the
 *   deployment-set fragment it converts to in `deployment_set`.
 * - `image_builds`: the builds `POST /images/{imageId}/builds` registered (each also registered a container
 *   artefact version, `artefact_version_id`).
 * - `automation_rules`: per environment (cascade with it); `rule` is the rule as stored (JSON), `created_by` the
 *   user a rule-triggered deployment runs as.
 * - `webhooks`: per app (cascade); `secret_sealed` is the HMAC signing key, sealed with the SecretBox.
 * - `webhook_deliveries`: the outbox. A delivery's id is derived from the webhook and the event (so one event is
 *   recorded once however often it is emitted); its job on the durable queue (`jobs`, kind `webhook`) sends it.
 *   `webhook_attempts` records each try.
 */
export const ciMigration: BatonMigration = {
  name: '0012_ci',
  async up(db) {
    await db.schema
      .createTable('artefacts')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('artefacts_pk', ['org_id', 'id'])
      .addUniqueConstraint('artefacts_name_uq', ['org_id', 'type', 'name'])
      .addForeignKeyConstraint('artefacts_org_fk', ['org_id'], 'orgs', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('artefact_versions')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('artefact_id', t.id, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('version', t.text, (c) => c.notNull())
      .addColumn('ref', t.text, (c) => c.notNull())
      .addColumn('commit', t.text, (c) => c.notNull())
      .addColumn('digest', t.text, (c) => c.notNull())
      .addColumn('archived', t.boolean, (c) => c.notNull())
      .addColumn('workload', t.json)
      .addColumn('deployment_set', t.json)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('artefact_versions_pk', ['org_id', 'id'])
      .addForeignKeyConstraint('artefact_versions_artefact_fk', ['org_id', 'artefact_id'], 'artefacts', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('artefact_versions_artefact_ix').on('artefact_versions').columns(['org_id', 'artefact_id', 'created_at']).execute();
    await db.schema
      .createTable('image_builds')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('image_id', t.text, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('branch', t.text, (c) => c.notNull())
      .addColumn('commit', t.text, (c) => c.notNull())
      .addColumn('image', t.text, (c) => c.notNull())
      .addColumn('tags', t.json, (c) => c.notNull())
      .addColumn('artefact_version_id', t.id, (c) => c.notNull())
      .addColumn('added_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('image_builds_pk', ['org_id', 'image_id', 'id'])
      .addForeignKeyConstraint('image_builds_org_fk', ['org_id'], 'orgs', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('automation_rules')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('rule', t.json, (c) => c.notNull())
      .addColumn('active', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('automation_rules_pk', ['org_id', 'app_id', 'env_id', 'id'])
      .addForeignKeyConstraint('automation_rules_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('automation_rules_org_ix').on('automation_rules').columns(['org_id', 'active']).execute();
    await db.schema
      .createTable('webhooks')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('url', t.text, (c) => c.notNull())
      .addColumn('headers', t.json, (c) => c.notNull())
      .addColumn('payload', t.json, (c) => c.notNull())
      .addColumn('triggers', t.json, (c) => c.notNull())
      .addColumn('disabled', t.boolean, (c) => c.notNull())
      .addColumn('secret_sealed', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('webhooks_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('webhooks_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('webhook_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('event', t.text, (c) => c.notNull())
      .addColumn('body', t.text, (c) => c.notNull())
      .addColumn('state', t.text, (c) => c.notNull())
      .addColumn('attempts', t.integer, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_deliveries_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('webhook_deliveries_webhook_fk', ['org_id', 'app_id', 'webhook_id'], 'webhooks', ['org_id', 'app_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('webhook_attempts')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('delivery_id', t.id, (c) => c.notNull())
      .addColumn('n', t.integer, (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('status_code', t.integer)
      .addColumn('error', t.text)
      .addColumn('duration_ms', t.integer, (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['org_id', 'app_id', 'delivery_id', 'n'])
      .addForeignKeyConstraint('webhook_attempts_delivery_fk', ['org_id', 'app_id', 'delivery_id'], 'webhook_deliveries', ['org_id', 'app_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
  },
};
