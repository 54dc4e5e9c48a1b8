import type { DialectName, MigrationDb } from '../ddl.js';

/**
 * One versioned schema change. `name` must sort after every earlier migration (use the `NNNN_concern` prefix):
 * Kysely's Migrator applies them in name order and refuses to run if an applied one is missing.
 * Migrations receive the dialect so the rare dialect-specific DDL can branch.
 */
export interface BatonMigration {
  name: string;
  up(db: MigrationDb, dialect: DialectName): Promise<void>;
  down?(db: MigrationDb, dialect: DialectName): Promise<void>;
}
