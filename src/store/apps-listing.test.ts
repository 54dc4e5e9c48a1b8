import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createCoreRepos } from './index.js';
import type { CoreRepos } from './index.js';
import { forEachDialect } from './testing.js';

async function freshOrg(repos: CoreRepos): Promise<string> {
  const orgId = `o${randomBytes(4).toString('hex')}`;
  const at = '2026-01-01T00:00:00.000Z';
  await repos.orgs.insert({ id: orgId, name: 'o', created_at: at, created_by: 'u' });
  await repos.envTypes.insert({ org_id: orgId, id: 'development', description: '', created_at: at, created_by: 'u' });
  await repos.envTypes.insert({ org_id: orgId, id: 'production', description: '', created_at: at, created_by: 'u' });
  return orgId;
}

forEachDialect('app listing reads', (getStore) => {
  it("gives an app listing each environment's app, id, name and type only, by app then creation (whole org or given apps)", async () => {
    const repos = createCoreRepos(getStore());
    const orgId = await freshOrg(repos);
    const other = await freshOrg(repos);
    for (const id of ['b', 'a', 'c']) await repos.apps.insert({ org_id: orgId, id, name: id, created_at: '2026-01-01T00:00:00.000Z', created_by: 'u' });
    await repos.apps.insert({ org_id: other, id: 'a', name: 'a', created_at: '2026-01-01T00:00:00.000Z', created_by: 'u' });
    // Inserted out of creation order; "b"'s two environments share a timestamp, so their ids order them.
    const env = (org: string, app: string, id: string, type: string, at: string) =>
      repos.envs.insert({ org_id: org, app_id: app, id, name: `${app}/${id}`, type, created_at: `2026-01-0${at}T00:00:00.000Z`, created_by: 'u' });
    await env(orgId, 'a', 'prod', 'production', '3');
    await env(orgId, 'a', 'dev', 'development', '2');
    await env(orgId, 'b', 'zeta', 'development', '2');
    await env(orgId, 'b', 'alpha', 'production', '2');
    await env(orgId, 'c', 'dev', 'development', '4');
    await env(other, 'a', 'elsewhere', 'development', '1');

    const summary = (app: string, id: string, type: string) => ({ app_id: app, id, name: `${app}/${id}`, type });
    const all = [
      summary('a', 'dev', 'development'),
      summary('a', 'prod', 'production'),
      summary('b', 'alpha', 'production'),
      summary('b', 'zeta', 'development'),
      summary('c', 'dev', 'development'),
    ];
    // deepEqual: the rows carry exactly these four columns, nothing of another org.
    assert.deepEqual(await repos.envs.listForApps(orgId, undefined), all);
    assert.deepEqual(await repos.envs.listForApps(orgId, ['c', 'a']), all.filter((e) => e.app_id !== 'b'));
    assert.deepEqual(await repos.envs.listForApps(orgId, []), []);
  });

  it("lists every app of the org unpaged as whole rows in id order, including one written in the caller's transaction", async () => {
    const store = getStore();
    const repos = createCoreRepos(store);
    const orgId = await freshOrg(repos);
    const other = await freshOrg(repos);
    const row = (org: string, id: string) => ({ org_id: org, id, name: `app ${id}`, created_at: '2026-01-02T00:00:00.000Z', created_by: 'u' });
    for (const id of ['m', 'c']) await repos.apps.insert(row(orgId, id));
    await repos.apps.insert(row(other, 'b'));
    await repos.apps.setStatus(orgId, 'm', 'deleting', '2026-01-03T00:00:00.000Z');

    const whole = (id: string, status = 'active', changed: string | null = null) => ({ ...row(orgId, id), status, status_changed_at: changed });
    assert.deepEqual((await repos.apps.list(orgId)).items, [whole('c'), whole('m', 'deleting', '2026-01-03T00:00:00.000Z')]);
    await store.transaction(async (trx) => {
      await repos.apps.insert(row(orgId, 'a'), trx);
      assert.deepEqual((await repos.apps.list(orgId, undefined, undefined, trx)).items.map((a) => a.id), ['a', 'c', 'm']);
      assert.deepEqual((await repos.envs.listForApps(orgId, undefined, trx)), []);
    });
  });
});
