/**
 * Definition versions through the definitions service, on SQLite and PostgreSQL: proposed updates, promote, archive,
 * Baton's defaults, and active resources pinned to a version (what the engine then gets from `pinsForEngine`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createBuiltinRegistry } from '../../drivers/registry.js';
import { createCoreServices } from '../../org/index.js';
import { SecretBox, secretKeyFromBytes } from '../../secrets/index.js';
import { Conflict, InvalidInput, NotFound } from '../../shared/errors.js';
import { createActiveResourcesRepo } from '../../store/resource-active-repo.js';
import { forEachDialect } from '../../store/testing.js';
import { FALLBACK_DEFINITIONS } from '../defaults/index.js';
import { createResourceServices } from './index.js';

forEachDialect('definition versions', (getStore) => {
  const setup = async (org: string) => {
    const store = getStore();
    const core = createCoreServices(store);
    await core.orgs.create({ id: org, name: org }, 'test');
    await core.envTypes.create(org, { id: 'development' }, 'test');
    await core.apps.create(org, { id: 'shop', name: 'Shop' }, 'test');
    const services = createResourceServices({
      store,
      core,
      secretBox: new SecretBox(secretKeyFromBytes(randomBytes(32))),
      drivers: createBuiltinRegistry({ terraformStateDir: join(tmpdir(), 'baton-def-versions-test') }),
      defaults: FALLBACK_DEFINITIONS,
    });
    const defs = services.definitions;
    const engineInputs = async (id: string) => (await defs.loadForEngine(org)).find((d) => d.id === id)?.driver_inputs;
    const versions = async (id: string) => (await defs.listVersions(org, id)).items;
    return { store, core, defs, engineInputs, versions };
  };

  const activeRow = (org: string, defId: string, defVersionId: string) => ({
    org_id: org, app_id: 'shop', env_id: 'development', guresid: 'e'.repeat(40), env_type: 'development', type: 'config', class: 'default',
    res_id: 'shared.settings', def_id: defId, def_version_id: defVersionId, criteria_id: 'c', driver_type: 'humanitec/echo', driver_account: null,
    deploy_id: 'd1', status: 'active', resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0, updated_at: '2024-05-01T00:00:00.000Z',
  });

  it('keeps a proposed update out of deployments until it is promoted, and promoting an old version brings its content and secrets back', async () => {
    const org = 'prop-org';
    const { defs, engineInputs, versions } = await setup(org);
    const created = await defs.create(org, { id: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { v: 1 }, secrets: { token: 's1' } }, criteria: [{ env_type: 'development' }] }, 'alice');
    const v1 = created.active_version_id;

    const proposedView = await defs.patch(org, 'cfg', { driver_inputs: { values: { v: 2 } }, proposed: true }, 'bob');
    assert.equal(proposedView.active_version_id, v1, 'the definition stays on its active version');
    assert.deepEqual((await engineInputs('cfg'))?.values, { v: 1 });
    const [v2, first] = await versions('cfg');
    assert.deepEqual([v2?.proposed, v2?.active, v2?.created_by, v2?.driver_inputs.values], [true, false, 'bob', { v: 2 }]);
    assert.deepEqual([first?.id, first?.active, first?.proposed], [v1, true, false]);

    await defs.promoteVersion(org, 'cfg', v2!.id, 'carol');
    assert.deepEqual(await engineInputs('cfg'), { values: { v: 2 }, secrets: { token: 's1' } });
    const promoted = await defs.get(org, 'cfg');
    assert.deepEqual([promoted.active_version_id, promoted.updated_by], [v2!.id, 'carol']);
    assert.equal((await versions('cfg')).length, 2, 'promoting writes no version');

    const v3 = (await defs.replace(org, 'cfg', { name: 'cfg', driver_inputs: { values: { v: 3 }, secrets: { token: 's3' } } }, 'dave')).active_version_id;
    assert.deepEqual(await engineInputs('cfg'), { values: { v: 3 }, secrets: { token: 's3' } });

    await defs.promoteVersion(org, 'cfg', v1, 'erin');
    assert.deepEqual(await engineInputs('cfg'), { values: { v: 1 }, secrets: { token: 's1' } }, 'the first version, its secret included');
    const afterRollback = await versions('cfg');
    assert.deepEqual(afterRollback.map((v) => [v.id, v.active, v.proposed]), [[v3, false, true], [v2!.id, false, true], [v1, true, false]]);
    // Criteria choose the definition; a version says how it provisions: promoting leaves them alone.
    assert.deepEqual((await defs.get(org, 'cfg')).criteria.map((c) => c.env_type), ['development']);
    assert.equal((await defs.getVersion(org, 'cfg', v3)).proposed, true);
    await assert.rejects(defs.getVersion(org, 'cfg', 'no-such-version'), NotFound);
    await assert.rejects(defs.promoteVersion(org, 'cfg', 'no-such-version', 'x'), NotFound);
  });

  it('refuses to archive the active version, archived versions cannot be promoted or pinned, and unarchiving gives them back', async () => {
    const org = 'arch-org';
    const { store, defs } = await setup(org);
    const v1 = (await defs.create(org, { id: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { v: 1 } }, criteria: [{}] }, 't')).active_version_id;
    const v2 = (await defs.patch(org, 'cfg', { driver_inputs: { values: { v: 2 } } }, 't')).active_version_id;
    await createActiveResourcesRepo(store.db).upsert(activeRow(org, 'cfg', v2));

    await assert.rejects(defs.archiveVersion(org, 'cfg', v2, true), (e: unknown) => e instanceof InvalidInput && /active version/.test(e.message));
    await defs.archiveVersion(org, 'cfg', v1, true);
    const archived = await defs.getVersion(org, 'cfg', v1);
    assert.deepEqual([archived.archived, archived.active, archived.proposed], [true, false, false]);
    await assert.rejects(defs.promoteVersion(org, 'cfg', v1, 't'), (e: unknown) => e instanceof InvalidInput && /archived/.test(e.message));
    await assert.rejects(defs.pin(org, 'shop', 'development', 'config', 'shared.settings', v1), (e: unknown) => e instanceof InvalidInput && /archived/.test(e.message));

    await defs.archiveVersion(org, 'cfg', v1, false);
    assert.equal((await defs.getVersion(org, 'cfg', v1)).archived, false);
    await defs.pin(org, 'shop', 'development', 'config.default', 'shared.settings', v1);
    await assert.rejects(defs.archiveVersion(org, 'cfg', v1, true), (e: unknown) => e instanceof InvalidInput && /pinned by 1 active resource/.test(e.message));
    const pins = await defs.pinsForEngine(org, 'shop', 'development');
    assert.deepEqual([...pins.keys()], ['config.default#shared.settings']);
    const pinned = pins.get('config.default#shared.settings');
    assert.deepEqual([pinned?.id, pinned?.version_id, pinned?.driver_inputs.values], ['cfg', v1, { v: 1 }]);

    await defs.pin(org, 'shop', 'development', 'config', 'shared.settings', null);
    assert.equal((await defs.pinsForEngine(org, 'shop', 'development')).size, 0, 'null unpins');
    await defs.archiveVersion(org, 'cfg', v1, true);
  });

  it('pins only to a version of the definition that provisioned the resource, and only resources that exist', async () => {
    const org = 'pin-org';
    const { store, defs } = await setup(org);
    const v1 = (await defs.create(org, { id: 'cfg', type: 'config', driver_type: 'humanitec/echo', criteria: [{}] }, 't')).active_version_id;
    const other = (await defs.create(org, { id: 'other', type: 'config', driver_type: 'humanitec/echo', criteria: [{ app_id: 'x' }] }, 't')).active_version_id;
    await createActiveResourcesRepo(store.db).upsert(activeRow(org, 'cfg', v1));
    await assert.rejects(defs.pin(org, 'shop', 'development', 'config', 'shared.settings', other), NotFound);
    await assert.rejects(defs.pin(org, 'shop', 'development', 'config', 'shared.nothing', v1), NotFound);
    await assert.rejects(defs.pin(org, 'shop', 'development', 'config.other-class', 'shared.settings', v1), NotFound);
    await assert.rejects(defs.pin(org, 'shop', 'no-env', 'config', 'shared.settings', v1), NotFound);
    await defs.pin(org, 'shop', 'development', 'config', 'shared.settings', v1);
    assert.equal((await defs.activeResources(org, 'cfg'))[0]?.target_def_version_id, v1, 'the resource shows its pin');
  });

  it("gives Baton's defaults one active version, builtin, that cannot be archived, promoted or pinned to (409)", async () => {
    const org = 'dflt-org';
    const { defs } = await setup(org);
    const builtin = FALLBACK_DEFINITIONS[0]!;
    const { items } = await defs.listVersions(org, builtin.id);
    assert.deepEqual(items.map((v) => [v.id, v.def_id, v.active, v.archived, v.proposed, v.action]), [['builtin', builtin.id, true, false, false, 'created']]);
    assert.equal((await defs.getVersion(org, builtin.id, 'builtin')).type, builtin.type);
    await assert.rejects(defs.getVersion(org, builtin.id, 'v2'), NotFound);
    await assert.rejects(defs.archiveVersion(org, builtin.id, 'builtin', true), Conflict);
    await assert.rejects(defs.promoteVersion(org, builtin.id, 'builtin', 't'), Conflict);
  });

  it('hides the versions of a deleted definition unless asked, never promotes its deletion record, and pages versions', async () => {
    const org = 'page-org';
    const { defs } = await setup(org);
    await defs.create(org, { id: 'cfg', type: 'config', driver_type: 'humanitec/echo', criteria: [{}] }, 't');
    for (let v = 2; v <= 5; v++) await defs.patch(org, 'cfg', { driver_inputs: { values: { v } } }, 't');
    const page1 = await defs.listVersions(org, 'cfg', { page: { limit: 2 } });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.nextToken);
    const page2 = await defs.listVersions(org, 'cfg', { page: { limit: 2, token: page1.nextToken } });
    const page3 = await defs.listVersions(org, 'cfg', { page: { limit: 2, token: page2.nextToken } });
    assert.equal(page3.nextToken, undefined);
    const all = (await defs.listVersions(org, 'cfg')).items.map((v) => v.id);
    assert.deepEqual([...page1.items, ...page2.items, ...page3.items].map((v) => v.id), all);
    await assert.rejects(defs.listVersions(org, 'cfg', { page: { limit: 2, token: 'garbage' } }), InvalidInput);

    await defs.delete(org, 'cfg', {}, 't');
    await assert.rejects(defs.listVersions(org, 'cfg'), NotFound);
    const [deletion] = (await defs.listVersions(org, 'cfg', { deleted: true })).items;
    assert.equal(deletion?.action, 'deleted');
    await assert.rejects(defs.promoteVersion(org, 'cfg', deletion.id, 't'), NotFound, 'a deleted definition has nothing to promote');
  });
});
