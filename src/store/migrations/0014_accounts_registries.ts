import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Resource accounts (`/orgs/{orgId}/resources/accounts`), container registries (`/orgs/{orgId}/registries`) and the
 * org's public keys (`/orgs/{orgId}/keys`).
 *
 * - `resource_accounts`: a definition's `driver_account` names one. The credentials are only in `credentials_sealed`,
 *   a SecretBox envelope bound to the org and the account; nothing else of them is stored.
 * - `registries`: `secrets` is the non-secret map of Kubernetes pull secrets per cluster (JSON text); the registry
 *   credentials (`creds`: username, password, expiry) only in `creds_sealed`, bound to the org and the registry.
 * - `public_keys`: RSA public keys (PEM) with the SHA-256 fingerprint of their DER form, unique per org.
 */
export const accountsRegistriesMigration: BatonMigration = {
  name: '0014_accounts_registries',
  async up(db) {
    await db.schema
      .createTable('resource_accounts')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('credentials_sealed', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_accounts_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createTable('registries')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('registry', t.text, (c) => c.notNull())
      .addColumn('type', t.text, (c) => c.notNull())
      .addColumn('enable_ci', t.boolean, (c) => c.notNull())
      .addColumn('secrets', t.json)
      .addColumn('creds_sealed', t.text)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('registries_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('registries_registry_uq').on('registries').columns(['org_id', 'registry']).unique().execute();
    await db.schema
      .createTable('public_keys')
      .addColumn('org_id', t.id, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', t.id, (c) => c.notNull())
      .addColumn('key', t.text, (c) => c.notNull())
      .addColumn('fingerprint', t.text, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', t.text, (c) => c.notNull())
      .addColumn('expired_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('public_keys_pk', ['org_id', 'id'])
      .execute();
    await db.schema.createIndex('public_keys_fingerprint_uq').on('public_keys').columns(['org_id', 'fingerprint']).unique().execute();
  },
};
