import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FALLBACK_DEFINITIONS } from '../defaults/index.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createBuiltinRegistry } from '../../drivers/registry.js';
import { createCoreServices } from '../../org/index.js';
import { SecretBox, secretKeyFromBytes } from '../../secrets/index.js';
import { Conflict } from '../../shared/errors.js';
import { createActiveResourcesRepo } from '../../store/resource-active-repo.js';
import { forEachDialect } from '../../store/testing.js';
import { createResourceServices } from './index.js';

forEachDialect('definitions service', (getStore) => {
  const setup = async (org: string) => {
    const store = getStore();
    const core = createCoreServices(store);
    await core.orgs.create({ id: org, name: org }, 'test');
    await core.envTypes.create(org, { id: 'development' }, 'test');
    await core.apps.create(org, { id: 'shop', name: 'Shop' }, 'test');
    const services = createResourceServices({ store, core, secretBox: new SecretBox(secretKeyFromBytes(randomBytes(32))), drivers: createBuiltinRegistry({ terraformStateDir: join(tmpdir(), 'baton-definitions-test') }), defaults: FALLBACK_DEFINITIONS });
    return { store, services };
  };

  it('refuses to delete a definition that active resources use, listing them, unless forced', async () => {
    const { store, services } = await setup('del-org');
    await services.definitions.create('del-org', { id: 'pg-a', type: 'postgres', driver_type: 'humanitec/echo', criteria: [{}] }, 'test');
    await createActiveResourcesRepo(store.db).upsert({
      org_id: 'del-org', app_id: 'shop', env_id: 'development', guresid: 'b'.repeat(40), env_type: 'development', type: 'postgres',
      class: 'default', res_id: 'modules.api.externals.db', def_id: 'pg-a', def_version_id: 'v', criteria_id: 'c', driver_type: 'humanitec/echo',
      driver_account: null, deploy_id: 'd1', status: 'active', resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0,
      updated_at: '2024-05-01T00:00:00.000Z',
    });
    await assert.rejects(services.definitions.delete('del-org', 'pg-a', {}, 'test'), (error: unknown) => {
      assert.ok(error instanceof Conflict);
      assert.match(error.message, /modules\.api\.externals\.db/);
      assert.deepEqual((error.details.resources as { res_id: string }[]).map((r) => r.res_id), ['modules.api.externals.db']);
      return true;
    });
    assert.equal((await services.definitions.activeResources('del-org', 'pg-a')).length, 1);
    await services.definitions.delete('del-org', 'pg-a', { force: true }, 'test');
    assert.deepEqual((await services.definitions.list('del-org')).filter((d) => !d.is_default).map((d) => d.id), []);
    const deleted = await services.definitions.get('del-org', 'pg-a', { deleted: true });
    assert.equal(deleted.is_deleted, true);
    assert.deepEqual((await services.definitions.listVersions('del-org', 'pg-a', { deleted: true })).items.map((v) => v.action), ['deleted', 'created']);
  });

  it('hands the engine opened secrets while every view shows reference paths', async () => {
    const { services } = await setup('sec-org');
    await services.definitions.create(
      'sec-org',
      { id: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { a: 1 }, secrets: { db: { password: 'pw-123' } } }, criteria: [{}] },
      'test',
    );
    const view = await services.definitions.get('sec-org', 'cfg');
    assert.deepEqual(view.driver_inputs, { values: { a: 1 }, secrets: { db: { password: 'orgs/sec-org/resources/defs/cfg/driver_inputs/secrets/db/password' } } });
    const [engine] = await services.definitions.loadForEngine('sec-org');
    assert.deepEqual(engine?.driver_inputs.secrets, { db: { password: 'pw-123' } });
    // PATCH merges driver_inputs: a new secret is added, the stored one (written back as its path) is kept.
    await services.definitions.patch('sec-org', 'cfg', { driver_inputs: { secrets: { token: 't-456' } } }, 'test');
    const [patched] = await services.definitions.loadForEngine('sec-org');
    assert.deepEqual(patched?.driver_inputs.secrets, { db: { password: 'pw-123' }, token: 't-456' });
  });
});
