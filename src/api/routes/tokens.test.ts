import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';
import type { RouteModule } from './types.js';
import { registerTokenRoutes } from './tokens.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`token routes [${dialect}]`, () => {
    let baton: InProcessBaton;
    let me: string;
    before(async () => {
      baton = await startInProcessBaton({ dialect, env: { BATON_AUTH_FAILURE_LIMIT: '0' } });
      me = (await baton.app.inject({ method: 'GET', url: '/current-user', headers: baton.authHeaders })).json<{ id: string }>().id;
    });
    after(() => baton.stop());

    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const create = (body: object, token = baton.token) =>
      baton.app.inject({ method: 'POST', url: `/users/${me}/tokens`, headers: bearer(token), payload: body });

    it('creates a token shown once, which then authenticates; list and get show metadata only', async () => {
      const res = await create({ id: 'ci', type: 'static', description: 'CI pipeline' });
      assert.equal(res.statusCode, 200, res.body);
      const { token, type } = res.json<{ token: string; type: string }>();
      assert.equal(type, 'static');
      const whoami = await baton.app.inject({ method: 'GET', url: '/current-user', headers: bearer(token) });
      assert.equal(whoami.statusCode, 200);
      assert.equal(whoami.json().id, me);
      const list = await baton.app.inject({ method: 'GET', url: `/users/${me}/tokens`, headers: bearer(token) });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().map((t: { id: string }) => t.id).sort(), ['bootstrap', 'ci']);
      assert.ok(!list.body.includes(token));
      const one = await baton.app.inject({ method: 'GET', url: `/users/${me}/tokens/ci`, headers: baton.authHeaders });
      assert.equal(one.statusCode, 200);
      const info = one.json();
      assert.deepEqual({ id: info.id, type: info.type, description: info.description, created_by: info.created_by }, { id: 'ci', type: 'static', description: 'CI pipeline', created_by: me });
      assert.equal(info.expires_at, undefined);
      assert.equal(info.token, undefined);
      assert.equal((await create({ id: 'ci', type: 'static' })).statusCode, 409);
      assert.equal((await baton.app.inject({ method: 'GET', url: `/users/${me}/tokens/nope`, headers: baton.authHeaders })).statusCode, 404);
    });

    it('refuses bad bodies with 400: unknown type, past expiry, unknown fields, bad id', async () => {
      for (const body of [
        { id: 'a', type: 'jwt' },
        { id: 'b', type: 'static', expires_at: '2001-01-01T00:00:00Z' },
        { id: 'c', type: 'static', token: 'chosen-by-me' },
        { id: 'Not An Id', type: 'static' },
        { type: 'static' },
      ]) {
        const res = await create(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
      }
    });

    it('a deleted token is refused (401) on the very next request', async () => {
      const { token } = (await create({ id: 'short-lived', type: 'static' })).json<{ token: string }>();
      assert.equal((await baton.app.inject({ method: 'GET', url: '/orgs', headers: bearer(token) })).statusCode, 200);
      const deleted = await baton.app.inject({ method: 'DELETE', url: `/users/${me}/tokens/short-lived`, headers: bearer(token) });
      assert.equal(deleted.statusCode, 204);
      const next = await baton.app.inject({ method: 'GET', url: '/orgs', headers: bearer(token) });
      assert.equal(next.statusCode, 401);
      assert.equal(next.json().error, 'UNAUTHENTICATED');
      assert.equal((await baton.app.inject({ method: 'DELETE', url: `/users/${me}/tokens/short-lived`, headers: baton.authHeaders })).statusCode, 404);
    });

    it('an expired token is refused (401)', async () => {
      const expiresAt = new Date(Date.now() + 1_500).toISOString();
      const res = await create({ id: 'expiring', type: 'static', expires_at: expiresAt });
      assert.equal(res.statusCode, 200, res.body);
      const { token } = res.json<{ token: string }>();
      assert.equal((await baton.app.inject({ method: 'GET', url: '/orgs', headers: bearer(token) })).statusCode, 200);
      const info = (await baton.app.inject({ method: 'GET', url: `/users/${me}/tokens/expiring`, headers: baton.authHeaders })).json();
      assert.equal(info.expires_at, expiresAt);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      assert.equal((await baton.app.inject({ method: 'GET', url: '/orgs', headers: bearer(token) })).statusCode, 401);
    });

    it("another user's tokens are hidden: 404 for a user the caller shares no org with", async () => {
      const other = await baton.services.users.create({ name: 'Robot', type: 'service' });
      for (const [method, url] of [['GET', `/users/${other.id}/tokens`], ['GET', `/users/${other.id}/tokens/x`], ['DELETE', `/users/${other.id}/tokens/x`]] as const) {
        const res = await baton.app.inject({ method, url, headers: baton.authHeaders });
        assert.equal(res.statusCode, 404, `${method} ${url}`);
        assert.equal(res.json().details.kind, 'user');
      }
      const post = await baton.app.inject({ method: 'POST', url: `/users/${other.id}/tokens`, headers: baton.authHeaders, payload: { id: 'x', type: 'static' } });
      assert.equal(post.statusCode, 404);
    });

    it('no token of any kind is stored in clear', async () => {
      const { token } = (await create({ id: 'grep-me', type: 'static' })).json<{ token: string }>();
      const secrets = [token, baton.token];
      if (dialect === 'sqlite') {
        const files = readdirSync(baton.dataDir).filter((f) => f.startsWith('baton.db'));
        assert.ok(files.includes('baton.db'), files.join(','));
        for (const file of files) {
          const bytes = readFileSync(join(baton.dataDir, file));
          for (const secret of secrets) assert.equal(bytes.indexOf(secret), -1, `${file} contains a token in clear`);
        }
      } else {
        const rows = await baton.store.db.selectFrom('tokens').selectAll().execute();
        assert.ok(rows.length >= 2);
        const text = JSON.stringify(rows);
        for (const secret of secrets) assert.ok(!text.includes(secret), 'a tokens row contains a token in clear');
        for (const row of rows) assert.match(row.token_hash, /^hmac-sha256:[0-9a-f]{64}$/);
      }
    });

  });
}

it('every token route declares its contract permission key', async () => {
  const seen: Record<string, unknown> = {};
  const spy: RouteModule = (app, deps) => {
    app.addHook('onRoute', (route) => {
      if (route.method === 'HEAD') return; // Fastify's automatic twin of each GET
      seen[`${String(route.method)} ${route.url}`] = (route.config as { permission?: unknown } | undefined)?.permission;
    });
    return registerTokenRoutes(app, deps);
  };
  const baton = await startInProcessBaton({ routeModules: [spy] });
  try {
    assert.deepEqual(seen, {
      'GET /users/:userId/tokens': 'tokens.list',
      'POST /users/:userId/tokens': 'tokens.create',
      'GET /users/:userId/tokens/:tokenId': 'tokens.read',
      'DELETE /users/:userId/tokens/:tokenId': 'tokens.delete',
    });
  } finally {
    await baton.stop();
  }
});

describe('failed authentication rate limit (HTTP)', () => {
  let baton: InProcessBaton;
  before(async () => {
    baton = await startInProcessBaton({ env: { BATON_AUTH_FAILURE_LIMIT: '3' } });
  });
  after(() => baton.stop());

  it('answers 429 with Retry-After after 3 wrong tokens from one address, even with a good token; other addresses and successes are unaffected', async () => {
    for (let i = 0; i < 30; i++) {
      const ok = await baton.app.inject({ method: 'GET', url: '/orgs', headers: baton.authHeaders, remoteAddress: '192.0.2.10' });
      assert.equal(ok.statusCode, 200, 'successful authentication is never throttled');
    }
    // A missing header guesses nothing and is not counted.
    for (let i = 0; i < 5; i++) assert.equal((await baton.app.inject({ method: 'GET', url: '/orgs', remoteAddress: '192.0.2.20' })).statusCode, 401);
    for (let i = 0; i < 3; i++) {
      const res = await baton.app.inject({ method: 'GET', url: '/orgs', headers: { authorization: `Bearer wrong-${i}` }, remoteAddress: '192.0.2.20' });
      assert.equal(res.statusCode, 401);
    }
    const blocked = await baton.app.inject({ method: 'GET', url: '/orgs', headers: { authorization: 'Bearer wrong-again' }, remoteAddress: '192.0.2.20' });
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().error, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(blocked.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(blocked.headers['retry-after']));
    const goodButBlocked = await baton.app.inject({ method: 'GET', url: '/orgs', headers: baton.authHeaders, remoteAddress: '192.0.2.20' });
    assert.equal(goodButBlocked.statusCode, 429);
    const elsewhere = await baton.app.inject({ method: 'GET', url: '/orgs', headers: baton.authHeaders, remoteAddress: '192.0.2.10' });
    assert.equal(elsewhere.statusCode, 200);
    // Public routes stay reachable.
    assert.equal((await baton.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.20' })).statusCode, 200);
  });
});
