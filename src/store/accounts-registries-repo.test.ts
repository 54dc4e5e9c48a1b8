import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Conflict } from '../shared/errors.js';
import { createPublicKeysRepo, createRegistriesRepo, createResourceAccountsRepo } from './accounts-registries-repo.js';
import type { PublicKeyRow, RegistryRow, ResourceAccountRow } from './accounts-registries-repo.js';
import { createActiveResourcesRepo } from './resource-active-repo.js';
import { createResourceDefinitionsRepo } from './resource-definitions-repo.js';
import type { ResourceDefinitionRow } from './resource-definitions-repo.js';
import type { Store } from './store.js';
import { forEachDialect } from './testing.js';

const AT = '2026-01-01T00:00:00.000Z';

async function freshOrg(store: Store): Promise<string> {
  const org = `o${randomBytes(4).toString('hex')}`;
  await store.db.insertInto('orgs').values({ id: org, name: org, created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('env_types').values({ org_id: org, id: 'development', description: '', created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('apps').values({ org_id: org, id: 'shop', name: 'Shop', created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('envs').values({ org_id: org, app_id: 'shop', id: 'dev', name: 'Dev', type: 'development', created_at: AT, created_by: 'test' }).execute();
  return org;
}

const account = (org: string, id: string): ResourceAccountRow => ({ org_id: org, id, name: id, type: 'aws', credentials_sealed: 'v1.k.w.p', created_at: AT, created_by: 'alice', updated_at: AT, updated_by: 'alice' });
const registry = (org: string, id: string, name: string): RegistryRow => ({ org_id: org, id, registry: name, type: 'basic', enable_ci: 1, secrets: null, creds_sealed: 'v1.k.w.p', created_at: AT, created_by: 'alice', updated_at: AT, updated_by: 'alice' });
const key = (org: string, id: string, fingerprint: string, created_at = AT): PublicKeyRow => ({ org_id: org, id, key: 'PEM', fingerprint, created_at, created_by: 'alice', expired_at: AT });
const definition = (org: string, id: string, driverAccount: string | null, deleted = 0): ResourceDefinitionRow => ({
  org_id: org, id, name: id, type: 'config', driver_type: 'humanitec/template', driver_account: driverAccount, driver_values: '{}', secret_paths: '[]', secrets_sealed: null,
  external_secret_refs: null, provision: '{}', in_place_driver_change: 0, active_version_id: '', is_deleted: deleted, created_at: AT, created_by: 'test', updated_at: AT, updated_by: 'test',
});

forEachDialect('resource accounts, registries and public keys repos', (getStore) => {
  it('stores accounts per org, refuses a duplicate id, updates and deletes', async () => {
    const store = getStore();
    const org = await freshOrg(store);
    const other = await freshOrg(store);
    const repo = createResourceAccountsRepo(store.db);
    await repo.insert(account(org, 'b-acct'));
    await repo.insert(account(org, 'a-acct'));
    await repo.insert(account(other, 'a-acct'));
    await assert.rejects(repo.insert(account(org, 'a-acct')), Conflict);
    assert.deepEqual((await repo.list(org)).map((a) => a.id), ['a-acct', 'b-acct']);
    await repo.update(org, 'a-acct', { name: 'renamed', credentials_sealed: 'v1.k.w.q' });
    assert.equal((await repo.get(org, 'a-acct'))?.name, 'renamed');
    assert.equal((await repo.get(other, 'a-acct'))?.name, 'a-acct');
    assert.equal(await repo.delete(org, 'b-acct'), true);
    assert.equal(await repo.delete(org, 'b-acct'), false);
    assert.deepEqual((await repo.list(org)).map((a) => a.id), ['a-acct']);
  });

  it('finds the non-deleted definitions and the active resources that use an account', async () => {
    const store = getStore();
    const org = await freshOrg(store);
    const repo = createResourceAccountsRepo(store.db);
    const defs = createResourceDefinitionsRepo(store.db);
    await repo.insert(account(org, 'used'));
    await repo.insert(account(org, 'idle'));
    await defs.insert(definition(org, 'def-a', 'used'));
    await defs.insert(definition(org, 'def-gone', 'idle', 1));
    await defs.insert(definition(org, 'def-none', null));
    await createActiveResourcesRepo(store.db).upsert({
      org_id: org, app_id: 'shop', env_id: 'dev', guresid: 'a'.repeat(40), env_type: 'development', type: 'config', class: 'default', res_id: 'modules.web.externals.c',
      def_id: 'old-def', def_version_id: 'v1', criteria_id: 'c1', driver_type: 'humanitec/template', driver_account: 'used', deploy_id: 'd1', status: 'active',
      resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0, updated_at: AT,
    });
    assert.deepEqual([...(await repo.usedIds(org))].sort(), ['used']);
    const refs = await repo.references(org, 'used');
    assert.deepEqual(refs.definitions, ['def-a']);
    assert.deepEqual(refs.activeResources.map((r) => [r.env_id, r.def_id, r.res_id]), [['dev', 'old-def', 'modules.web.externals.c']]);
    assert.deepEqual(await repo.references(org, 'idle'), { definitions: [], activeResources: [] });
  });

  it('stores registries, refusing a duplicate id or registry name with Conflict, on insert and on update', async () => {
    const store = getStore();
    const org = await freshOrg(store);
    const repo = createRegistriesRepo(store.db);
    await repo.insert(registry(org, 'ghcr', 'ghcr.io'));
    await repo.insert(registry(org, 'docker-hub', 'docker.io'));
    await assert.rejects(repo.insert(registry(org, 'ghcr', 'other.io')), Conflict);
    await assert.rejects(repo.insert(registry(org, 'ghcr-2', 'ghcr.io')), Conflict);
    await assert.rejects(repo.update(org, 'docker-hub', { registry: 'ghcr.io' }), Conflict);
    await repo.update(org, 'docker-hub', { enable_ci: 0, secrets: '{"*":{"namespace":"a","secret":"b"}}' });
    const row = await repo.get(org, 'docker-hub');
    assert.equal(row?.enable_ci, 0);
    assert.equal(row?.secrets, '{"*":{"namespace":"a","secret":"b"}}');
    assert.deepEqual((await repo.list(org)).map((r) => r.id), ['docker-hub', 'ghcr']);
    assert.equal(await repo.delete(org, 'ghcr'), true);
    assert.equal(await repo.get(org, 'ghcr'), undefined);
  });

  it('lists public keys newest first, selects one by fingerprint, refuses a duplicate fingerprint', async () => {
    const store = getStore();
    const org = await freshOrg(store);
    const repo = createPublicKeysRepo(store.db);
    await repo.insert(key(org, 'k1', 'aa', '2026-01-01T00:00:00.000Z'));
    await repo.insert(key(org, 'k2', 'bb', '2026-02-01T00:00:00.000Z'));
    await assert.rejects(repo.insert(key(org, 'k3', 'aa')), Conflict);
    assert.deepEqual((await repo.list(org)).map((k) => k.id), ['k2', 'k1']);
    assert.deepEqual((await repo.list(org, 'aa')).map((k) => k.id), ['k1']);
    assert.equal(await repo.delete(org, 'k1'), true);
    assert.deepEqual((await repo.list(org)).map((k) => k.id), ['k2']);
  });
});
