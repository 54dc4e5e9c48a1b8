import { columnType as t } from '../ddl.js';
import type { BatonMigration } from './types.js';

/**
 * Resource definition versions you can archive and promote, and active resources pinned to one (docs/internals/resources.md,
 * "Definition versions").
 *
 * - `resource_definition_versions.archived`: 0/1; an archived version cannot be promoted nor pinned. Existing
 *   versions are not archived.
 * - `active_resources.target_def_version_id`: the definition version the resource is pinned to (Humanitec's
 *   `target_def_version_id`): later deployments provision it with that version instead of the definition's active
 *   one. NULL (every existing row) means not pinned. The engine's upsert never writes it, so a pin outlives
 *   redeployments until it is removed (`target_def_version_id: null`).
 */
export const defVersionsMigration: BatonMigration = {
  name: '0015_def_versions',
  async up(db) {
    await db.schema.alterTable('resource_definition_versions').addColumn('archived', t.boolean, (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('active_resources').addColumn('target_def_version_id', t.id).execute();
  },
};
