import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Conflict, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { forEachDialect } from '../store/testing.js';
import { bootstrap, createCoreServices } from './index.js';

forEachDialect('core services', (getStore) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-org-'));
  const services = () => createCoreServices(getStore());

  it('first start seeds the org, env types and an admin whose bootstrap token authenticates; a restart does not re-seed', async () => {
    const first = await bootstrap(services(), { orgId: 'seeded', bootstrapToken: 't0ken', dataDir });
    assert.deepEqual(first, { seededOrg: true, seededAdmin: true });
    assert.deepEqual((await services().envTypes.list('seeded')).map((t) => t.id), ['development', 'production', 'staging']);
    const admin = await services().tokens.authenticate('t0ken');
    const again = await bootstrap(services(), { orgId: 'seeded', bootstrapToken: 'other', dataDir });
    assert.deepEqual(again, { seededOrg: false, seededAdmin: false });
    assert.equal((await services().tokens.authenticate('t0ken')).id, admin.id);
    await assert.rejects(services().tokens.authenticate('other'), Unauthenticated);
    const stored = await getStore().db.selectFrom('tokens').select('token_hash').execute();
    assert.deepEqual(stored.map((r) => r.token_hash), [services().hasher.hash('t0ken')]);
  });

  it('creating an app creates its development environment, or the env given', async () => {
    const s = services();
    await bootstrap(s, { orgId: 'apps', bootstrapToken: 'x', dataDir });
    const created = await s.apps.create('apps', { id: 'shop', name: 'Shop' }, 'u');
    assert.deepEqual(created.envs.map((e) => [e.id, e.type]), [['development', 'development']]);
    const custom = await s.apps.create('apps', { id: 'blog', name: 'Blog', env: { id: 'qa', name: 'QA', type: 'staging' } }, 'u');
    assert.deepEqual(custom.envs.map((e) => [e.id, e.type]), [['qa', 'staging']]);
    const skipped = await s.apps.create('apps', { id: 'bare', name: 'Bare', skip_environment_creation: true }, 'u');
    assert.deepEqual(skipped.envs, []);
    await assert.rejects(s.apps.create('apps', { id: 'shop', name: 'Again' }, 'u'), Conflict);
    // A failed first env leaves no half-created app behind.
    await assert.rejects(s.apps.create('apps', { id: 'half', name: 'H', env: { id: 'e', name: 'E', type: 'nope' } }, 'u'), InvalidInput);
    await assert.rejects(s.apps.get('apps', 'half'), NotFound);
  });

  it('an env type in use cannot be deleted; an unused one can', async () => {
    const s = services();
    await bootstrap(s, { orgId: 'types', bootstrapToken: 'y', dataDir });
    await s.apps.create('types', { id: 'a', name: 'A' }, 'u');
    await assert.rejects(s.envTypes.delete('types', 'development'), Conflict);
    await s.envTypes.create('types', { id: 'qa', description: 'QA' }, 'u');
    await s.envTypes.delete('types', 'qa');
    await assert.rejects(s.envTypes.get('types', 'qa'), NotFound);
  });

  it('names the missing object in NotFound and the bad field in InvalidInput', async () => {
    const s = services();
    await assert.rejects(s.apps.list('no-such-org'), (e: unknown) => e instanceof NotFound && e.details.kind === 'organization');
    await bootstrap(s, { orgId: 'names', bootstrapToken: 'z', dataDir });
    await assert.rejects(s.envs.list('names', 'ghost'), (e: unknown) => e instanceof NotFound && e.details.kind === 'application');
    await assert.rejects(s.apps.create('names', { id: 'Bad_Id', name: 'x' }, 'u'), (e: unknown) => e instanceof InvalidInput && e.details.field === 'id');
  });

  it("lists apps with their environments' id, name and type; a missing org is NotFound whether the page is empty or its token bad", async () => {
    const s = services();
    const missingOrg = (e: unknown) => e instanceof NotFound && e.details.kind === 'organization';
    await bootstrap(s, { orgId: 'listing', bootstrapToken: 'l', dataDir });
    assert.deepEqual(await s.apps.list('listing'), { items: [] });
    await s.apps.create('listing', { id: 'b', name: 'B' }, 'u');
    await s.apps.create('listing', { id: 'a', name: 'A', env: { id: 'qa', name: 'QA', type: 'staging' } }, 'u');
    await s.envs.create('listing', 'a', { id: 'live', name: 'Live', type: 'production' }, 'u');
    const shown = (page: Awaited<ReturnType<typeof s.apps.list>>) => page.items.map(({ app, envs }) => [app.id, app.org_id, envs.map((e) => [e.id, e.name, e.type])]);
    const expected = [
      ['a', 'listing', [['qa', 'QA', 'staging'], ['live', 'Live', 'production']]],
      ['b', 'listing', [['development', 'Development', 'development']]],
    ];
    assert.deepEqual(shown(await s.apps.list('listing')), expected);
    assert.deepEqual(shown(await s.apps.list('listing', { page: { limit: 1 } })), expected.slice(0, 1));
    // A member without app roles sees none of them (the org exists: no error).
    assert.deepEqual(await s.apps.list('listing', { memberId: 'nobody' }), { items: [] });
    await assert.rejects(s.apps.list('no-such-org', { memberId: 'nobody' }), missingOrg);
    await assert.rejects(s.apps.list('no-such-org', { page: { limit: 2, token: 'not-a-token' } }), missingOrg);
    await assert.rejects(s.apps.list('listing', { page: { limit: 2, token: 'not-a-token' } }), InvalidInput);
  });
});

it('a generated admin token is written to <dataDir>/admin-token with mode 0600', async () => {
  const { createStore } = await import('../store/index.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-org-'));
  const store = await createStore({ dataDir });
  try {
    const result = await bootstrap(createCoreServices(store), { orgId: 'local', dataDir });
    assert.ok(result.adminTokenFile);
    assert.equal(statSync(result.adminTokenFile).mode & 0o777, 0o600);
    const token = readFileSync(result.adminTokenFile, 'utf8').trim();
    assert.ok(token.length >= 40);
    assert.equal((await createCoreServices(store).tokens.authenticate(token)).name, 'Administrator');
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
