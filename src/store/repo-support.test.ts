import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { createCoreRepos, nowIso } from './index.js';
import { precompiled } from './repo-support.js';
import { forEachDialect } from './testing.js';

forEachDialect('precompiled queries', (getStore) => {
  const addOrg = (id: string, name: string) => createCoreRepos(getStore()).orgs.insert({ id, name, created_at: nowIso(), created_by: 'test' });

  it('binds fresh argument values on every run, in any position, next to constants of the built query', async () => {
    const { db } = getStore();
    await addOrg('pc-a', 'Alpha');
    await addOrg('pc-b', 'Beta');
    const byIdAndName = precompiled(db, 2, (name: string, id: string) =>
      db.selectFrom('orgs').select(['id', 'name']).where('id', '=', id).where('name', '=', name).where('created_by', '=', 'test'),
    );
    assert.deepEqual(await byIdAndName(['Alpha', 'pc-a']), [{ id: 'pc-a', name: 'Alpha' }]);
    assert.deepEqual(await byIdAndName(['Beta', 'pc-b']), [{ id: 'pc-b', name: 'Beta' }]);
    assert.deepEqual(await byIdAndName(['Alpha', 'pc-b']), []);
    // A value that looks like SQL is a value.
    assert.deepEqual(await byIdAndName(["x' or '1'='1", 'pc-a']), []);
  });

  it('runs inside the caller\'s transaction (sees its uncommitted rows) and outside it on the pool', async () => {
    const store = getStore();
    const byId = precompiled(store.db, 1, (id: string) => store.db.selectFrom('orgs').select('name').where('id', '=', id));
    await assert.rejects(
      store.transaction(async (trx) => {
        await trx.insertInto('orgs').values({ id: 'pc-trx', name: 'In trx', created_at: nowIso(), created_by: 'test' }).execute();
        assert.deepEqual(await byId(['pc-trx'], trx), [{ name: 'In trx' }]);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await byId(['pc-trx']), []);
  });

  it('refuses a build that inlines an argument into the SQL text or never binds it', () => {
    const { db } = getStore();
    assert.throws(
      () => precompiled(db, 1, (id: string) => db.selectFrom('orgs').selectAll().where('id', '=', sql.lit(id))),
      /argument 0 must be bound as a parameter/,
    );
    assert.throws(
      // (The types refuse this too: the build takes one argument where two are declared.)
      () => precompiled<unknown, [string, string]>(db, 2, (id: string) => db.selectFrom('orgs').selectAll().where('id', '=', id)),
      /argument 1 must be bound as a parameter/,
    );
  });
});
