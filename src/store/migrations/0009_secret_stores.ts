import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Secret stores (`/orgs/{orgId}/secretstores`) and the entries of Baton's own sealed store.
 *
 * - `secret_stores` holds the org's external stores (HashiCorp Vault / OpenBao KV v2 for now). `config` is the
 *   non-secret part (`url`, `path`, `agent_id`); the credentials (`auth`, e.g. the Vault token) are only in
 *   `auth_sealed`, a SecretBox envelope bound to the org and store. Baton's own store (`baton`) has no row.
 * - `secret_store_entries` are the values of Baton's own store: every write appends a version, each value sealed
 *   (SecretBox, AAD = org/store/ref/version), never in clear.
 */
export const secretStoresMigration: BatonMigration = {
  name: '0009_secret_stores',
  async up(db) {
    await db.schema
      .createTable('secret_stores')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('kind', t.text, (c) => c.notNull())
      .addColumn('is_primary', t.boolean, (c) => c.notNull())
      .addColumn('config', t.json, (c) => c.notNull())
      .addColumn('auth_sealed', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('secret_stores_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createTable('secret_store_entries')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('store_id', t.id, (c) => c.notNull())
      .addColumn('ref', t.text, (c) => c.notNull())
      .addColumn('version', t.integer, (c) => c.notNull())
      .addColumn('sealed', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('secret_store_entries_pk', ['org_id', 'store_id', 'ref', 'version'])
      .execute();
  },
};
