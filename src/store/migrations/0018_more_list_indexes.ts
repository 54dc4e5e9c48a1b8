import type { BatonMigration } from './types.js';

/**
 * Indexes for more paged listings (issue #22, data volume).
 *
 * - `artefact_versions_order_idx`: an org's artefact versions newest first (`GET /orgs/{org}/artefact-versions?per_page=…`,
 *   keyset on `(created_at, id)`), one range scan per page however many versions CI has pushed. An artefact's own
 *   versions page on `artefact_versions_artefact_ix` `(org_id, artefact_id, created_at)`.
 */
export const moreListIndexesMigration: BatonMigration = {
  name: '0018_more_list_indexes',
  async up(db) {
    await db.schema.createIndex('artefact_versions_order_idx').on('artefact_versions').columns(['org_id', 'created_at', 'id']).execute();
  },
};
