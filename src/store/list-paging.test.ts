import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { nowIso } from './ddl.js';
import { createDeploymentsRepo } from './deployments-repo.js';
import { createCoreRepos } from './index.js';
import type { CoreRepos } from './index.js';
import { forEachDialect, walkPages } from './testing.js';


async function freshOrg(repos: CoreRepos): Promise<string> {
  const orgId = `o${randomBytes(4).toString('hex')}`;
  const at = nowIso();
  await repos.orgs.insert({ id: orgId, name: 'o', created_at: at, created_by: 'u' });
  await repos.envTypes.insert({ org_id: orgId, id: 'development', description: '', created_at: at, created_by: 'u' });
  return orgId;
}

forEachDialect('list paging', (getStore) => {
  it('pages apps by id: every app once, in order, the last page without a next token', async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    const other = await freshOrg(repos);
    // Inserted out of order, all with one timestamp: the order is the id's alone.
    const at = nowIso();
    const ids = ['m', 'c', 'x', 'a', 'q', 'f', 'z'];
    for (const id of ids) await repos.apps.insert({ org_id: orgId, id, name: id, created_at: at, created_by: 'u' });
    await repos.apps.insert({ org_id: other, id: 'b', name: 'b', created_at: at, created_by: 'u' });

    const { items, pages } = await walkPages(3, (page) => repos.apps.list(orgId, page));
    assert.deepEqual(items.map((a) => a.id), [...ids].sort());
    assert.equal(pages, 3);
    // Exactly a page's worth: no empty trailing page is announced.
    const exact = await walkPages(7, (page) => repos.apps.list(orgId, page));
    assert.equal(exact.pages, 1);
    assert.equal((await repos.apps.list(orgId)).items.length, 7);
  });

  it('keeps the app cursor stable while apps are added: no row skipped or repeated', async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    const at = nowIso();
    for (const id of ['b', 'd', 'f', 'h']) await repos.apps.insert({ org_id: orgId, id, name: id, created_at: at, created_by: 'u' });
    const first = await repos.apps.list(orgId, { limit: 2 });
    assert.deepEqual(first.items.map((a) => a.id), ['b', 'd']);
    // One app before the cursor (not shown: the client is past it), one after (shown once).
    await repos.apps.insert({ org_id: orgId, id: 'a', name: 'a', created_at: at, created_by: 'u' });
    await repos.apps.insert({ org_id: orgId, id: 'e', name: 'e', created_at: at, created_by: 'u' });
    const rest = await walkPages(2, (page) => repos.apps.list(orgId, page.token === undefined ? { limit: 2, token: first.nextToken } : page));
    assert.deepEqual(rest.items.map((a) => a.id), ['e', 'f', 'h']);
  });

  it('lists only the apps a member holds a role on, paged, with one query', async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    const at = nowIso();
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await repos.apps.insert({ org_id: orgId, id, name: id, created_at: at, created_by: 'u' });
    const userId = `u${randomBytes(4).toString('hex')}`;
    await repos.users.insert({ id: userId, name: 'member', email: `${userId}@example.com`, type: 'user', created_at: at });
    await repos.rbac.upsertAppMember({ org_id: orgId, app_id: 'a4', user_id: userId, role: 'viewer', created_at: at });
    await repos.rbac.upsertAppMember({ org_id: orgId, app_id: 'a2', user_id: userId, role: 'owner', created_at: at });
    const member = { userId, roles: ['viewer', 'developer', 'owner'] };
    const { items, pages } = await walkPages(1, (page) => repos.apps.list(orgId, page, member));
    assert.deepEqual(items.map((a) => a.id), ['a2', 'a4']);
    assert.equal(pages, 2);
    assert.deepEqual((await repos.apps.list(orgId, undefined, { userId, roles: ['developer'] })).items, []);
  });

  it('pages environments in creation order, ties broken by id', async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    const at = nowIso();
    await repos.apps.insert({ org_id: orgId, id: 'app', name: 'app', created_at: at, created_by: 'u' });
    await repos.apps.insert({ org_id: orgId, id: 'other', name: 'other', created_at: at, created_by: 'u' });
    const rows = [
      ['e3', '2025-01-01T00:00:00.000Z'],
      ['e1', '2025-01-02T00:00:00.000Z'],
      ['e2', '2025-01-02T00:00:00.000Z'],
      ['e0', '2025-01-02T00:00:00.000Z'],
      ['e9', '2025-01-03T00:00:00.000Z'],
    ] as const;
    for (const [id, created] of rows) await repos.envs.insert({ org_id: orgId, app_id: 'app', id, name: id, type: 'development', created_at: created, created_by: 'u' });
    await repos.envs.insert({ org_id: orgId, app_id: 'other', id: 'e5', name: 'e5', type: 'development', created_at: at, created_by: 'u' });
    const { items, pages } = await walkPages(2, (page) => repos.envs.listPage(orgId, 'app', page));
    assert.deepEqual(items.map((e) => e.id), ['e3', 'e0', 'e1', 'e2', 'e9']);
    assert.equal(pages, 3);
    assert.deepEqual(items.map((e) => e.id), (await repos.envs.list(orgId, 'app')).map((e) => e.id));
  });

  it('pages deployments of an environment newest first by sequence, without gaps or repeats', async () => {
    const repos = createCoreRepos(getStore());
    const deployments = createDeploymentsRepo(getStore().db);
    const orgId = await freshOrg(repos);
    const at = nowIso();
    await repos.apps.insert({ org_id: orgId, id: 'app', name: 'app', created_at: at, created_by: 'u' });
    for (const env of ['dev', 'prod']) await repos.envs.insert({ org_id: orgId, app_id: 'app', id: env, name: env, type: 'development', created_at: at, created_by: 'u' });
    const deployment = (id: string, envId: string, seq: number) => ({
      org_id: orgId, app_id: 'app', env_id: envId, id, seq, from_id: '', delta_id: null, base_set_id: null, set_id: '', value_set_version_id: null,
      comment: '', status: 'succeeded', status_changed_at: at, dependency_graph_id: null, progress: '{}', created_at: at, created_by: 'u',
    });
    for (let i = 1; i <= 7; i++) await deployments.insert(deployment(`d${i}`, i % 3 === 0 ? 'prod' : 'dev', i));
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const rows = await deployments.listByEnv(orgId, 'app', 'dev', 2, before);
      seen.push(...rows.map((r) => r.id));
      if (rows.length < 2) break;
      before = rows.at(-1)!.seq;
    }
    assert.deepEqual(seen, ['d7', 'd5', 'd4', 'd2', 'd1']);
  });

  it('refuses a page token it did not issue', async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    await assert.rejects(repos.apps.list(orgId, { limit: 2, token: 'not-a-token' }), InvalidInput);
    await assert.rejects(repos.envs.listPage(orgId, 'app', { limit: 2, token: Buffer.from('["x"]').toString('base64url') }), InvalidInput);
  });
});
