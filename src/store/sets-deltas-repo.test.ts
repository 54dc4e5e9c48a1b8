import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Conflict, InvalidInput } from '../shared/errors.js';
import { nowIso } from './ddl.js';
import { createDeltasRepo } from './deltas-repo.js';
import type { DeltaRow } from './deltas-repo.js';
import { createCoreRepos } from './index.js';
import { createSetsRepo } from './sets-repo.js';
import type { Store } from './store.js';
import { forEachDialect } from './testing.js';

/** A fresh org and app (random ids, so tests in one suite never see each other's rows). */
async function freshApp(store: Store): Promise<{ orgId: string; appId: string }> {
  const repos = createCoreRepos(store);
  const orgId = `o${randomBytes(4).toString('hex')}`;
  const at = nowIso();
  await repos.orgs.insert({ id: orgId, name: 'o', created_at: at, created_by: 'u' });
  await repos.apps.insert({ org_id: orgId, id: 'app', name: 'A', created_at: at, created_by: 'u' });
  return { orgId, appId: 'app' };
}

function hexId(): string {
  return randomBytes(20).toString('hex');
}

function deltaRow(orgId: string, appId: string, overrides: Partial<DeltaRow> = {}): DeltaRow {
  const at = nowIso();
  return {
    org_id: orgId,
    app_id: appId,
    id: hexId(),
    env_id: null,
    name: null,
    archived: 0,
    shared: null,
    contributers: '[]',
    content: '{"modules":{"add":{},"remove":[],"update":{}},"shared":[]}',
    created_by: 'u',
    created_at: at,
    last_modified_at: at,
    revision: 0,
    ...overrides,
  };
}

forEachDialect('sets repository', (getStore) => {
  it('stores a set once per app: inserting the same id again keeps the first row', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const sets = createSetsRepo(store.db);
    const id = hexId();
    assert.equal(await sets.insertIfAbsent({ org_id: orgId, app_id: appId, id, content: '{"a":1}', created_at: '2024-01-01T00:00:00.000Z' }), true);
    assert.equal(await sets.insertIfAbsent({ org_id: orgId, app_id: appId, id, content: '{"a":1}', created_at: '2025-01-01T00:00:00.000Z' }), false);
    const row = await sets.get(orgId, appId, id);
    assert.equal(row?.created_at, '2024-01-01T00:00:00.000Z');
    assert.equal((await sets.list(orgId, appId)).items.length, 1);
    assert.equal(await sets.get(orgId, 'other-app', id), undefined);
  });

  it('pages through sets in creation order with opaque tokens', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const sets = createSetsRepo(store.db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = hexId();
      ids.push(id);
      await sets.insertIfAbsent({ org_id: orgId, app_id: appId, id, content: '{}', created_at: `2024-01-0${i + 1}T00:00:00.000Z` });
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sets.list(orgId, appId, { limit: 2, token });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((r) => r.id));
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(seen, ids);
    assert.equal(pages, 3);
    await assert.rejects(sets.list(orgId, appId, { limit: 2, token: 'garbage' }), InvalidInput);
  });

  it('deletes an app\'s sets with the app', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const sets = createSetsRepo(store.db);
    await sets.insertIfAbsent({ org_id: orgId, app_id: appId, id: hexId(), content: '{}', created_at: nowIso() });
    await createCoreRepos(store).apps.delete(orgId, appId);
    assert.deepEqual((await sets.list(orgId, appId)).items, []);
  });
});

forEachDialect('deltas repository', (getStore) => {
  it('inserts, reads back and refuses a duplicate id', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const deltas = createDeltasRepo(store.db);
    const row = deltaRow(orgId, appId, { env_id: 'dev', name: 'n', contributers: '["x"]' });
    await deltas.insert(row);
    assert.deepEqual(await deltas.get(orgId, appId, row.id), row);
    await assert.rejects(deltas.insert(row), Conflict);
  });

  it('filters by environment and archived state, and pages', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const deltas = createDeltasRepo(store.db);
    const a = await deltas.insert(deltaRow(orgId, appId, { env_id: 'dev', created_at: '2024-01-01T00:00:00.000Z' }));
    const b = await deltas.insert(deltaRow(orgId, appId, { env_id: 'prod', created_at: '2024-01-02T00:00:00.000Z' }));
    const c = await deltas.insert(deltaRow(orgId, appId, { env_id: 'dev', archived: 1, created_at: '2024-01-03T00:00:00.000Z' }));
    const ids = async (filter: Parameters<typeof deltas.list>[2]) => (await deltas.list(orgId, appId, filter)).items.map((r) => r.id);
    assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
    assert.deepEqual(await ids({ envId: 'dev' }), [a.id, c.id]);
    assert.deepEqual(await ids({ archived: false }), [a.id, b.id]);
    assert.deepEqual(await ids({ archived: true, envId: 'dev' }), [c.id]);
    const first = await deltas.list(orgId, appId, {}, { limit: 2 });
    assert.deepEqual(first.items.map((r) => r.id), [a.id, b.id]);
    const second = await deltas.list(orgId, appId, {}, { limit: 2, token: first.nextToken });
    assert.deepEqual(second.items.map((r) => r.id), [c.id]);
    assert.equal(second.nextToken, undefined);
  });

  it('updates only at the expected revision (a stale writer loses)', async () => {
    const store = getStore();
    const { orgId, appId } = await freshApp(store);
    const deltas = createDeltasRepo(store.db);
    const row = await deltas.insert(deltaRow(orgId, appId));
    assert.equal(await deltas.update(orgId, appId, row.id, 0, { name: 'first' }), true);
    assert.equal(await deltas.update(orgId, appId, row.id, 0, { name: 'stale' }), false);
    const stored = await deltas.get(orgId, appId, row.id);
    assert.equal(stored?.name, 'first');
    assert.equal(stored?.revision, 1);
    assert.equal(await deltas.update(orgId, appId, 'missing', 0, { name: 'x' }), false);
  });
});
