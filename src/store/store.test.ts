import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { it } from 'node:test';
import { Conflict, StoreUnavailable } from '../shared/errors.js';
import { nowIso } from './ddl.js';
import { createCoreRepos, createStore } from './index.js';
import { migrations } from './migrations/index.js';
import { createTestDatabase, forEachDialect } from './testing.js';

const at = nowIso();

forEachDialect('core repositories', (getStore) => {
  it('stores an org, env type, app and env and reads them back', async () => {
    const repos = createCoreRepos(getStore());
    await repos.orgs.insert({ id: 'acme', name: 'Acme', created_at: at, created_by: 'u1' });
    await repos.envTypes.insert({ org_id: 'acme', id: 'development', description: 'dev', created_at: at, created_by: 'u1' });
    await repos.apps.insert({ org_id: 'acme', id: 'shop', name: 'Shop', created_at: at, created_by: 'u1' });
    await repos.envs.insert({ org_id: 'acme', app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: at, created_by: 'u1' });

    assert.deepEqual(await repos.orgs.get('acme'), { id: 'acme', name: 'Acme', created_at: at, created_by: 'u1' });
    assert.equal((await repos.apps.list('acme')).items.length, 1);
    assert.deepEqual(
      (await repos.envs.list('acme', 'shop')).map((e) => [e.id, e.type]),
      [['dev', 'development']],
    );
    assert.equal(await repos.envTypes.countEnvsUsing('acme', 'development'), 1);
  });

  it('turns a duplicate id into Conflict', async () => {
    const repos = createCoreRepos(getStore());
    await repos.orgs.insert({ id: 'dup-org', name: 'x', created_at: at, created_by: 'u' });
    await assert.rejects(repos.orgs.insert({ id: 'dup-org', name: 'y', created_at: at, created_by: 'u' }), Conflict);
  });

  it('deleting an app deletes its environments', async () => {
    const repos = createCoreRepos(getStore());
    await repos.orgs.insert({ id: 'cascade', name: 'c', created_at: at, created_by: 'u' });
    await repos.envTypes.insert({ org_id: 'cascade', id: 'development', description: '', created_at: at, created_by: 'u' });
    await repos.apps.insert({ org_id: 'cascade', id: 'a1', name: 'A', created_at: at, created_by: 'u' });
    await repos.envs.insert({ org_id: 'cascade', app_id: 'a1', id: 'e1', name: 'E', type: 'development', created_at: at, created_by: 'u' });
    assert.equal(await repos.apps.delete('cascade', 'a1'), true);
    assert.deepEqual(await repos.envs.list('cascade', 'a1'), []);
    assert.equal(await repos.envTypes.countEnvsUsing('cascade', 'development'), 0);
  });

  it('refuses an environment whose type does not exist (foreign key)', async () => {
    const repos = createCoreRepos(getStore());
    await repos.orgs.insert({ id: 'fk', name: 'f', created_at: at, created_by: 'u' });
    await repos.apps.insert({ org_id: 'fk', id: 'a1', name: 'A', created_at: at, created_by: 'u' });
    await assert.rejects(
      repos.envs.insert({ org_id: 'fk', app_id: 'a1', id: 'e1', name: 'E', type: 'nope', created_at: at, created_by: 'u' }),
    );
  });

  it('rolls a transaction back when its function throws', async () => {
    const store = getStore();
    const repos = createCoreRepos(store);
    await assert.rejects(
      store.transaction(async (trx) => {
        await repos.orgs.insert({ id: 'rolled-back', name: 'r', created_at: at, created_by: 'u' }, trx);
        assert.ok(await repos.orgs.get('rolled-back', trx));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await repos.orgs.get('rolled-back'), undefined);
  });

  it('finds a token by its hash and cascades it with its user', async () => {
    const repos = createCoreRepos(getStore());
    await repos.users.insert({ id: 'u-tok', name: 'T', email: null, type: 'user', created_at: at });
    await repos.tokens.insert({ id: 't1', user_id: 'u-tok', token_hash: 'abc123', description: 'd', created_at: at, created_by: 'u-tok', expires_at: null });
    assert.equal((await repos.tokens.findByHash('abc123'))?.user_id, 'u-tok');
    assert.equal(await repos.tokens.findByHash('other'), undefined);
    await assert.rejects(
      repos.tokens.insert({ id: 't2', user_id: 'u-tok', token_hash: 'abc123', description: 'd', created_at: at, created_by: 'u-tok', expires_at: null }),
      Conflict,
    );
    // Token ids are unique per user, not globally (Humanitec's rule).
    await assert.rejects(
      repos.tokens.insert({ id: 't1', user_id: 'u-tok', token_hash: 'def456', description: 'd', created_at: at, created_by: 'u-tok', expires_at: null }),
      Conflict,
    );
    await repos.users.insert({ id: 'u-tok2', name: 'T2', email: null, type: 'user', created_at: at });
    await repos.tokens.insert({ id: 't1', user_id: 'u-tok2', token_hash: 'def456', description: 'd', created_at: at, created_by: 'u-tok2', expires_at: null });
    assert.equal((await repos.tokens.get('u-tok2', 't1'))?.token_hash, 'def456');
  });
});

forEachDialect('migrations', (getStore) => {
  it('are applied once: migrating again applies nothing', async () => {
    assert.deepEqual(await getStore().migrate(), []);
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  it(`reopening a ${dialect} database keeps the data and applies only new migrations`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const first = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [] });
      assert.deepEqual(await first.migrate(), []);
      await first.close();
      const second = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: false });
      assert.deepEqual(await second.migrate(), migrations.map((m) => m.name));
      await createCoreRepos(second).orgs.insert({ id: 'kept', name: 'K', created_at: at, created_by: 'u' });
      await second.close();
      const third = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      assert.equal(third.dialect, dialect);
      assert.equal((await createCoreRepos(third).orgs.get('kept'))?.name, 'K');
      await third.close();
    } finally {
      await database.cleanup();
    }
  });
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  it(`readiness on ${dialect}: ready when every migration is applied, StoreUnavailable naming the pending ones otherwise`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: false });
      await assert.rejects(store.ready(), (error: unknown) => error instanceof StoreUnavailable && error.message.includes(migrations[0]!.name));
      await store.migrate();
      await store.ready();
      await store.close();
    } finally {
      await database.cleanup();
    }
  });
}

// A listener that accepts the connection and never says a word: only the connect timeout can end the wait (an
// unroutable address is no good, a sandbox may refuse it at once). The error naming the connection timeout shows
// that timer ended it. Without it the wait would never end: after 60 s (the limit is 300 ms) the test drops the
// connections, which ends the attempt with another error, and fails.
it('a PostgreSQL server that never answers is StoreUnavailable at the connect timeout, not a hang', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const giveUp = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, 60_000);
  try {
    await assert.rejects(createStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof StoreUnavailable, String(error));
      assert.match(error.message, /connection timeout/i);
      return true;
    });
  } finally {
    clearTimeout(giveUp);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
