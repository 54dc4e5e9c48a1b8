/**
 * Input safety through the real API (issue #14): no dotted path or JSON pointer from a request can reach
 * `Object.prototype` (a polluted prototype once switched authentication off for the whole process).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton, type InProcessBaton } from '../../test/helpers/in-process.js';

void describe('input safety', () => {
  let baton: InProcessBaton;
  let url: string;
  const call = async (method: string, path: string, body?: unknown, token: string | null = baton.token): Promise<{ status: number; body: { message?: string } & Record<string, unknown> }> => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { message?: string } };
  };
  const spec = { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { main: { image: 'nginx' } } };

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
    url = baton.url!;
    assert.equal((await call('POST', '/orgs/local/apps', { id: 'victim', name: 'Victim' })).status, 201);
  });
  after(async () => {
    await baton.stop();
  });

  async function assertStillLocked(): Promise<void> {
    assert.equal(({} as Record<string, unknown>).public, undefined, 'Object.prototype is untouched');
    assert.equal((await call('DELETE', '/orgs/local/apps/victim', undefined, null)).status, 401);
    assert.equal((await call('GET', '/orgs/local/apps/victim')).status, 200);
  }

  for (const path of ['__proto__.public', 'constructor.prototype.public', 'containers.main.__proto__.public']) {
    it(`convert-score refuses property_overrides ${path} with a 400 naming the path, and authentication stays on`, async () => {
      const res = await call('POST', '/orgs/local/artefact-versions/convert-score', { spec, property_overrides: { [path]: true } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(res.body.message?.includes(path), res.body.message);
      await assertStillLocked();
    });
  }

  it('convert-score refuses overrides documents with a constructor key', async () => {
    const res = await call('POST', '/orgs/local/artefact-versions/convert-score', { spec, overrides: { constructor: { prototype: { public: true } } } });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    await assertStillLocked();
  });

  for (const path of ['/__proto__/public', '/spec/constructor/prototype/public', '/spec/prototype']) {
    it(`applying a delta whose JSON-patch path is ${path} is a 400 naming the path, and authentication stays on`, async () => {
      const base = await call('POST', '/orgs/local/apps/victim/sets/0', { modules: { add: { web: { profile: 'humanitec/default-module', spec: { containers: {} } } } } });
      assert.equal(base.status, 200, JSON.stringify(base.body));
      const setId = base.body as unknown as string;
      const updated = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { modules: { update: { web: [{ op: 'add', path, value: true }] } } });
      assert.equal(updated.status, 400, JSON.stringify(updated.body));
      assert.ok(updated.body.message?.includes(JSON.stringify(path)), updated.body.message);
      const moved = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { modules: { update: { web: [{ op: 'copy', from: path, path: '/spec/x' }] } } });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      const shared = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { shared: [{ op: 'add', path, value: { type: 'x' } }] });
      assert.equal(shared.status, 400, JSON.stringify(shared.body));
      await assertStillLocked();
    });
  }
});
