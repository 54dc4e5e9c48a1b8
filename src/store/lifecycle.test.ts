/**
 * Migration 0008 (lifecycle): env and app `status` (+ `status_changed_at`), active resources' `inputs_sealed` and
 * `last_error`, and the repository functions over them, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAppsRepo } from './apps-repo.js';
import { createDeploymentsRepo } from './deployments-repo.js';
import type { DeploymentRow } from './deployments-repo.js';
import { createEnvsRepo } from './envs-repo.js';
import { migrations } from './migrations/index.js';
import { createActiveResourcesRepo } from './resource-active-repo.js';
import type { ActiveResourceWrite } from './resource-active-repo.js';
import { createStore } from './store.js';
import type { Store } from './store.js';
import { DIALECTS, createTestDatabase, forEachDialect } from './testing.js';

const AT = '2024-05-01T12:00:00.000Z';
const LATER = '2024-05-02T12:00:00.000Z';

async function seedOrg(store: Store, org: string): Promise<void> {
  await store.db.insertInto('orgs').values({ id: org, name: org, created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('env_types').values({ org_id: org, id: 'development', description: '', created_at: AT, created_by: 'test' }).execute();
}

function resource(org: string, guresid: string, extra: Partial<ActiveResourceWrite> = {}): ActiveResourceWrite {
  return {
    org_id: org, app_id: 'shop', env_id: 'dev', guresid, env_type: 'development', type: 'config', class: 'default', res_id: `shared.${guresid}`,
    def_id: 'd', def_version_id: 'v', criteria_id: 'c', driver_type: 'humanitec/echo', driver_account: null, deploy_id: 'dep1', status: 'active',
    resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0, updated_at: AT, ...extra,
  };
}

function deployment(org: string, appId: string, id: string): DeploymentRow {
  return {
    org_id: org, app_id: appId, id, env_id: 'dev', seq: 1, from_id: '', delta_id: null, base_set_id: null, set_id: '', value_set_version_id: null,
    comment: '', status: 'succeeded', status_changed_at: AT, dependency_graph_id: null, progress: '{}', created_at: AT, created_by: 'test',
  };
}

forEachDialect('lifecycle columns (migration 0008)', (getStore) => {
  it('new apps and envs are active until their status is set; setStatus records when, and says when the row is missing', async () => {
    const store = getStore();
    await seedOrg(store, 'st');
    const apps = createAppsRepo(store.db);
    const envs = createEnvsRepo(store.db);
    const app = await apps.insert({ org_id: 'st', id: 'shop', name: 'Shop', created_at: AT, created_by: 'test' });
    const env = await envs.insert({ org_id: 'st', app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' });
    assert.equal(app.status, 'active');
    assert.equal(env.status_changed_at, null);
    assert.equal((await envs.get('st', 'shop', 'dev'))?.status, 'active');
    assert.equal((await apps.get('st', 'shop'))?.status_changed_at, null);

    assert.equal(await envs.setStatus('st', 'shop', 'dev', 'deleting', LATER), true);
    assert.equal(await apps.setStatus('st', 'shop', 'deleting', LATER), true);
    const stored = await envs.get('st', 'shop', 'dev');
    assert.equal(stored?.status, 'deleting');
    assert.equal(stored?.status_changed_at, LATER);
    assert.equal((await apps.get('st', 'shop'))?.status, 'deleting');
    assert.equal(await envs.setStatus('st', 'shop', 'nope', 'deleting', LATER), false);
    assert.equal(await apps.setStatus('st', 'nope', 'deleting', LATER), false);
  });

  it('active resources keep sealed inputs and a deprovisioning error; a fresh provisioning clears the error', async () => {
    const store = getStore();
    await seedOrg(store, 'ar');
    await createAppsRepo(store.db).insert({ org_id: 'ar', id: 'shop', name: 'Shop', created_at: AT, created_by: 'test' });
    await createEnvsRepo(store.db).insert({ org_id: 'ar', app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' });
    const repo = createActiveResourcesRepo(store.db);

    await repo.upsert(resource('ar', 'old')); // as written before 0008: no inputs
    const old = await repo.get('ar', 'shop', 'dev', 'old');
    assert.equal(old?.inputs_sealed, null);
    assert.equal(old?.last_error, null);

    await repo.upsert(resource('ar', 'new', { inputs_sealed: 'v1.sealed-inputs' }));
    assert.equal(await repo.setStatus('ar', 'shop', 'dev', 'new', 'deprovision_failed', 'bucket is not empty (token ***)'), true);
    const failed = await repo.get('ar', 'shop', 'dev', 'new');
    assert.equal(failed?.status, 'deprovision_failed');
    assert.equal(failed?.last_error, 'bucket is not empty (token ***)');
    assert.equal(failed?.inputs_sealed, 'v1.sealed-inputs', 'the sealed inputs stay for the retry');
    assert.ok(failed !== undefined && failed.updated_at > AT);
    assert.deepEqual((await repo.listByEnv('ar', 'shop', 'dev')).map((r) => [r.guresid, r.status]), [['new', 'deprovision_failed'], ['old', 'active']]);

    await repo.upsert(resource('ar', 'new', { inputs_sealed: 'v1.other-inputs' }));
    const again = await repo.get('ar', 'shop', 'dev', 'new');
    assert.equal(again?.status, 'active');
    assert.equal(again?.last_error, null);
    assert.equal(again?.inputs_sealed, 'v1.other-inputs');
    assert.equal(await repo.setStatus('ar', 'shop', 'dev', 'gone', 'deleting', null), false);
  });

  it("deleteAppHistory removes one app's deployments, errors and logs and nothing else", async () => {
    const store = getStore();
    const repo = createDeploymentsRepo(store.db);
    for (const appId of ['gone', 'kept']) {
      await repo.insert(deployment('hist', appId, `${appId}-1`));
      await repo.replaceErrors('hist', appId, `${appId}-1`, [{ scope: 'deployment', object_id: '', code: 'X', summary: 's', message: 'm', error_type: 'E' }]);
      await repo.appendLogs([{ org_id: 'hist', app_id: appId, deploy_id: `${appId}-1`, at: AT, phase: 'read', level: 'info', resource: null, message: 'hello' }]);
    }
    await repo.deleteAppHistory('hist', 'gone');
    assert.equal(await repo.get('hist', 'gone', 'gone-1'), undefined);
    assert.deepEqual(await repo.listErrors('hist', 'gone', 'gone-1'), []);
    assert.deepEqual(await repo.listLogs('hist', 'gone', 'gone-1', 0), []);
    assert.ok(await repo.get('hist', 'kept', 'kept-1'));
    assert.equal((await repo.listErrors('hist', 'kept', 'kept-1')).length, 1);
    assert.equal((await repo.listLogs('hist', 'kept', 'kept-1', 0)).length, 1);
  });
});

for (const dialect of DIALECTS) {
  void describe(`migration 0008 on existing rows [${dialect}]`, () => {
    it('apps and envs created before it become active; resources get no inputs and no error', async () => {
      const database = await createTestDatabase(dialect);
      try {
        const before = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: migrations.filter((m) => m.name < '0008') });
        try {
          await seedOrg(before, 'mig');
          await before.db.insertInto('apps').values({ org_id: 'mig', id: 'shop', name: 'Shop', created_at: AT, created_by: 'test' }).execute();
          await before.db.insertInto('envs').values({ org_id: 'mig', app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' }).execute();
          await before.db.insertInto('active_resources').values(resource('mig', 'r1')).execute();
        } finally {
          await before.close();
        }
        const after = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
        try {
          const env = await createEnvsRepo(after.db).get('mig', 'shop', 'dev');
          assert.equal(env?.status, 'active');
          assert.equal(env?.status_changed_at, null);
          assert.equal((await createAppsRepo(after.db).get('mig', 'shop'))?.status, 'active');
          const row = await createActiveResourcesRepo(after.db).get('mig', 'shop', 'dev', 'r1');
          assert.equal(row?.inputs_sealed, null);
          assert.equal(row?.last_error, null);
        } finally {
          await after.close();
        }
      } finally {
        await database.cleanup();
      }
    });
  });
}
