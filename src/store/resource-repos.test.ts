import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Conflict } from '../shared/errors.js';
import { createActiveResourcesRepo } from './resource-active-repo.js';
import { createResourceDefinitionsRepo } from './resource-definitions-repo.js';
import type { ResourceCriterionRow, ResourceDefinitionRow } from './resource-definitions-repo.js';
import { createResourceDriversRepo } from './resource-drivers-repo.js';
import { createResourceGraphsRepo } from './resource-graphs-repo.js';
import { createResourceTypesRepo } from './resource-types-repo.js';
import { forEachDialect } from './testing.js';
import type { Store } from './store.js';

const AT = '2024-05-01T12:00:00.000Z';

async function seedOrgAppEnv(store: Store, org: string): Promise<void> {
  await store.db.insertInto('orgs').values({ id: org, name: org, created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('env_types').values({ org_id: org, id: 'development', description: '', created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('apps').values({ org_id: org, id: 'shop', name: 'Shop', created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('envs').values({ org_id: org, app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' }).execute();
}

function definition(org: string, id: string, type: string): ResourceDefinitionRow {
  return {
    org_id: org,
    id,
    name: id,
    type,
    driver_type: 'humanitec/echo',
    driver_account: null,
    driver_values: '{}',
    secret_paths: '[]',
    secrets_sealed: null,
    external_secret_refs: null,
    provision: '{}',
    in_place_driver_change: 0,
    active_version_id: '',
    is_deleted: 0,
    created_at: AT,
    created_by: 'test',
    updated_at: AT,
    updated_by: 'test',
  };
}

function criterion(org: string, defId: string, id: string, type: string, envType: string): ResourceCriterionRow {
  return {
    org_id: org,
    def_id: defId,
    id,
    type,
    class: 'default',
    app_id: null,
    env_id: null,
    env_type: envType,
    res_id: null,
    match_key: JSON.stringify(['default', '', '', envType, '']),
    created_at: AT,
  };
}

forEachDialect('resource repositories', (getStore) => {
  let orgCounter = 0;
  const freshOrg = async (): Promise<string> => {
    const org = `org-${++orgCounter}`;
    await seedOrgAppEnv(getStore(), org);
    return org;
  };

  it('refuses an equal criterion for the same type in another definition, but not for another type', async () => {
    const org = await freshOrg();
    const defs = createResourceDefinitionsRepo(getStore().db);
    await defs.insert(definition(org, 'pg-a', 'postgres'));
    await defs.insert(definition(org, 'pg-b', 'postgres'));
    await defs.insert(definition(org, 'redis-a', 'redis'));
    await defs.insertCriteria([criterion(org, 'pg-a', 'c1', 'postgres', 'development')]);
    await assert.rejects(defs.insertCriteria([criterion(org, 'pg-b', 'c2', 'postgres', 'development')]), Conflict);
    await defs.insertCriteria([criterion(org, 'redis-a', 'c3', 'redis', 'development')]);
    assert.deepEqual((await defs.listCriteria(org)).map((c) => `${c.def_id}:${c.id}`), ['pg-a:c1', 'redis-a:c3']);
    // Once pg-a's criterion is gone, pg-b may take it.
    await defs.deleteCriteriaOf(org, 'pg-a');
    await defs.insertCriteria([criterion(org, 'pg-b', 'c2', 'postgres', 'development')]);
    assert.deepEqual((await defs.listCriteria(org, 'pg-b')).map((c) => c.id), ['c2']);
  });

  it('numbers versions per definition and lists them newest first', async () => {
    const org = await freshOrg();
    const defs = createResourceDefinitionsRepo(getStore().db);
    await defs.insert(definition(org, 'pg-a', 'postgres'));
    for (const action of ['created', 'updated', 'updated']) {
      const seq = await defs.nextVersionSeq(org, 'pg-a');
      await defs.insertVersion({ org_id: org, def_id: 'pg-a', id: `v${seq}`, seq, action, content: '{}', secrets_sealed: null, created_at: AT, created_by: 'test' });
    }
    assert.deepEqual((await defs.listVersions(org, 'pg-a')).map((v) => [v.id, v.seq]), [['v3', 3], ['v2', 2], ['v1', 1]]);
    // A second writer that computed the same next number loses instead of forking the history.
    await assert.rejects(
      defs.insertVersion({ org_id: org, def_id: 'pg-a', id: 'other', seq: 3, action: 'updated', content: '{}', secrets_sealed: null, created_at: AT, created_by: 'test' }),
      Conflict,
    );
  });

  it('archives and unarchives a version and finds versions by id across definitions', async () => {
    const org = await freshOrg();
    const defs = createResourceDefinitionsRepo(getStore().db);
    await defs.insert(definition(org, 'pg-a', 'postgres'));
    await defs.insert(definition(org, 'pg-b', 'postgres'));
    await defs.insertVersion({ org_id: org, def_id: 'pg-a', id: 'a1', seq: 1, action: 'created', content: '{}', secrets_sealed: null, created_at: AT, created_by: 'test' });
    await defs.insertVersion({ org_id: org, def_id: 'pg-b', id: 'b1', seq: 1, action: 'created', content: '{}', secrets_sealed: null, created_at: AT, created_by: 'test' });
    assert.equal((await defs.getVersion(org, 'pg-a', 'a1'))?.archived, 0, 'a new version is not archived');
    assert.equal(await defs.setVersionArchived(org, 'pg-a', 'a1', true), true);
    assert.equal((await defs.getVersion(org, 'pg-a', 'a1'))?.archived, 1);
    assert.equal((await defs.getVersion(org, 'pg-b', 'b1'))?.archived, 0, 'only that version');
    assert.equal(await defs.setVersionArchived(org, 'pg-a', 'a1', false), true);
    assert.equal((await defs.getVersion(org, 'pg-a', 'a1'))?.archived, 0);
    assert.equal(await defs.setVersionArchived(org, 'pg-a', 'b1', true), false, 'a version of another definition is not found');
    assert.deepEqual((await defs.getVersionsByIds(org, ['b1', 'a1', 'nope'])).map((v) => `${v.def_id}/${v.id}`).sort(), ['pg-a/a1', 'pg-b/b1']);
    assert.deepEqual(await defs.getVersionsByIds(org, []), []);
  });

  it('keeps a pin through engine upserts, clears it when the row says so, and lists rows pinned to a version', async () => {
    const org = await freshOrg();
    const active = createActiveResourcesRepo(getStore().db);
    const row = {
      org_id: org, app_id: 'shop', env_id: 'dev', guresid: 'c'.repeat(40), env_type: 'development', type: 'postgres', class: 'default',
      res_id: 'shared.db', def_id: 'pg-a', def_version_id: 'v2', criteria_id: 'c', driver_type: 'humanitec/echo', driver_account: null,
      deploy_id: 'd1', status: 'active', resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0, updated_at: AT,
    };
    await active.upsert(row);
    assert.equal((await active.get(org, 'shop', 'dev', row.guresid))?.target_def_version_id, null, 'not pinned by default');
    assert.equal(await active.setPin(org, 'shop', 'dev', row.guresid, 'v1'), true);
    assert.equal(await active.setPin(org, 'shop', 'dev', 'd'.repeat(40), 'v1'), false, 'no such resource');
    await active.upsert({ ...row, deploy_id: 'd2', def_version_id: 'v1' });
    const after = await active.get(org, 'shop', 'dev', row.guresid);
    assert.equal(after?.deploy_id, 'd2');
    assert.equal(after?.target_def_version_id, 'v1', 'a redeployment keeps the pin');
    assert.deepEqual((await active.listPinnedTo(org, 'pg-a', 'v1')).map((r) => r.guresid), [row.guresid]);
    assert.deepEqual(await active.listPinnedTo(org, 'pg-a', 'v2'), []);
    await active.upsert({ ...row, deploy_id: 'd3', def_id: 'pg-b', target_def_version_id: null });
    assert.equal((await active.get(org, 'shop', 'dev', row.guresid))?.target_def_version_id, null, 'moving to another definition ends the pin');
  });

  it('keeps one graph per hash and environment, refreshing used_at', async () => {
    const org = await freshOrg();
    const graphs = createResourceGraphsRepo(getStore().db);
    const first = await graphs.upsertByHash({ org_id: org, app_id: 'shop', env_id: 'dev', id: 'g1', hash: 'h', nodes: '[]', created_at: AT, used_at: AT });
    const later = '2024-05-02T00:00:00.000Z';
    const second = await graphs.upsertByHash({ org_id: org, app_id: 'shop', env_id: 'dev', id: 'g2', hash: 'h', nodes: '[]', created_at: later, used_at: later });
    assert.equal(first.id, 'g1');
    assert.equal(second.id, 'g1');
    assert.equal(second.used_at, later);
    assert.equal(second.created_at, AT);
    assert.equal((await graphs.get(org, 'shop', 'dev', 'g2')), undefined);
  });

  it('lists active resources by definition and replaces a GUResID row on upsert', async () => {
    const org = await freshOrg();
    const active = createActiveResourcesRepo(getStore().db);
    const row = {
      org_id: org, app_id: 'shop', env_id: 'dev', guresid: 'a'.repeat(40), env_type: 'development', type: 'postgres', class: 'default',
      res_id: 'modules.api.externals.db', def_id: 'pg-a', def_version_id: 'v1', criteria_id: 'c1', driver_type: 'humanitec/echo',
      driver_account: null, deploy_id: 'd1', status: 'active', resource: '{"host":"h"}', secrets_sealed: null, cookie_sealed: null,
      scheduled_deletion: 0, updated_at: AT,
    };
    await active.upsert(row);
    await active.upsert({ ...row, def_id: 'pg-b', deploy_id: 'd2' });
    assert.deepEqual(await active.listByDefinition(org, 'pg-a'), []);
    assert.deepEqual((await active.listByDefinition(org, 'pg-b')).map((r) => r.deploy_id), ['d2']);
  });

  it('lists resource usage across apps in one query: orphan flag, deploys since provisioning, filters, members and keyset pages', async () => {
    const org = await freshOrg();
    const db = getStore().db;
    const active = createActiveResourcesRepo(db);
    await db.insertInto('apps').values({ org_id: org, id: 'blog', name: 'Blog', created_at: AT, created_by: 'test' }).execute();
    await db.insertInto('envs').values({ org_id: org, app_id: 'blog', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' }).execute();
    const deploy = (app: string, id: string, seq: number) =>
      db.insertInto('deployments').values({
        org_id: org, app_id: app, id, env_id: 'dev', seq, from_id: '', delta_id: null, base_set_id: null, set_id: 's', value_set_version_id: null, comment: '',
        status: 'succeeded', status_changed_at: AT, dependency_graph_id: null, progress: '{}', created_at: AT, created_by: 'test',
      }).execute();
    // shop/dev: three deployments; the cache came from the first, the workload from the newest.
    await deploy('shop', 'd1', 1);
    await deploy('shop', 'd2', 2);
    await deploy('shop', 'd3', 3);
    await deploy('blog', 'b1', 4);
    const resource = (app: string, guresid: string, type: string, resId: string, defId: string, deployId: string) => ({
      org_id: org, app_id: app, env_id: 'dev', guresid, env_type: 'development', type, class: 'default', res_id: resId, def_id: defId, def_version_id: `${defId}-v1`,
      criteria_id: 'c', driver_type: 'humanitec/echo', driver_account: null, deploy_id: deployId, status: 'active', resource: '{"secret":"no"}', secrets_sealed: null,
      cookie_sealed: null, scheduled_deletion: 0, updated_at: AT,
    });
    await active.upsert(resource('shop', 'a'.repeat(40), 'redis', 'modules.web.externals.cache', 'redis-def', 'd1'));
    await active.upsert(resource('shop', 'b'.repeat(40), 'workload', 'modules.web', 'wl-def', 'd3'));
    await active.upsert(resource('shop', 'c'.repeat(40), 'dns', 'shared.dns', 'dns-def', 'gone'));
    await active.upsert(resource('blog', 'd'.repeat(40), 'workload', 'modules.web', 'wl-def', 'b1'));
    await db.insertInto('active_resource_links').values({ org_id: org, app_id: 'shop', env_id: 'dev', guresid: 'a'.repeat(40), depends_on: '[]', orphaned: 1 }).execute();
    await db.insertInto('active_resource_links').values({ org_id: org, app_id: 'shop', env_id: 'dev', guresid: 'b'.repeat(40), depends_on: '[]', orphaned: 0 }).execute();

    const all = await active.listUsage(org, {}, { limit: 10 });
    assert.equal(all.nextToken, undefined);
    assert.deepEqual(
      all.items.map((r) => [r.app_id, r.res_id, r.def_id, r.deploys_ago, r.orphaned]),
      [
        ['blog', 'modules.web', 'wl-def', 0, false],
        ['shop', 'modules.web.externals.cache', 'redis-def', 2, true],
        ['shop', 'modules.web', 'wl-def', 0, false],
        ['shop', 'shared.dns', 'dns-def', null, false],
      ],
    );
    assert.ok(!('resource' in all.items[0]!), 'no outputs in the usage rows');

    assert.deepEqual((await active.listUsage(org, { defId: 'wl-def' }, { limit: 10 })).items.map((r) => r.app_id), ['blog', 'shop']);
    assert.deepEqual((await active.listUsage(org, { appId: 'shop', envId: 'dev', defId: 'wl-def' }, { limit: 10 })).items.map((r) => r.guresid), ['b'.repeat(40)]);
    assert.deepEqual((await active.listUsage(org, { envId: 'prod' }, { limit: 10 })).items, []);
    assert.deepEqual((await active.listUsage('other-org', {}, { limit: 10 })).items, []);

    await db.insertInto('users').values({ id: `${org}-viewer`, name: 'V', email: null, type: 'user', created_at: AT }).execute();
    await db.insertInto('app_members').values({ org_id: org, app_id: 'blog', user_id: `${org}-viewer`, role: 'viewer', created_at: AT }).execute();
    const viewer = { userId: `${org}-viewer`, roles: ['viewer', 'developer', 'owner'] };
    assert.deepEqual((await active.listUsage(org, { member: viewer }, { limit: 10 })).items.map((r) => r.app_id), ['blog']);
    assert.deepEqual((await active.listUsage(org, { member: { ...viewer, roles: ['owner'] } }, { limit: 10 })).items, [], 'a role outside the list does not count');

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await active.listUsage(org, {}, { limit: 3, token });
      pages.push(page.items.map((r) => `${r.app_id}/${r.guresid[0]!}`));
      token = page.nextToken;
    } while (token !== undefined);
    assert.deepEqual(pages, [['blog/d', 'shop/a', 'shop/b'], ['shop/c']]);
    await assert.rejects(active.listUsage(org, {}, { limit: 3, token: 'bm9wZQ' }), /page token/);
  });

  it('stores custom types, classes and drivers per org, refusing duplicates', async () => {
    const org = await freshOrg();
    const types = createResourceTypesRepo(getStore().db);
    const drivers = createResourceDriversRepo(getStore().db);
    const type = { org_id: org, type: `${org}/queue`, name: 'Queue', category: 'custom', use: 'direct', inputs_schema: '{}', outputs_schema: '{}', created_at: AT, created_by: 'test' };
    await types.insert(type);
    await assert.rejects(types.insert(type), Conflict);
    await types.insertClass({ org_id: org, resource_type: 'postgres', id: 'large', description: 'big', created_at: AT, created_by: 'test' });
    await types.updateClassDescription(org, 'postgres', 'large', 'bigger');
    assert.equal((await types.getClass(org, 'postgres', 'large'))?.description, 'bigger');
    const driver = { org_id: org, id: 'my-s3', type: 's3', target: 'http://127.0.0.1:1/', account_types: '[]', inputs_schema: '{}', template: null, is_public: 0, created_at: AT, created_by: 'test', updated_at: AT };
    await drivers.insert(driver);
    await assert.rejects(drivers.insert(driver), Conflict);
    assert.deepEqual((await drivers.list(org)).map((d) => d.id), ['my-s3']);
  });
});
