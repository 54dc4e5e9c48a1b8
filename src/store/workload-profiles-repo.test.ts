import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Conflict } from '../shared/errors.js';
import { nowIso } from './ddl.js';
import { createCoreRepos } from './index.js';
import { forEachDialect } from './testing.js';
import { createWorkloadProfilesRepo } from './workload-profiles-repo.js';
import type { WorkloadProfileRow, WorkloadProfileVersionRow } from './workload-profiles-repo.js';

function profileRow(orgId: string, id: string, fields: Partial<WorkloadProfileRow> = {}): WorkloadProfileRow {
  const now = nowIso();
  return {
    org_id: orgId,
    id,
    version: 'v1',
    description: 'd',
    deprecation_message: null,
    spec_definition: '{}',
    spec_schema: null,
    workload_profile_chart: null,
    baton_template: 'kind: {{ .id }}',
    created_at: now,
    created_by: 'tester',
    updated_at: now,
    updated_by: 'tester',
    ...fields,
  };
}

function versionRow(profile: WorkloadProfileRow, id: string, seq: number, fields: Partial<WorkloadProfileVersionRow> = {}): WorkloadProfileVersionRow {
  return {
    org_id: profile.org_id,
    profile_id: profile.id,
    id,
    seq,
    description: profile.description,
    deprecation_message: profile.deprecation_message,
    spec_definition: profile.spec_definition,
    spec_schema: profile.spec_schema,
    workload_profile_chart: profile.workload_profile_chart,
    baton_template: profile.baton_template,
    created_at: nowIso(),
    created_by: 'tester',
    ...fields,
  };
}

forEachDialect('workload profiles repo', (getStore) => {
  async function seedOrg() {
    const store = getStore();
    const orgId = `o${randomBytes(4).toString('hex')}`;
    await createCoreRepos(store).orgs.insert({ id: orgId, name: orgId, created_at: nowIso(), created_by: 'x' });
    return { store, orgId, repo: createWorkloadProfilesRepo(store.db, store.dialect) };
  }

  it('stores profiles per org and lists them by id', async () => {
    const { repo, orgId } = await seedOrg();
    const other = await seedOrg();
    await repo.insert(profileRow(orgId, 'web'));
    await repo.insert(profileRow(orgId, 'batch', { spec_schema: '{"type":"object"}' }));
    await other.repo.insert(profileRow(other.orgId, 'web'));
    assert.deepEqual((await repo.list(orgId)).map((p) => p.id), ['batch', 'web']);
    assert.equal((await repo.get(orgId, 'batch'))?.spec_schema, '{"type":"object"}');
    assert.equal(await repo.get(orgId, 'missing'), undefined);
    assert.deepEqual((await repo.list(other.orgId)).map((p) => p.id), ['web']);
  });

  it('refuses a duplicate profile id and a duplicate version id with Conflict', async () => {
    const { repo, orgId } = await seedOrg();
    const profile = await repo.insert(profileRow(orgId, 'web'));
    await assert.rejects(repo.insert(profileRow(orgId, 'web')), Conflict);
    await repo.insertVersion(versionRow(profile, 'v1', 1));
    await assert.rejects(repo.insertVersion(versionRow(profile, 'v1', 2)), (error: unknown) => {
      assert.ok(error instanceof Conflict);
      assert.equal(error.details.field, 'version');
      return true;
    });
  });

  it('updates the current state, keeps the creation fields, and orders versions newest first', async () => {
    const { repo, orgId, store } = await seedOrg();
    const created = await repo.insert(profileRow(orgId, 'web', { created_by: 'alice' }));
    await repo.insertVersion(versionRow(created, 'v1', 1));
    await store.transaction(async (trx) => {
      await repo.lock(orgId, 'web', trx);
      await repo.update({ ...created, version: 'second', baton_template: 'new', created_by: 'mallory', updated_by: 'bob' }, trx);
      await repo.insertVersion(versionRow(created, 'second', 2, { baton_template: 'new' }), trx);
    });
    const current = await repo.get(orgId, 'web');
    assert.equal(current?.version, 'second');
    assert.equal(current?.baton_template, 'new');
    assert.equal(current?.created_by, 'alice');
    assert.equal(current?.updated_by, 'bob');
    assert.deepEqual((await repo.listVersions(orgId, 'web')).map((v) => [v.id, v.seq]), [['second', 2], ['v1', 1]]);
    const latest = await repo.latestVersion(orgId, 'web');
    assert.equal(latest?.id, 'second');
    assert.equal(typeof latest?.seq, 'number');
    assert.equal(await repo.update(profileRow(orgId, 'missing')), false);
  });

  it('deletes a profile together with its versions', async () => {
    const { repo, orgId } = await seedOrg();
    const profile = await repo.insert(profileRow(orgId, 'web'));
    await repo.insertVersion(versionRow(profile, 'v1', 1));
    assert.equal(await repo.delete(orgId, 'web'), true);
    assert.equal(await repo.get(orgId, 'web'), undefined);
    assert.deepEqual(await repo.listVersions(orgId, 'web'), []);
    assert.equal(await repo.delete(orgId, 'web'), false);
    // The id is free again, and a new profile starts a fresh history.
    const again = await repo.insert(profileRow(orgId, 'web'));
    await repo.insertVersion(versionRow(again, 'v1', 1));
    assert.equal((await repo.listVersions(orgId, 'web')).length, 1);
  });
});
