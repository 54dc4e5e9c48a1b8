/** Shared pieces of the engine's integration tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../src/store/index.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { TEST_POSTGRES_URL } from '../../src/store/testing.js';

/** Every row of every table of the store as text (PostgreSQL), or the raw database files (SQLite). */
export async function databaseText(store: Store, database: TestDatabase): Promise<string> {
  if (store.dialect === 'sqlite') {
    return readdirSync(database.dataDir)
      .filter((f) => f.startsWith('baton.db'))
      .map((f) => readFileSync(join(database.dataDir, f)).toString('latin1'))
      .join('\n');
  }
  const schema = new URL(database.databaseUrl!).searchParams.get('options')!.replace('-c search_path=', '');
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>('select tablename from pg_tables where schemaname = $1', [schema]);
    const parts: string[] = [];
    for (const { tablename } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select row_to_json(t)::text as row from "${schema}"."${tablename}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** Whether the test PostgreSQL server's catalog has a row for `name` (a database or a role). */
async function postgresCatalogHas(query: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(query, [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

export function postgresDatabaseExists(name: string): Promise<boolean> {
  return postgresCatalogHas('select 1 from pg_database where datname = $1', name);
}

export function postgresRoleExists(name: string): Promise<boolean> {
  return postgresCatalogHas('select 1 from pg_roles where rolname = $1', name);
}
