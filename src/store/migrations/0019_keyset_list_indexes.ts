import { sql } from 'kysely';
import type { BatonMigration } from './types.js';

/**
 * Indexes for the lists that moved from in-memory paging to store keyset paging (issue #22, data volume): each page is
 * one range scan in the listing's order, `limit + 1` rows read, however long the list.
 *
 * - `active_resources_env_key_idx`: an environment's active resources by `type/class/res_id`
 *   (`GET …/envs/{env}/resources?per_page=…`). The key is the concatenated string the API has always paged on, so the
 *   index is on that expression (written exactly as src/store/resource-active-repo.ts queries it).
 * - `active_resources_def_key_idx`: a definition's active resources by `app/env/type/class/res_id`
 *   (`GET /orgs/{o}/resources/defs/{def}/resources?per_page=…`).
 * - `value_set_versions_id_idx`: a scope's value set versions by id (`GET …/value-set-versions?per_page=…`);
 *   `value_set_versions_scope_idx` orders by `seq`, the whole list's order.
 *
 * Members (`…/users`) page on their primary keys `(org_id[, app_id | env_type], user_id)` and resource definitions on
 * `(org_id, id)`: no index needed.
 */
export const keysetListIndexesMigration: BatonMigration = {
  name: '0019_keyset_list_indexes',
  async up(db) {
    await sql`create index active_resources_env_key_idx on active_resources (org_id, app_id, env_id, ("type" || '/' || "class" || '/' || "res_id"))`.execute(db);
    await sql`create index active_resources_def_key_idx on active_resources (org_id, def_id, ("app_id" || '/' || "env_id" || '/' || "type" || '/' || "class" || '/' || "res_id"))`.execute(db);
    await db.schema.createIndex('value_set_versions_id_idx').on('value_set_versions').columns(['org_id', 'app_id', 'env_id', 'id']).execute();
  },
};
