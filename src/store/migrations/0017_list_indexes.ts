import type { BatonMigration } from './types.js';

/**
 * Indexes for paged listings (issue #22, data volume): each page of a keyset listing is one range scan of an index
 * in the listing's order, whatever the number of rows.
 *
 * - `envs_order_idx`: an app's environments in creation order (`GET …/apps/{app}/envs?per_page=…`, keyset on
 *   `(created_at, id)`). Apps page on their primary key `(org_id, id)`; deployments on `deployments_env_idx`.
 */
export const listIndexesMigration: BatonMigration = {
  name: '0017_list_indexes',
  async up(db) {
    await db.schema.createIndex('envs_order_idx').on('envs').columns(['org_id', 'app_id', 'created_at', 'id']).execute();
  },
};
