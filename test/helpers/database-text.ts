/**
 * Every row of every table of a Baton's store as text (SQLite and PostgreSQL), plus the SQLite files themselves, for
 * tests that prove a secret is nowhere in the database in clear.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.js';

export async function databaseText(store: Store, sqliteDataDir: string | undefined): Promise<string[]> {
  const db = store.db;
  const tables =
    sqliteDataDir !== undefined
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map((r) => r.name);
  const out: string[] = [];
  for (const table of tables) out.push(JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(db)).rows));
  if (sqliteDataDir !== undefined) {
    out.push(...readdirSync(sqliteDataDir).filter((n) => n.startsWith('baton.db')).map((n) => readFileSync(join(sqliteDataDir, n)).toString('latin1')));
  }
  return out;
}
