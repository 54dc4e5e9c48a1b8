import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Environment and application lifecycle (docs/internals/engine.md, "Lifecycle").
 *
 * - `envs.status`, `apps.status`: `active`, or `deleting` while a deletion has not removed everything (a driver
 *   failed to deprovision a resource). An env in `deleting` refuses deployments; DELETE again or
 *   `POST .../baton/retry` retries. `status_changed_at` is NULL until the status first changes (the API then shows
 *   `created_at`). Existing rows become `active`.
 * - `active_resources.inputs_sealed`: the resolved driver inputs a resource was provisioned with (`params`,
 *   `driver.values`, `driver.secrets`), sealed with the SecretBox (AAD `…/resources/<guresid>/inputs`), so
 *   deprovisioning uses exactly them. NULL for rows provisioned before this migration (deprovision then falls back
 *   to the definition's current inputs).
 * - `active_resources.last_error`: the last deprovisioning failure (secrets masked), with status `deprovision_failed`.
 */
export const lifecycleMigration: BatonMigration = {
  name: '0008_lifecycle',
  async up(db) {
    await db.schema.alterTable('envs').addColumn('status', t.text, (c) => c.notNull().defaultTo('active')).execute();
    await db.schema.alterTable('envs').addColumn('status_changed_at', t.timestamp).execute();
    await db.schema.alterTable('apps').addColumn('status', t.text, (c) => c.notNull().defaultTo('active')).execute();
    await db.schema.alterTable('apps').addColumn('status_changed_at', t.timestamp).execute();
    await db.schema.alterTable('active_resources').addColumn('inputs_sealed', t.text).execute();
    await db.schema.alterTable('active_resources').addColumn('last_error', t.text).execute();
  },
};
