import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createCoreServices } from '../org/index.js';
import { SecretBox, secretKeyFromBytes } from '../secrets/index.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import { forEachDialect } from '../store/testing.js';
import { createSealedStoreClient } from '../secrets/stores/sealed.js';
import { createValueSource } from './engine-source.js';
import { createValuesService } from './service.js';
import type { ValueScope } from './service.js';

forEachDialect('values service', (getStore) => {
  const box = new SecretBox(secretKeyFromBytes(randomBytes(32)));

  async function setup() {
    const store = getStore();
    const core = createCoreServices(store);
    const orgId = `o${randomBytes(4).toString('hex')}`;
    await core.orgs.create({ id: orgId, name: orgId }, 'admin');
    await core.envTypes.create(orgId, { id: 'development' }, 'admin');
    await core.apps.create(orgId, { id: 'shop', name: 'Shop' }, 'admin');
    const app: ValueScope = { orgId, appId: 'shop', envId: null };
    const env: ValueScope = { orgId, appId: 'shop', envId: 'development' };
    return { store, values: createValuesService(store, box), source: createValueSource(store, box), app, env };
  }

  it('merges env overrides over app values and pins them for the engine with secrets opened', async () => {
    const { values, source, app, env } = await setup();
    await values.create(app, { key: 'GREETING', value: 'hello', description: 'g' }, 'u1');
    await values.create(app, { key: 'API_KEY', value: 'app-secret', is_secret: true, description: '' }, 'u1');
    await values.replace(env, 'GREETING', { value: 'hi dev', description: 'dev greeting' }, 'u1');
    const listed = await values.list(env);
    assert.deepEqual(listed.map((v) => [v.key, v.value, v.source]), [['API_KEY', '', 'app'], ['GREETING', 'hi dev', 'env']]);

    const pinned = await source.valueSetFor(app.orgId, 'shop', 'development');
    assert.deepEqual(pinned.values, { API_KEY: { value: 'app-secret', secret: true }, GREETING: { value: 'hi dev', secret: false } });
    // A later change does not alter what the pinned version resolves to.
    await values.patch(app, 'API_KEY', { value: 'rotated' }, 'u2');
    assert.deepEqual((await source.valueSetFor(app.orgId, 'shop', 'development', pinned.id)).values.API_KEY, { value: 'app-secret', secret: true });
    const current = await source.valueSetFor(app.orgId, 'shop', 'development');
    assert.notEqual(current.id, pinned.id);
    assert.equal(current.values.API_KEY?.value, 'rotated');
  });

  it('a value with secret_ref keeps only the reference and is read from its store when pinned', async () => {
    const { store, values, app, env } = await setup();
    const sealed = createSealedStoreClient(store, box, app.orgId);
    const source = createValueSource(store, box, (_org, id) => (id === 'baton' ? Promise.resolve(sealed) : Promise.reject(new Error(`no store ${String(id)}`))));
    await sealed.write('shop/db', 'from-the-store-0001');
    const view = await values.create(app, { key: 'DB_PASSWORD', description: 'd', secret_ref: { store: 'baton', ref: 'shop/db' } }, 'u1');
    assert.deepEqual([view.value, view.is_secret, view.secret_store_id, view.secret_key, view.secret_version], ['', true, 'baton', 'shop/db', null]);
    assert.deepEqual((await source.valueSetFor(app.orgId, 'shop', 'development')).values.DB_PASSWORD, { value: 'from-the-store-0001', secret: true });
    await sealed.write('shop/db', 'rotated-in-store-0002');
    // the same pinned version reads the store again: rotation reaches a redeploy
    const pinned = await source.valueSetFor(app.orgId, 'shop', 'development');
    assert.equal(pinned.values.DB_PASSWORD?.value, 'rotated-in-store-0002');
    assert.equal((await source.valueSetFor(app.orgId, 'shop', 'development', pinned.id)).values.DB_PASSWORD?.value, 'rotated-in-store-0002');
    // a description-only patch keeps the reference; a pinned version is a reference too
    await values.patch(app, 'DB_PASSWORD', { description: 'new', secret_ref: undefined }, 'u1');
    assert.equal((await values.list(app))[0]?.secret_key, 'shop/db');
    await values.patch(app, 'DB_PASSWORD', { secret_ref: { store: 'baton', ref: 'shop/db', version: '1' } }, 'u1');
    assert.equal((await source.valueSetFor(app.orgId, 'shop', 'development')).values.DB_PASSWORD?.value, 'from-the-store-0001');
    // the stored version holds no value
    const rows = JSON.stringify(await store.db.selectFrom('value_set_versions').selectAll().execute());
    assert.ok(!rows.includes('from-the-store') && !rows.includes('rotated-in-store'));
    // a plain value cannot become a reference; a reference cannot be non-secret
    await values.create(app, { key: 'PLAIN', value: 'x', description: '' }, 'u1');
    await assert.rejects(values.patch(app, 'PLAIN', { secret_ref: { store: 'baton', ref: 'shop/db' } }, 'u1'), /must be secret/);
    await assert.rejects(values.create(app, { key: 'BAD', description: '', is_secret: false, secret_ref: { store: 'baton', ref: 'x' } }, 'u1'), InvalidInput);
    // a reference the store does not have fails naming the value, store and ref
    await values.create(env, { key: 'MISSING', description: '', secret_ref: { store: 'baton', ref: 'shop/none' } }, 'u1');
    await assert.rejects(source.valueSetFor(app.orgId, 'shop', 'development'), /environment value "MISSING": secret reference \{store: "baton", ref: "shop\/none"\} could not be resolved: store "baton" has no secret at ref "shop\/none"/);
  });

  it('records every change as a version with a patch that never holds a secret', async () => {
    const { values, app, env } = await setup();
    await values.create(app, { key: 'A', value: '1', description: '' }, 'alice');
    await values.patch(app, 'A', { value: '2' }, 'bob');
    await values.create(app, { key: 'S', value: 'top-secret', is_secret: true, description: '' }, 'bob');
    await values.delete(app, 'A', 'carol');
    const versions = await values.listVersions(app);
    assert.deepEqual(versions.map((v) => v.result_of), ['app_value_delete', 'app_value_create', 'app_value_update', 'app_value_create']);
    assert.deepEqual(versions.map((v) => v.created_by), ['carol', 'bob', 'bob', 'alice']);
    assert.deepEqual(versions[2]!.change, [{ op: 'replace', path: '/A/value', value: '2' }]);
    assert.ok(!JSON.stringify(versions).includes('top-secret'));
    assert.deepEqual((await values.listVersions(app, 'A')).length, 3);
    // The env got one version per app change, on top of the matching app version.
    assert.equal((await values.listVersions(env)).length, 4);
  });

  it('restores a whole version (deleting later keys) and a single key', async () => {
    const { values, app } = await setup();
    await values.create(app, { key: 'A', value: '1', description: '' }, 'u');
    const v1 = (await values.listVersions(app))[0]!;
    await values.patch(app, 'A', { value: '2' }, 'u');
    await values.create(app, { key: 'B', value: 'b', description: '' }, 'u');
    const restored = await values.restore(app, v1.id, 'back', 'u');
    assert.equal(restored.result_of, 'app_value_set_version_restore');
    assert.equal(restored.source_value_set_version_id, v1.id);
    assert.equal(restored.comment, 'back');
    assert.deepEqual((await values.list(app)).map((v) => [v.key, v.value]), [['A', '1']]);
    const withB = (await values.listVersions(app))[1]!; // the version that had A=2 and B
    await values.restoreKey(app, withB.id, 'B', undefined, 'u');
    assert.deepEqual((await values.list(app)).map((v) => [v.key, v.value]), [['A', '1'], ['B', 'b']]);
    await assert.rejects(values.restoreKey(app, v1.id, 'B', undefined, 'u'), NotFound);
  });

  it('purges a secret from history: sealed value gone, not restorable, not deployable', async () => {
    const { values, source, app, store } = await setup();
    await values.create(app, { key: 'TOKEN', value: 'tok-1', is_secret: true, description: '' }, 'u');
    const withSecret = (await values.listVersions(app))[0]!;
    await values.purge(app, withSecret.id, 'TOKEN', 'leaked', 'u');
    const rows = await store.db.selectFrom('value_set_versions').select(['value_set']).where('org_id', '=', app.orgId).execute();
    assert.ok(rows.every((r) => !r.value_set.includes('"sealed"')), 'no version keeps the sealed value');
    assert.deepEqual(await values.list(app), []);
    await assert.rejects(values.restoreKey(app, withSecret.id, 'TOKEN', undefined, 'u'), InvalidInput);
    const pinned = await source.valueSetFor(app.orgId, 'shop', 'development');
    assert.equal(pinned.values.TOKEN, undefined);
    assert.equal((await values.listVersions(app))[0]!.result_of, 'app_value_set_version_purge');
  });

  it('rejects duplicates, bad keys, unknown keys and secret-ness changes', async () => {
    const { values, app, env } = await setup();
    await values.create(app, { key: 'A', value: '1', description: '' }, 'u');
    await assert.rejects(values.create(app, { key: 'A', value: '2', description: '' }, 'u'), Conflict);
    await assert.rejects(values.create(app, { key: 'bad key', value: '2', description: '' }, 'u'), (e: unknown) => e instanceof InvalidInput && e.details.field === 'key');
    await assert.rejects(values.patch(env, 'MISSING', { value: 'x' }, 'u'), NotFound);
    await assert.rejects(values.replace(app, 'A', { value: 'x', is_secret: true, description: '' }, 'u'), (e: unknown) => e instanceof InvalidInput && e.details.field === 'is_secret');
    await assert.rejects(values.list({ ...env, envId: 'ghost' }), NotFound);
  });

  it('seals secrets bound to their scope: a copied envelope does not open elsewhere', async () => {
    const { values, source, app, env, store } = await setup();
    await values.create(app, { key: 'S', value: 'app-only', is_secret: true, description: '' }, 'u');
    const [appRow] = await store.db.selectFrom('value_set_versions').selectAll().where('org_id', '=', app.orgId).where('env_id', 'is', null).execute();
    assert.ok(appRow !== undefined && !appRow.value_set.includes('app-only'));
    // Forge an env override carrying the app's envelope: opening it must fail instead of leaking.
    await values.create(env, { key: 'S', value: 'x', is_secret: true, description: '' }, 'u');
    const envRow = await store.db.selectFrom('value_set_versions').selectAll().where('org_id', '=', app.orgId).where('env_id', '=', 'development').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const appSealed = (JSON.parse(appRow.value_set) as Record<string, { sealed: string }>).S!.sealed;
    const forged = JSON.parse(envRow.value_set) as Record<string, { sealed: string }>;
    forged.S!.sealed = appSealed;
    await store.db.updateTable('value_set_versions').set({ value_set: JSON.stringify(forged) }).where('id', '=', envRow.id).execute();
    await assert.rejects(source.valueSetFor(app.orgId, 'shop', 'development', envRow.id), InvalidInput);
  });
});
