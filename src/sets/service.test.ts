import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createCoreServices } from '../org/index.js';
import { EMPTY_SET_ID, setId } from './index.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import { forEachDialect } from '../store/testing.js';
import { createSetsService } from './service.js';

async function setup(store: Store) {
  const core = createCoreServices(store);
  const orgId = `o${randomBytes(4).toString('hex')}`;
  await core.orgs.create({ id: orgId, name: 'o' }, 'u');
  await core.envTypes.create(orgId, { id: 'development' }, 'u');
  await core.apps.create(orgId, { id: 'app', name: 'A' }, 'u');
  return { core, orgId, appId: 'app', service: createSetsService(store, core) };
}

const web = (image: string) => ({ profile: 'humanitec/default-module', spec: { containers: { main: { image } } } });

forEachDialect('sets service', (getStore) => {
  it('applies a delta to 0, stores the result once, and returns the content-address id', async () => {
    const { service, orgId, appId } = await setup(getStore());
    const id = await service.sets.applyDelta(orgId, appId, '0', { modules: { add: { web: web('a:1') } } });
    const again = await service.sets.applyDelta(orgId, appId, EMPTY_SET_ID, { modules: { add: { web: web('a:1') } } });
    assert.equal(again, id);
    const set = await service.sets.get(orgId, appId, id);
    assert.equal(setId(set), id);
    assert.equal((await service.sets.list(orgId, appId)).items.length, 1);
  });

  it('stores nothing when an operation of the delta fails, and names module, index and path', async () => {
    const { service, orgId, appId } = await setup(getStore());
    const base = await service.sets.applyDelta(orgId, appId, '0', { modules: { add: { web: web('a:1') } } });
    await assert.rejects(
      service.sets.applyDelta(orgId, appId, base, {
        modules: { add: { other: web('b:1') }, update: { web: [{ op: 'remove', path: '/spec/nothing' }] } },
      }),
      (error: unknown) =>
        error instanceof InvalidInput && /"web"/.test(error.message) && error.details.operationIndex === 0 && error.details.path === '/spec/nothing',
    );
    assert.equal((await service.sets.list(orgId, appId)).items.length, 1);
  });

  it('keeps sets apart per app and 404s unknown sets and apps', async () => {
    const store = getStore();
    const { service, orgId, appId, core } = await setup(store);
    await core.apps.create(orgId, { id: 'other', name: 'O', skip_environment_creation: true }, 'u');
    const id = await service.sets.applyDelta(orgId, appId, '0', { modules: { add: { web: web('a:1') } } });
    await assert.rejects(service.sets.get(orgId, 'other', id), NotFound);
    await assert.rejects(service.sets.get(orgId, 'missing', '0'), NotFound);
    await assert.rejects(service.sets.diff(orgId, appId, id, 'f'.repeat(40)), NotFound);
  });

  it('adds a user other than the creator to contributers, once', async () => {
    const store = getStore();
    const { service, orgId, appId } = await setup(store);
    const delta = await service.deltas.create(orgId, appId, { metadata: { name: 'd' } }, 'alice');
    await service.deltas.merge(orgId, appId, delta.id, [{ modules: { remove: ['x'] } }], 'bob');
    await service.deltas.setName(orgId, appId, delta.id, 'd2', 'bob');
    const updated = await service.deltas.merge(orgId, appId, delta.id, [{ modules: { remove: ['y'] } }], 'alice');
    assert.deepEqual(updated.metadata.contributers, ['bob']);
    assert.equal(updated.metadata.name, 'd2');
    assert.deepEqual(updated.modules.remove, ['x', 'y']);
  });

  it('loses no update when PATCHes of one delta run concurrently', async () => {
    const { service, orgId, appId } = await setup(getStore());
    const delta = await service.deltas.create(orgId, appId, {}, 'u');
    const ids = Array.from({ length: 4 }, (_, i) => `m${i}`);
    const results = await Promise.allSettled(ids.map((id) => service.deltas.merge(orgId, appId, delta.id, [{ modules: { remove: [id] } }], 'u')));
    // A writer may give up with Conflict after repeated collisions, but a successful merge is never lost.
    const merged = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    for (const result of results) if (result.status === 'rejected') assert.ok(result.reason instanceof Conflict);
    const stored = await service.deltas.get(orgId, appId, delta.id);
    assert.deepEqual([...stored.modules.remove].sort(), merged.sort());
    assert.ok(merged.length >= 1);
  });

  it('refuses invalid env ids and content changes to archived deltas', async () => {
    const { service, orgId, appId } = await setup(getStore());
    await assert.rejects(service.deltas.create(orgId, appId, { metadata: { env_id: 'Bad Env' } }, 'u'), InvalidInput);
    const delta = await service.deltas.create(orgId, appId, {}, 'u');
    await service.deltas.setArchived(orgId, appId, delta.id, true, 'u');
    await assert.rejects(service.deltas.replace(orgId, appId, delta.id, {}, 'u'), Conflict);
    assert.equal((await service.deltas.list(orgId, appId)).items.length, 0);
    assert.equal((await service.deltas.list(orgId, appId, { archived: true })).items.length, 1);
  });
});
