/**
 * RBAC end to end through the API (issue #16), on SQLite and PostgreSQL: deploying needs `deployer` on the env
 * type, the last administrator stays, the app creator becomes owner, managers cannot grant administrator,
 * invitation → password → login, `/perms` and `/current-user` roles, `assertMayDeploy`, and no password, invite
 * token or API token stored in clear (the SQLite file and the PostgreSQL rows are searched for them).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startInProcessBaton } from '../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../test/helpers/in-process.js';
import { assertMayDeploy } from './permissions.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`RBAC flows [${dialect}]`, () => {
    let baton: InProcessBaton;
    const secrets: string[] = [];
    before(async () => {
      baton = await startInProcessBaton({ dialect });
    });
    after(() => baton.stop());

    const call = async <T = Record<string, unknown>>(token: string, method: string, url: string, payload?: object) => {
      const res = await baton.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload !== undefined ? { payload } : {}),
      });
      return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T };
    };
    const admin = <T = Record<string, unknown>>(method: string, url: string, payload?: object) => call<T>(baton.token, method, url, payload);
    async function serviceUser(name: string, role: string): Promise<{ id: string; token: string }> {
      const created = await admin<{ id: string; type: string }>('POST', '/orgs/local/users', { name, role });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.type, 'service');
      const { token } = await baton.services.tokens.issue(created.body.id, { id: 'test', description: 'test' });
      secrets.push(token);
      return { id: created.body.id, token };
    }

    it('a developer deploys to development (deployer there) and gets 403 naming deployer on production', async () => {
      assert.equal((await admin('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
      assert.equal((await admin('POST', '/orgs/local/apps/shop/envs', { id: 'production', name: 'Production', type: 'production' })).status, 201);
      const dev = await serviceUser('dev', 'member');
      assert.equal((await admin('POST', '/orgs/local/apps/shop/users', { id: dev.id, role: 'developer' })).status, 200);
      assert.equal((await admin('POST', '/orgs/local/env-types/development/users', { id: dev.id, role: 'deployer' })).status, 200);

      const delta = await call<{ id: string }>(dev.token, 'POST', '/orgs/local/apps/shop/deltas', { modules: {} });
      assert.ok(delta.status < 300, JSON.stringify(delta.body));
      const ok = await call<{ id: string }>(dev.token, 'POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id, comment: 'dev' });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      const denied = await call<{ error: string; message: string }>(dev.token, 'POST', '/orgs/local/apps/shop/envs/production/deploys', { delta_id: delta.body.id });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error, 'FORBIDDEN');
      assert.match(denied.body.message, /deployer on "production"/);
      const missing = await call<{ details: { kind: string } }>(dev.token, 'POST', '/orgs/local/apps/shop/envs/nope/deploys', { delta_id: delta.body.id });
      assert.deepEqual([missing.status, missing.body.details.kind], [404, 'environment']);

      // The same rule for checks outside the route hook (automation rules).
      const user = { id: dev.id, access: baton.services.access };
      await assertMayDeploy(user, 'local', 'shop', 'development');
      await assert.rejects(assertMayDeploy(user, 'local', 'shop', 'production'), (e: Error) => e.name === 'Forbidden' && /deployer/.test(e.message));

      // No escalation through automation rules: a rule deploys as its creator, so only a deployer may create one.
      const rule = { type: 'update', artefacts_filter: ['registry.example.com/acme/web'], match_ref: '^refs/heads/main$' };
      const allowedRule = await call<{ id: string }>(dev.token, 'POST', '/orgs/local/apps/shop/envs/development/rules', rule);
      assert.equal(allowedRule.status, 201, JSON.stringify(allowedRule.body));
      const deniedRule = await call<{ error: string; message: string }>(dev.token, 'POST', '/orgs/local/apps/shop/envs/production/rules', rule);
      assert.equal(deniedRule.status, 403, JSON.stringify(deniedRule.body));
      assert.match(deniedRule.body.message, /deployer on "production"/);
      assert.deepEqual((await admin<unknown[]>('GET', '/orgs/local/apps/shop/envs/production/rules')).body, [], 'the refused rule was not stored');
      // The composition root hands the rules service the same check (src/baton/create-baton.ts), so a rule cannot be
      // created through the service either by someone who may not deploy there.
      await assert.rejects(
        baton.baton.services.ci.rules.create((await baton.services.users.get(dev.id)), 'local', 'shop', 'production', rule),
        (e: Error) => e.name === 'Forbidden',
      );

      // /perms says the same, per object; /current-user lists the roles.
      const perms = await call<{ objects: Record<string, { permissions: string[] }> }>(dev.token, 'GET', `/orgs/local/users/${dev.id}/perms`);
      assert.equal(perms.status, 200);
      assert.ok(perms.body.objects['/orgs/local/apps/shop/envs/development']!.permissions.includes('env.deploy'));
      assert.ok(!perms.body.objects['/orgs/local/apps/shop/envs/production']!.permissions.includes('env.deploy'));
      assert.ok(perms.body.objects['/orgs/local/apps/shop']!.permissions.includes('app.update'));
      assert.ok(!perms.body.objects['/orgs/local']!.permissions.includes('resource-definitions.write'));
      const me = await call<{ roles: Record<string, string> }>(dev.token, 'GET', '/current-user');
      assert.deepEqual(me.body.roles, { '/orgs/local': 'member', '/orgs/local/apps/shop': 'developer', '/orgs/local/env-types/development': 'deployer' });
      // Another member may not read someone else's perms.
      const other = await serviceUser('other', 'member');
      assert.equal((await call(other.token, 'GET', `/orgs/local/users/${dev.id}/perms`)).status, 403);
    });

    it('the creator of an app becomes its owner; a member without a role does not see it', async () => {
      const manager = await serviceUser('mgr', 'manager');
      assert.equal((await call(manager.token, 'POST', '/orgs/local/apps', { id: 'mine', name: 'Mine' })).status, 201);
      const members = await admin<{ id: string; role: string }[]>('GET', '/orgs/local/apps/mine/users');
      assert.deepEqual(members.body.map((m) => [m.id, m.role]), [[manager.id, 'owner']]);
      const member = await serviceUser('nobody', 'member');
      assert.equal((await call(member.token, 'GET', '/orgs/local/apps/mine')).status, 404);
      const listed = await call<{ id: string }[]>(member.token, 'GET', '/orgs/local/apps');
      assert.ok(!listed.body.some((a) => a.id === 'mine'));
      assert.ok((await call<{ id: string }[]>(manager.token, 'GET', '/orgs/local/apps')).body.some((a) => a.id === 'mine'));
      // The owner deletes the app only with deployer on every env type it uses.
      const refused = await call<{ message: string }>(manager.token, 'DELETE', '/orgs/local/apps/mine');
      assert.equal(refused.status, 403);
      assert.match(refused.body.message, /deployer on every environment type/);
      assert.equal((await admin('POST', '/orgs/local/env-types/development/users', { id: manager.id, role: 'deployer' })).status, 200);
      assert.equal((await call(manager.token, 'DELETE', '/orgs/local/apps/mine')).status, 204);
    });

    it('an org role change applies from the very next request: nothing about roles is remembered across requests', async () => {
      const user = await serviceUser('changing', 'member');
      assert.equal((await admin('POST', '/orgs/local/apps', { id: 'admins-app', name: 'A' })).status, 201);
      const sees = async () => (await call<{ id: string }[]>(user.token, 'GET', '/orgs/local/apps')).body.some((a) => a.id === 'admins-app');
      assert.equal(await sees(), false);
      assert.equal((await call(user.token, 'POST', '/orgs/local/apps', { id: 'by-member', name: 'M' })).status, 403);
      assert.equal((await admin('PATCH', `/orgs/local/users/${user.id}`, { role: 'orgViewer' })).status, 200);
      assert.equal(await sees(), true);
      assert.equal((await admin('PATCH', `/orgs/local/users/${user.id}`, { role: 'manager' })).status, 200);
      assert.equal((await call(user.token, 'POST', '/orgs/local/apps', { id: 'by-manager', name: 'M' })).status, 201);
      assert.equal((await admin('PATCH', `/orgs/local/users/${user.id}`, { role: 'member' })).status, 200);
      assert.equal(await sees(), false);
      assert.equal((await call(user.token, 'POST', '/orgs/local/apps', { id: 'by-member-again', name: 'M' })).status, 403);
    });

    it('keeps the last administrator; only administrators grant administrator', async () => {
      const me = await admin<{ id: string }>('GET', '/current-user');
      const demote = await admin<{ message: string }>('PATCH', `/orgs/local/users/${me.body.id}`, { role: 'manager' });
      assert.equal(demote.status, 409);
      assert.match(demote.body.message, /last administrator/);
      assert.equal((await admin('DELETE', `/orgs/local/users/${me.body.id}`)).status, 409);
      assert.equal((await admin<{ role: string }>('GET', `/orgs/local/users/${me.body.id}`)).body.role, 'administrator');

      const manager = await serviceUser('mgr2', 'manager');
      assert.equal((await call(manager.token, 'POST', '/orgs/local/users', { name: 'x', role: 'administrator' })).status, 403);
      assert.equal((await call(manager.token, 'PATCH', `/orgs/local/users/${manager.id}`, { role: 'administrator' })).status, 403);
      assert.equal((await call(manager.token, 'PATCH', `/orgs/local/users/${me.body.id}`, { role: 'member' })).status, 403);
      assert.equal((await call(manager.token, 'POST', '/orgs/local/invitations', { email: 'boss@example.com', role: 'administrator' })).status, 403);
      const viewer = await serviceUser('v', 'member');
      assert.equal((await call(manager.token, 'PATCH', `/orgs/local/users/${viewer.id}`, { role: 'orgViewer' })).status, 200);

      // With a second administrator, the first can step down.
      const second = await serviceUser('admin2', 'administrator');
      assert.equal((await call(second.token, 'PATCH', `/orgs/local/users/${me.body.id}`, { role: 'manager' })).status, 200);
      assert.equal((await call(second.token, 'PATCH', `/orgs/local/users/${second.id}`, { role: 'member' })).status, 409);
      assert.equal((await call(second.token, 'PATCH', `/orgs/local/users/${me.body.id}`, { role: 'administrator' })).status, 200);
      // Removing a service user from its only org deletes it and its tokens.
      assert.equal((await admin('DELETE', `/orgs/local/users/${viewer.id}`)).status, 204);
      assert.equal((await call(viewer.token, 'GET', '/current-user')).status, 401);
    });

    it('invites a human, who accepts with a password and logs in; tokens and invitations work once and expire', async () => {
      const password = 'correct horse battery staple';
      secrets.push(password);
      const invited = await admin<{ id: string; role: string; invite: string; invite_token: string; expires_at: string }[]>('POST', '/orgs/local/invitations', {
        email: 'Jo@Example.com',
        role: 'member',
      });
      assert.equal(invited.status, 200, JSON.stringify(invited.body));
      const [invite] = invited.body;
      assert.ok(invite && invite.invite === 'pending' && invite.role === 'member');
      secrets.push(invite.invite_token);
      const hours = (Date.parse(invite.expires_at) - Date.now()) / 3600_000;
      assert.ok(hours > 23.9 && hours <= 24, String(hours));
      const listed = await admin<{ email: string; status: string }[]>('GET', '/orgs/local/invitations');
      assert.deepEqual(listed.body.map((i) => [i.email, i.status]), [['jo@example.com', 'pending']]);

      const weak = await baton.app.inject({ method: 'POST', url: '/baton/invitations/accept', payload: { token: invite.invite_token, name: 'Jo', password: 'short' } });
      assert.equal(weak.statusCode, 400);
      const accepted = await baton.app.inject({ method: 'POST', url: '/baton/invitations/accept', payload: { token: invite.invite_token, name: 'Jo', password } });
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.json<{ id: string }>().id, invite.id);
      const again = await baton.app.inject({ method: 'POST', url: '/baton/invitations/accept', payload: { token: invite.invite_token, name: 'Jo', password } });
      assert.equal(again.statusCode, 401);

      const login = await baton.app.inject({ method: 'POST', url: '/baton/login', payload: { email: 'jo@example.com', password, expires_in_hours: 1 } });
      assert.equal(login.statusCode, 200, login.body);
      const session = login.json<{ token: string; user_id: string; expires_at: string }>();
      secrets.push(session.token);
      assert.equal(session.user_id, invite.id);
      assert.ok(Date.parse(session.expires_at) - Date.now() <= 3600_000);
      const me = await call<{ name: string; email: string; type: string; roles: Record<string, string> }>(session.token, 'GET', '/current-user');
      assert.deepEqual([me.body.name, me.body.email, me.body.type, me.body.roles], ['Jo', 'jo@example.com', 'user', { '/orgs/local': 'member' }]);
      const patched = await call<{ name: string; properties: Record<string, unknown> }>(session.token, 'PATCH', '/current-user', { name: 'Jo T', properties: { theme: 'dark' } });
      assert.deepEqual([patched.body.name, patched.body.properties], ['Jo T', { theme: 'dark' }]);
      // A member cannot invite.
      assert.equal((await call(session.token, 'POST', '/orgs/local/invitations', { email: 'x@example.com', role: 'member' })).status, 403);

      const wrongPassword = await baton.app.inject({ method: 'POST', url: '/baton/login', payload: { email: 'jo@example.com', password: 'wrong password!!' } });
      const unknownEmail = await baton.app.inject({ method: 'POST', url: '/baton/login', payload: { email: 'nobody@example.com', password } });
      assert.equal(wrongPassword.statusCode, 401);
      assert.equal(unknownEmail.statusCode, 401);
      assert.equal(wrongPassword.json<{ message: string }>().message, unknownEmail.json<{ message: string }>().message);

      // An expired invitation is refused.
      const late = await admin<{ invite_token: string }[]>('POST', '/orgs/local/invitations', { email: 'late@example.com', role: 'member' });
      secrets.push(late.body[0]!.invite_token);
      await baton.store.db.updateTable('invitations').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('email', '=', 'late@example.com').execute();
      const expired = await baton.app.inject({ method: 'POST', url: '/baton/invitations/accept', payload: { token: late.body[0]!.invite_token, name: 'Late', password } });
      assert.equal(expired.statusCode, 401);
    });

    it('stores no password, invite token or API token in clear', async () => {
      assert.ok(secrets.length >= 6, `collected ${secrets.length} secrets`);
      secrets.push(baton.token);
      let haystack: string;
      if (dialect === 'sqlite') {
        // The database file and its WAL.
        haystack = readdirSync(baton.dataDir)
          .filter((f) => f.includes('.db'))
          .map((f) => readFileSync(join(baton.dataDir, f)).toString('latin1'))
          .join('\n');
        assert.ok(haystack.length > 0, 'no database file found');
        assert.ok(haystack.includes('jo@example.com'), 'the search does see the rows');
      } else {
        const client = new pg.Client({ connectionString: baton.baton.config.databaseUrl });
        await client.connect();
        try {
          const rows: string[] = [];
          for (const table of ['users', 'tokens', 'invitations', 'user_credentials', 'user_properties', 'org_members']) {
            rows.push(JSON.stringify((await client.query(`select * from ${table}`)).rows));
          }
          haystack = rows.join('\n');
        } finally {
          await client.end();
        }
        assert.ok(haystack.includes('jo@example.com') && haystack.includes('scrypt$'), 'the search does see the rows');
      }
      for (const secret of secrets) assert.ok(!haystack.includes(secret), `a secret is stored in clear (${secret.slice(0, 4)}…)`);
    });
  });
}
