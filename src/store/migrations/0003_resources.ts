import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Resource types, classes, definitions (+ criteria and versions), custom drivers, dependency graphs and
 * active resources, all owned by an org.
 *
 * - `resource_criteria` is a table (not a JSON column of the definition) so that "no two criteria of one resource
 *   type may be equal" is a unique index: two concurrent writers cannot both slip a duplicate in.
 * - Definition secrets are stored only sealed (`secrets_sealed`, SecretBox envelope); `secret_paths` keeps the
 *   non-secret shape (JSON pointers) so responses can list reference paths without opening anything.
 * - `active_resources` is the seam for the deployment engine: one row per provisioned resource (GUResID).
 */
export const resourcesMigration: BatonMigration = {
  name: '0003_resources',
  async up(db) {
    await db.schema
      .createTable('resource_types')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('category', t.text, (c) => c.notNull())
      .addColumn('use', t.text, (c) => c.notNull())
      .addColumn('inputs_schema', t.json, (c) => c.notNull())
      .addColumn('outputs_schema', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_types_pk', ['org_id', 'type'])
      .execute();

    await db.schema
      .createTable('resource_classes')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('resource_type', t.text, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_classes_pk', ['org_id', 'resource_type', 'id'])
      .execute();

    await db.schema
      .createTable('resource_definitions')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('driver_type', t.text, (c) => c.notNull())
      .addColumn('driver_account', t.text)
      .addColumn('driver_values', t.json, (c) => c.notNull())
      .addColumn('secret_paths', t.json, (c) => c.notNull())
      .addColumn('secrets_sealed', t.text)
      .addColumn('external_secret_refs', t.json)
      .addColumn('provision', t.json, (c) => c.notNull())
      .addColumn('in_place_driver_change', t.boolean, (c) => c.notNull())
      .addColumn('active_version_id', t.id, (c) => c.notNull())
      .addColumn('is_deleted', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_definitions_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('resource_definitions_type_idx').on('resource_definitions').columns(['org_id', 'type']).execute();

    await db.schema
      .createTable('resource_criteria')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('def_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('class', t.text, (c) => c.notNull())
      .addColumn('app_id', t.text)
      .addColumn('env_id', t.text)
      .addColumn('env_type', t.text)
      .addColumn('res_id', t.text)
      /** Canonical text of (class, app_id, env_id, env_type, res_id): equal criteria have equal keys. */
      .addColumn('match_key', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_criteria_pk', ['org_id', 'def_id', 'id'])
      .addForeignKeyConstraint('resource_criteria_def_fk', ['org_id', 'def_id'], 'resource_definitions', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('resource_criteria_unique_idx')
      .on('resource_criteria')
      .columns(['org_id', 'type', 'match_key'])
      .unique()
      .execute();

    await db.schema
      .createTable('resource_definition_versions')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('def_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      /** 1, 2, 3… per definition: orders versions written within the same millisecond. */
      .addColumn('seq', t.integer, (c) => c.notNull())
      .addColumn('action', t.text, (c) => c.notNull())
      /** The definition as of this version, secrets excluded (see `secrets_sealed`). */
      .addColumn('content', t.json, (c) => c.notNull())
      .addColumn('secrets_sealed', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_definition_versions_pk', ['org_id', 'def_id', 'id'])
      .addForeignKeyConstraint('resource_definition_versions_def_fk', ['org_id', 'def_id'], 'resource_definitions', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('resource_definition_versions_seq_idx')
      .on('resource_definition_versions')
      .columns(['org_id', 'def_id', 'seq'])
      .unique()
      .execute();

    await db.schema
      .createTable('resource_drivers')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('target', t.text, (c) => c.notNull())
      .addColumn('account_types', t.json, (c) => c.notNull())
      .addColumn('inputs_schema', t.json, (c) => c.notNull())
      .addColumn('template', t.json)
      .addColumn('is_public', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_drivers_pk', ['org_id', 'id'])
      .execute();

    await db.schema
      .createTable('resource_graphs')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('hash', t.text, (c) => c.notNull())
      .addColumn('nodes', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('used_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_graphs_pk', ['org_id', 'app_id', 'env_id', 'id'])
      .addForeignKeyConstraint('resource_graphs_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('resource_graphs_hash_idx')
      .on('resource_graphs')
      .columns(['org_id', 'app_id', 'env_id', 'hash'])
      .unique()
      .execute();

    await db.schema
      .createTable('active_resources')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('env_id', t.id, (c) => c.notNull())
      .addColumn('guresid', t.id, (c) => c.notNull())
      .addColumn('env_type', t.id, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('class', t.text, (c) => c.notNull())
      .addColumn('res_id', t.text, (c) => c.notNull())
      .addColumn('def_id', t.id, (c) => c.notNull())
      .addColumn('def_version_id', t.id, (c) => c.notNull())
      .addColumn('criteria_id', t.id, (c) => c.notNull())
      .addColumn('driver_type', t.text, (c) => c.notNull())
      .addColumn('driver_account', t.text)
      .addColumn('deploy_id', t.id, (c) => c.notNull())
      .addColumn('status', t.text, (c) => c.notNull())
      /** Output values (not secret). */
      .addColumn('resource', t.json, (c) => c.notNull())
      /** Secret outputs, sealed; never returned. */
      .addColumn('secrets_sealed', t.text)
      /** The driver's cookie, sealed (drivers keep generated passwords in it). */
      .addColumn('cookie_sealed', t.text)
      .addColumn('scheduled_deletion', t.boolean, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('active_resources_pk', ['org_id', 'app_id', 'env_id', 'guresid'])
      .addForeignKeyConstraint('active_resources_env_fk', ['org_id', 'app_id', 'env_id'], 'envs', ['org_id', 'app_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex('active_resources_def_idx').on('active_resources').columns(['org_id', 'def_id']).execute();
  },
};
