import { ensurePrivateDir, ensurePrivateFile, restrictIfExists } from '../shared/private-fs.js';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Migration, MigrationProvider, Transaction } from 'kysely';
import pg from 'pg';
import { StoreUnavailable } from '../shared/errors.js';
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
  /** PostgreSQL: time to get a connection (a new one, or a free one of the pool) before `StoreUnavailable` (default 5000). */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL: server-side `statement_timeout` and `idle_in_transaction_session_timeout`; a query also fails on the
   * client after this plus the connect timeout, so a database that stops answering cannot hang a request (default 30000).
   */
  statementTimeoutMs?: number;
  /** PostgreSQL `application_name` of Baton's connections unless the URL sets one (default `baton`). */
  applicationName?: string;
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
  /** Readiness: resolves when the database answers and every migration is applied; throws `StoreUnavailable` otherwise. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

export async function createStore(config: StoreConfig): Promise<Store> {
  const dialect: DialectName = isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite';
  const db = dialect === 'postgres' ? openPostgres(config.databaseUrl!, config) : openSqlite(config);
  const migrationList = config.migrations ?? allMigrations;

  const store: Store = {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute(fn),
    migrate: () => runMigrations(db, dialect, migrationList),
    ready: () => checkReady(db, dialect, migrationList),
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
    ensurePrivateDir(dir);
    file = join(dir, 'baton.db');
  }
  // The database holds token hashes and sealed secrets: 0600, and so are its -wal/-shm companions (SQLite gives
  // them the main file's mode when it creates them; older ones are tightened here).
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) {
    ensurePrivateFile(file);
    for (const suffix of ['-wal', '-shm', '-journal']) restrictIfExists(file + suffix);
  }
  const database = new SqliteDatabase(file);
  // WAL lets readers proceed while one writer commits; the busy timeout makes a second process
  // (e.g. a CLI command opening the same file) wait instead of failing with SQLITE_BUSY.
  database.pragma('journal_mode = WAL');
  if (!inMemory) for (const suffix of ['-wal', '-shm']) restrictIfExists(file + suffix);
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqliteWithDomainErrors(database) }) });
}

const STATEMENT_CACHE_SIZE = 500;

/** SQLite's "database is busy/locked" (after the busy timeout) fails that one statement with `StoreUnavailable`. */
function sqliteWithDomainErrors(database: SqliteDatabase.Database): SqliteDatabaseLike {
  const guarded = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) {
        throw new StoreUnavailable(`the database is busy (${code}); try again`, { code }, { cause: error });
      }
      throw error;
    }
  };
  // Compiled statements by SQL text: Kysely asks for a fresh one per query, and compiling was the largest single
  // cost of a big deployment on SQLite (issue #22, deploy-scale profile). Bounded; the oldest entry goes first.
  const statements = new Map<string, SqliteDatabase.Statement>();
  const compiled = (text: string): SqliteDatabase.Statement => {
    let statement = statements.get(text);
    if (statement === undefined) {
      statement = guarded(() => database.prepare(text));
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statements.set(text, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare(text: string) {
      const statement = compiled(text);
      return {
        reader: statement.reader,
        all: (parameters: readonly unknown[]) => guarded(() => statement.all(parameters)),
        run: (parameters: readonly unknown[]) => guarded(() => statement.run(parameters)),
        // A cached statement is busy while an iterator is open on it: streams get their own.
        iterate: (parameters: readonly unknown[]) => guarded(() => database.prepare(text).iterate(parameters)),
      };
    },
  };
}
type SqliteDatabaseLike = ConstructorParameters<typeof SqliteDialect>[0]['database'] & object;

/** Node socket errors and PostgreSQL error codes meaning "the database is not reachable right now". */
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed|Connection closed/i;

/** Whether a `pg` error says the database (not the query) is at fault: unreachable, dropped us, or too slow. */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    // 08xxx connection exception, 57P01-57P03 admin/crash shutdown and cannot-connect-now, 57014 statement timeout,
    // 53300 too many connections, 25P03 idle-in-transaction timeout.
    if (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '57014' || code === '53300' || code === '25P03') return true;
  }
  return UNAVAILABLE_MESSAGES.test(error.message);
}

function unavailable(error: unknown): StoreUnavailable {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailable(`the database is unavailable: ${reason}`, {}, { cause: error });
}

function openPostgres(url: string, config: StoreConfig): Kysely<Database> {
  const connectTimeoutMs = config.connectTimeoutMs ?? 5_000;
  const statementTimeoutMs = config.statementTimeoutMs ?? 30_000;
  // The connection string may carry `?options=-c search_path=…` (used by tests to isolate a schema) and an
  // `application_name`, which wins over ours.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    application_name: config.applicationName ?? 'baton',
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + connectTimeoutMs,
    keepAlive: true,
  });
  // A dropped idle connection (pg_terminate_backend, a restart, a failover) is reported here; the pool has already
  // discarded it. Without a listener Node would end the process.
  pool.on('error', () => undefined);
  // A checked-out client whose connection drops between queries emits `error` too; its next query fails instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: poolWithDomainErrors(pool) }) });
}

type PostgresPoolLike = Extract<ConstructorParameters<typeof PostgresDialect>[0]['pool'], { connect: unknown }>;
type PostgresPoolClientLike = Awaited<ReturnType<PostgresPoolLike['connect']>>;

/**
 * The pool as Kysely sees it: failures that mean "the database is unavailable" become `StoreUnavailable`, and a
 * client that saw one is destroyed on release instead of going back to the pool, so the next request gets a fresh
 * connection (Baton recovers by itself once the database is back).
 */
function poolWithDomainErrors(pool: pg.Pool): PostgresPoolLike {
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw isPostgresUnavailable(error) ? unavailable(error) : error;
      }
      let broken: Error | undefined;
      const wrapped = {
        async query(...args: unknown[]) {
          try {
            return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch (error) {
            if (!isPostgresUnavailable(error)) throw error;
            broken = error as Error;
            throw unavailable(error);
          }
        },
        release() {
          client.release(broken);
        },
      };
      return wrapped as unknown as PostgresPoolClientLike;
    },
    end: () => pool.end(),
  };
}

async function checkReady(db: Kysely<Database>, dialect: DialectName, list: readonly BatonMigration[]): Promise<void> {
  let applied: Set<string>;
  try {
    const migrator = await createMigrator(db, dialect, list);
    applied = new Set((await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name));
  } catch (error) {
    if (error instanceof StoreUnavailable) throw error;
    throw new StoreUnavailable(`the database is not ready: ${error instanceof Error ? error.message : String(error)}`, {}, { cause: error });
  }
  const pending = list.filter((m) => !applied.has(m.name)).map((m) => m.name);
  if (pending.length > 0) throw new StoreUnavailable(`database migrations pending: ${pending.join(', ')}`, { pending });
}

async function createMigrator(db: Kysely<Database>, dialect: DialectName, list: readonly BatonMigration[]): Promise<Migrator> {
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
  return new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

/**
 * SQLSTATEs of a catalog lookup that PostgreSQL very rarely fails while many sessions create schemas and tables at
 * once (seen only in the test suite, dozens of schemas migrating in parallel: "schema … does not exist" for a
 * committed schema, "column … does not exist" for a table created a statement earlier). The failed migration's
 * transaction rolled back, so running the migrations again is safe.
 */
const TRANSIENT_CATALOG_ERRORS = new Set(['3F000', '42703', '42P01']);

function isTransientCatalogError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CATALOG_ERRORS.has(code)) return true;
  }
  return false;
}

async function runMigrations(db: Kysely<Database>, dialect: DialectName, list: readonly BatonMigration[]): Promise<string[]> {
  const migrator = await createMigrator(db, dialect, list);
  let { error, results } = await migrator.migrateToLatest();
  for (let retry = 1; error !== undefined && dialect === 'postgres' && retry <= 2 && isTransientCatalogError(error); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 100 * retry));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
