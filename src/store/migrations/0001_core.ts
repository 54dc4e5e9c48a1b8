import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/** Orgs, users, API tokens, env types, apps and envs: the objects every other concern hangs off. */
export const coreMigration: BatonMigration = {
  name: '0001_core',
  async up(db) {
    await db.schema
      .createTable('orgs')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('email', t.text)
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tokens')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', t.text, (c) => c.notNull().unique())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .execute();

    await db.schema
      .createTable('env_types')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('env_types_pk', ['org_id', 'id'])
      .execute();

    await db.schema
      .createTable('apps')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('apps_pk', ['org_id', 'id'])
      .execute();

    await db.schema
      .createTable('envs')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('type', t.id, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('envs_pk', ['org_id', 'app_id', 'id'])
      .addForeignKeyConstraint('envs_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      // No cascade: an env type in use must not vanish under its environments.
      .addForeignKeyConstraint('envs_type_fk', ['org_id', 'type'], 'env_types', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('envs_type_idx').on('envs').columns(['org_id', 'type']).execute();
  },
};
