import { coreMigration } from './0001_core.js';
import { setsMigration } from './0002_sets.js';
import type { BatonMigration } from './types.js';

export type { BatonMigration } from './types.js';

/**
 * Every migration, in the order they apply. Extension point: add `NNNN_<concern>.ts` exporting a
 * `BatonMigration` and append it here (one line). Never edit or reorder a migration that has shipped.
 */
export const migrations: readonly BatonMigration[] = [coreMigration, setsMigration];
