import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { nowIso } from './ddl.js';
import { createCoreRepos } from './index.js';
import { forEachDialect } from './testing.js';
import { createValueSetVersionsRepo } from './values-repo.js';
import type { ValueScope, ValueSetVersionRow } from './values-repo.js';

function row(scope: ValueScope, seq: number, fields: Partial<ValueSetVersionRow> = {}): ValueSetVersionRow {
  const now = nowIso();
  return {
    id: randomUUID(),
    org_id: scope.orgId,
    app_id: scope.appId,
    env_id: scope.envId,
    seq,
    app_version_id: null,
    value_set: '{}',
    change: '[]',
    comment: '',
    result_of: null,
    source_value_set_version_id: null,
    created_by: 'tester',
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

forEachDialect('value set versions repo', (getStore) => {
  async function seedApp() {
    const store = getStore();
    const repos = createCoreRepos(store);
    const orgId = `o${randomBytes(4).toString('hex')}`;
    const appId = 'app';
    const now = nowIso();
    await repos.orgs.insert({ id: orgId, name: orgId, created_at: now, created_by: 'x' });
    await repos.envTypes.insert({ org_id: orgId, id: 'development', description: '', created_at: now, created_by: 'x' });
    await repos.apps.insert({ org_id: orgId, id: appId, name: appId, created_at: now, created_by: 'x' });
    await repos.envs.insert({ org_id: orgId, app_id: appId, id: 'dev', name: 'Dev', type: 'development', created_at: now, created_by: 'x' });
    return { store, repos, orgId, appId, repo: createValueSetVersionsRepo(store.db, store.dialect) };
  }

  it('keeps app and env versions apart and returns the highest seq as latest', async () => {
    const { repo, orgId, appId } = await seedApp();
    const app: ValueScope = { orgId, appId, envId: null };
    const env: ValueScope = { orgId, appId, envId: 'dev' };
    const a1 = await repo.insert(row(app, 1));
    const a2 = await repo.insert(row(app, 2, { app_version_id: null }));
    const e1 = await repo.insert(row(env, 1, { app_version_id: a2.id }));
    assert.equal((await repo.latest(app))?.id, a2.id);
    assert.equal((await repo.latest(env))?.id, e1.id);
    assert.equal((await repo.latest(env))?.app_version_id, a2.id);
    assert.deepEqual((await repo.list(app)).map((r) => r.id), [a2.id, a1.id]);
    assert.equal(await repo.get(env, a1.id), undefined, 'an app version is not found in an env scope');
    assert.equal((await repo.get(app, a1.id))?.seq, 1);
  });

  it('rewrites only the purged version', async () => {
    const { repo, orgId, appId } = await seedApp();
    const app: ValueScope = { orgId, appId, envId: null };
    const first = await repo.insert(row(app, 1, { value_set: '{"A":1}' }));
    const second = await repo.insert(row(app, 2, { value_set: '{"A":2}' }));
    await repo.replaceValueSet(first.id, '{"A":0}', nowIso());
    assert.equal((await repo.get(app, first.id))?.value_set, '{"A":0}');
    assert.equal((await repo.get(app, second.id))?.value_set, '{"A":2}');
  });

  it('deletes env versions with their env and all versions with their app', async () => {
    const { repo, repos, orgId, appId, store } = await seedApp();
    const app: ValueScope = { orgId, appId, envId: null };
    const env: ValueScope = { orgId, appId, envId: 'dev' };
    await repo.insert(row(app, 1));
    await repo.insert(row(env, 1));
    await repos.envs.delete(orgId, appId, 'dev');
    assert.equal((await repo.list(env)).length, 0);
    assert.equal((await repo.list(app)).length, 1);
    await repos.apps.delete(orgId, appId);
    assert.equal((await repo.list(app)).length, 0);
    await store.transaction((trx) => repo.lockApp(orgId, appId, trx)); // locking a missing app is harmless
  });
});
