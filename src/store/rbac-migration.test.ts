/**
 * Migration 0010 on a database from before roles existed: every existing user becomes an administrator of every
 * existing org (nothing an installation could do is taken away by upgrading); afterwards roles are per org.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrations } from './migrations/index.js';
import { createStore } from './store.js';
import { createTestDatabase } from './testing.js';
import { createRbacRepo } from './rbac-repo.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  void describe(`migration 0010_rbac [${dialect}]`, () => {
    it('makes the users of an existing installation administrators of its orgs', async () => {
      const database = await createTestDatabase(dialect);
      try {
        const before = migrations.filter((m) => m.name < '0010');
        const old = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: before });
        const at = new Date().toISOString();
        await old.db.insertInto('orgs').values([{ id: 'a', name: 'A', created_at: at, created_by: 'x' }, { id: 'b', name: 'B', created_at: at, created_by: 'x' }]).execute();
        await old.db.insertInto('users').values({ id: 'u1', name: 'Admin', email: null, type: 'user', created_at: at }).execute();
        await old.close();

        const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
        try {
          const rbac = createRbacRepo(store.db);
          assert.equal(await rbac.orgRole('a', 'u1'), 'administrator');
          assert.equal(await rbac.orgRole('b', 'u1'), 'administrator');
          assert.deepEqual((await rbac.orgMembershipsOf('u1')).map((m) => m.org_id), ['a', 'b']);
          // Roles are removed with their user.
          await store.db.deleteFrom('users').where('id', '=', 'u1').execute();
          assert.equal(await rbac.orgRole('a', 'u1'), undefined);
        } finally {
          await store.close();
        }
      } finally {
        await database.cleanup();
      }
    });
  });
}
