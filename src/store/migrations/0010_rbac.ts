import { sql } from 'kysely';
import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Role-based access control (docs/rbac.md).
 *
 * - `org_members`: a user's one org role (`administrator`, `manager`, `member`, `artefactContributor`, `orgViewer`).
 * - `app_members`: a user's one app role (`viewer`, `developer`, `owner`); removed with the app.
 * - `env_type_members`: env-type roles (only `deployer`); removed with the env type.
 * - `invitations`: pending invitations; `token_hash` is the SHA-256 of the one-time token (never the token),
 *   `user_id` is the id the user gets on acceptance, `accepted_at` is set once.
 * - `user_credentials`: a human user's password hash (scrypt, salt and parameters inside the string).
 * - `user_properties`: the free-form `properties` of `/current-user`.
 *
 * Before this migration every authenticated user could do everything, so every existing user becomes an
 * `administrator` of every existing org: nothing an installation could do before is taken away by upgrading.
 */
export const rbacMigration: BatonMigration = {
  name: '0010_rbac',
  async up(db) {
    await db.schema
      .createTable('org_members')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('org_members_pk', ['org_id', 'user_id'])
      .execute();
    await db.schema.createIndex('org_members_user_idx').on('org_members').column('user_id').execute();

    await db.schema
      .createTable('app_members')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('app_id', t.id, (c) => c.notNull())
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('app_members_pk', ['org_id', 'app_id', 'user_id'])
      .addForeignKeyConstraint('app_members_app_fk', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('app_members_user_idx').on('app_members').columns(['user_id', 'org_id']).execute();

    await db.schema
      .createTable('env_type_members')
      .addColumn('org_id', t.id, (c) => c.notNull())
      .addColumn('env_type', t.id, (c) => c.notNull())
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('env_type_members_pk', ['org_id', 'env_type', 'user_id'])
      .addForeignKeyConstraint('env_type_members_type_fk', ['org_id', 'env_type'], 'env_types', ['org_id', 'id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex('env_type_members_user_idx').on('env_type_members').columns(['user_id', 'org_id']).execute();

    await db.schema
      .createTable('invitations')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('email', t.text, (c) => c.notNull())
      .addColumn('role', t.text, (c) => c.notNull())
      .addColumn('user_id', t.id, (c) => c.notNull())
      .addColumn('token_hash', t.text, (c) => c.notNull().unique())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('accepted_at', t.timestamp)
      .execute();
    await db.schema.createIndex('invitations_org_idx').on('invitations').column('org_id').execute();

    await db.schema
      .createTable('user_credentials')
      .addColumn('user_id', t.id, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('password_hash', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('user_properties')
      .addColumn('user_id', t.id, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('properties', t.json, (c) => c.notNull())
      .execute();

    await db.schema.createIndex('users_email_idx').on('users').column('email').execute();

    const now = new Date().toISOString();
    await sql`insert into org_members (org_id, user_id, role, created_at)
              select o.id, u.id, 'administrator', ${now} from orgs o, users u`.execute(db);
  },
};
