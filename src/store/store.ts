import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Migration, MigrationProvider, Transaction } from 'kysely';
import pg from 'pg';
import type { DialectName } from './ddl.js';
import { migrations as allMigrations } from './migrations/index.js';
import type { BatonMigration } from './migrations/index.js';
import type { Database } from './schema.js';

export interface StoreConfig {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite is used. */
  databaseUrl?: string | undefined;
  /** Folder of the SQLite file (`baton.db`), created if missing. Ignored for PostgreSQL. */
  dataDir?: string;
  /** Exact SQLite file path; overrides `dataDir`. */
  sqliteFile?: string;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
  /** Migration list; defaults to all of `migrations/index.ts`. Tests may pass a prefix. */
  migrations?: readonly BatonMigration[];
}

/** An executor that repositories accept: the store's Kysely instance or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Trx = Transaction<Database>;

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied now. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

export async function createStore(config: StoreConfig): Promise<Store> {
  const dialect: DialectName = isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite';
  const db = dialect === 'postgres' ? openPostgres(config.databaseUrl!) : openSqlite(config);
  const migrationList = config.migrations ?? allMigrations;

  const store: Store = {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute(fn),
    migrate: () => runMigrations(db, dialect, migrationList),
    close: () => db.destroy(),
  };
  if (config.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return store;
}

function openSqlite(config: StoreConfig): Kysely<Database> {
  let file = config.sqliteFile;
  if (file === undefined) {
    const dir = config.dataDir ?? './.baton';
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'baton.db');
  }
  const database = new SqliteDatabase(file);
  // WAL lets readers proceed while one writer commits; the busy timeout makes a second process
  // (e.g. a CLI command opening the same file) wait instead of failing with SQLITE_BUSY.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(url: string): Kysely<Database> {
  // The connection string may carry `?options=-c search_path=…` (used by tests to isolate a schema).
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function runMigrations(
  db: Kysely<Database>,
  dialect: DialectName,
  list: readonly BatonMigration[],
): Promise<string[]> {
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          list.map((m): [string, Migration] => [
            m.name,
            {
              up: (migrationDb) => m.up(migrationDb, dialect),
              ...(m.down ? { down: (migrationDb) => m.down!(migrationDb, dialect) } : {}),
            },
          ]),
        ),
      ),
  };
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several Batons (or
  // test suites) in one database under different search paths, it would find another schema's tables.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
