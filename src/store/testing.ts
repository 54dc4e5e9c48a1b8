/**
 * Test helpers for anything that needs a real store. Not used by the product at run time.
 *
 *   forEachDialect('apps repo', (getStore) => {
 *     it('inserts', async () => { const store = getStore(); ... });
 *   });
 *
 * runs the same tests once on a fresh SQLite file and once on a fresh PostgreSQL schema, each created
 * before the suite and removed after it, so parallel test files never see each other's rows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import type { Page, PageRequest } from '../shared/pagination.js';
import type { DialectName } from './ddl.js';
import { createStore } from './store.js';
import type { Store } from './store.js';

/** Where the test PostgreSQL lives (overridable for other machines). */
export const TEST_POSTGRES_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgTestSchema {
  /** Connection string whose sessions use only this schema (`?options=-c search_path=…`). */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** Creates an empty schema `t_<random>` and a connection string confined to it. */
export async function createPgTestSchema(baseUrl: string = TEST_POSTGRES_URL): Promise<PgTestSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
        // The terraform driver's pg backend keeps state in `<schema>_terraform` (src/drivers/terraform.ts).
        await client.query(`drop schema if exists "${schema}_terraform" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestDatabase {
  dialect: DialectName;
  /** Value for `BATON_DATABASE_URL` (undefined for SQLite). */
  databaseUrl: string | undefined;
  /** Data folder (holds the SQLite file; also usable as Baton's data dir). */
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A fresh, empty database of the given dialect (not yet migrated). */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      databaseUrl: undefined,
      dataDir,
      cleanup: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const schema = await createPgTestSchema();
  return {
    dialect,
    databaseUrl: schema.url,
    dataDir,
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    },
  };
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/** Runs `defineTests` inside `describe('<suiteName> [<dialect>]')` for each dialect, with a migrated store. */
export function forEachDialect(suiteName: string, defineTests: (getStore: () => Store, dialect: DialectName) => void): void {
  for (const dialect of DIALECTS) {
    void describe(`${suiteName} [${dialect}]`, () => {
      let store: Store | undefined;
      let database: TestDatabase | undefined;
      before(async () => {
        database = await createTestDatabase(dialect);
        try {
          store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
        } catch (error) {
          // Known, not yet understood: with many test files migrating fresh PostgreSQL schemas of one database at
          // once, a migration very rarely fails on a catalog lookup ("schema … does not exist", "column … does not
          // exist"). One retry on a brand-new schema keeps CI honest about the suites themselves; see the
          // closing note of session 1. SQLite never retries.
          if (dialect !== 'postgres') throw error;
          await database.cleanup();
          database = await createTestDatabase(dialect);
          store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
        }
      });
      after(async () => {
        await store?.close();
        await database?.cleanup();
      });
      defineTests(() => {
        if (store === undefined) throw new Error('store used outside a test (before the suite started)');
        return store;
      }, dialect);
    });
  }
}

/**
 * Follows a store listing's next-page tokens from `token` to the end, for paging tests: fails on a page over `limit`,
 * a next token after a short page, or a cursor that does not advance.
 */
export async function walkPages<T>(limit: number, fetchPage: (page: PageRequest) => Promise<Page<T>>, token?: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  do {
    const page = await fetchPage({ limit, token });
    assert.ok(page.items.length <= limit, `a page of ${page.items.length} rows for per_page ${limit}`);
    if (page.nextToken !== undefined) assert.equal(page.items.length, limit, 'a next page announced after a short page');
    items.push(...page.items);
    token = page.nextToken;
    pages++;
    assert.ok(pages < 100, 'the cursor does not advance');
  } while (token !== undefined);
  return { items, pages };
}
