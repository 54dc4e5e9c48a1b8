import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../test/helpers/in-process.js';

describe('core API (in process)', () => {
  let baton: InProcessBaton;
  before(async () => {
    baton = await startInProcessBaton();
  });
  after(() => baton.stop());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    baton.app.inject({ method, url, headers: baton.authHeaders, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('serves /healthz without a token', async () => {
    const res = await baton.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
  });

  it('serves /readyz without a token (the database answers, migrations current) and lists both probes in the OpenAPI document', async () => {
    const ready = await baton.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().status, 'ready');
    const paths = Object.keys((await baton.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths as object);
    assert.ok(paths.includes('/healthz') && paths.includes('/readyz'), paths.join(' '));
  });

  it('rejects requests without or with a wrong token with a Humanitec error body', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }]) {
      const res = await baton.app.inject({ method: 'GET', url: '/orgs', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'UNAUTHENTICATED');
      assert.equal(typeof res.json().message, 'string');
    }
  });

  it('lists the seeded org and returns the current user', async () => {
    const orgs = await call('GET', '/orgs');
    assert.deepEqual(orgs.json().map((o: { id: string }) => o.id), ['local']);
    const me = await call('GET', '/current-user');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().name, 'Administrator');
  });

  it('creates an app with its development env, adds and renames envs, and deletes the app', async () => {
    const created = await call('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' });
    assert.equal(created.statusCode, 201);
    assert.deepEqual(created.json().envs, [{ id: 'development', name: 'Development', type: 'development' }]);
    const env = await call('POST', '/orgs/local/apps/shop/envs', { id: 'stage', name: 'Stage', type: 'staging' });
    assert.equal(env.statusCode, 201);
    assert.equal(env.json().type, 'staging');
    const renamed = await call('PATCH', '/orgs/local/apps/shop/envs/stage', { name: 'Staging' });
    assert.equal(renamed.json().name, 'Staging');
    assert.equal((await call('GET', '/orgs/local/apps/shop/envs')).json().length, 2);
    assert.equal((await call('DELETE', '/orgs/local/apps/shop')).statusCode, 204);
    const gone = await call('GET', '/orgs/local/apps/shop');
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().details.kind, 'application');
  });

  it('answers 404 naming the org, 409 for duplicates and for deleting an env type in use', async () => {
    const noOrg = await call('GET', '/orgs/nope/apps');
    assert.equal(noOrg.statusCode, 404);
    assert.match(noOrg.json().message, /organization "nope"/);
    await call('POST', '/orgs/local/apps', { id: 'dup', name: 'Dup' });
    const dup = await call('POST', '/orgs/local/apps', { id: 'dup', name: 'Dup' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error, 'CONFLICT');
    const inUse = await call('DELETE', '/orgs/local/env-types/development');
    assert.equal(inUse.statusCode, 409);
    const unused = await call('POST', '/orgs/local/env-types', { id: 'qa', description: 'QA' });
    assert.equal(unused.statusCode, 201);
    assert.equal((await call('DELETE', '/orgs/local/env-types/qa')).statusCode, 204);
  });

  it('rejects a bad id with 400 naming the field', async () => {
    const res = await call('POST', '/orgs/local/apps', { id: 'Bad_ID', name: 'x' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'INVALID_INPUT');
    assert.equal(res.json().details.field, 'id');
    assert.match(res.json().message, /\bid\b/);
  });
});
