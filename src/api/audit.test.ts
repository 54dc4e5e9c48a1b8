/**
 * The audit log through the API (issue #17, point 5): successful mutating requests are recorded once — with the
 * caller, method, path without query string, status — reads and refused requests are not; requests without an org
 * in the path (tokens, login, invitation acceptance) land in the caller's org; only administrators read it;
 * `from`/`to` and paging work; entries are written before the handler runs (status 0) and completed after, so a
 * request whose entry cannot be written is refused (503) before it changes anything, logged and counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../test/helpers/in-process.js';

interface Entry {
  at: string;
  org_id: string;
  user_id: string;
  request_method: string;
  request_path: string;
  response_status: number;
}

describe('audit log', () => {
  let baton: InProcessBaton;
  let adminId: string;
  const call = async <T = unknown>(token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await baton.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : undefined) as T, headers: res.headers };
  };
  const admin = <T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => call<T>(baton.token, method, url, payload);
  const log = async (query = ''): Promise<Entry[]> => {
    const res = await admin<Entry[]>('GET', `/orgs/local/audit-logs?per_page=100${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  /** A service user with this org role, and a token of theirs. */
  const userWithRole = async (name: string, role: string): Promise<{ id: string; token: string }> => {
    const user = await admin<{ id: string }>('POST', '/orgs/local/users', { name, role });
    assert.equal(user.status, 200, JSON.stringify(user.body));
    const token = await admin<{ token: string }>('POST', `/users/${user.body.id}/tokens`, { id: 'main', type: 'static' });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    return { id: user.body.id, token: token.body.token };
  };

  before(async () => {
    baton = await startInProcessBaton();
    adminId = (await admin<{ id: string }>('GET', '/current-user')).body.id;
  });
  after(async () => {
    await baton.stop();
  });

  it('records each successful mutating request once, newest first; not reads, not refused or failed requests', async () => {
    const before = (await log()).length;
    assert.equal((await admin('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
    assert.equal((await admin('GET', '/orgs/local/apps/shop')).status, 200);
    assert.equal((await admin('POST', '/orgs/local/apps', { id: 'shop', name: 'Again' })).status, 409);
    assert.equal((await admin('POST', '/orgs/local/apps', { id: 'Not An Id!' })).status, 400);
    assert.equal((await admin('DELETE', '/orgs/local/apps/nothing-here')).status, 404);
    assert.equal((await admin('PATCH', '/orgs/local/apps/shop', { name: 'The shop' })).status, 200);
    // A query string is never recorded (it could carry anything).
    const dry = await admin('POST', '/orgs/local/artefact-versions?dry_run=true&vcs=none&token=s3cr3t', { type: 'container', name: 'registry.example.com/web', version: '1' });
    assert.equal(dry.status, 204);
    const entries = await log();
    assert.equal(entries.length, before + 3);
    assert.deepEqual(
      entries.slice(0, 3).map((e) => [e.org_id, e.user_id, e.request_method, e.request_path, e.response_status]),
      [
        ['local', adminId, 'POST', '/orgs/local/artefact-versions', 204],
        ['local', adminId, 'PATCH', '/orgs/local/apps/shop', 200],
        ['local', adminId, 'POST', '/orgs/local/apps', 201],
      ],
    );
    assert.ok(entries.every((e) => e.request_method !== 'GET'));
    assert.ok(!JSON.stringify(entries).includes('s3cr3t'));
    assert.ok(Date.now() - Date.parse(entries[0]!.at) < 60_000);
  });

  it('requests without an org in the path (tokens, invitation acceptance, login) are recorded in the caller\'s org', async () => {
    const ci = await userWithRole('ci', 'artefactContributor');
    const invited = await admin<{ id: string; invite_token: string }[]>('POST', '/orgs/local/invitations', { email: 'jo@example.com', role: 'member' });
    assert.equal(invited.status, 200, JSON.stringify(invited.body));
    const password = 'correct horse battery staple';
    const accepted = await baton.app.inject({ method: 'POST', url: '/baton/invitations/accept', payload: { token: invited.body[0]!.invite_token, name: 'Jo', password } });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const login = await baton.app.inject({ method: 'POST', url: '/baton/login', payload: { email: 'jo@example.com', password } });
    assert.equal(login.statusCode, 200, login.body);
    const jo = invited.body[0]!.id;
    const entries = (await log()).slice(0, 5).map((e) => [e.user_id, e.request_method, e.request_path, e.response_status]);
    assert.deepEqual(entries, [
      [jo, 'POST', '/baton/login', 200],
      [jo, 'POST', '/baton/invitations/accept', 200],
      [adminId, 'POST', '/orgs/local/invitations', 200],
      [adminId, 'POST', `/users/${ci.id}/tokens`, 200],
      [adminId, 'POST', '/orgs/local/users', 200],
    ]);
    const raw = JSON.stringify(await log());
    assert.ok(!raw.includes(password) && !raw.includes(invited.body[0]!.invite_token) && !raw.includes(ci.token), 'no secret in the log');
  });

  it('only administrators read it: other org roles get 403, no token 401', async () => {
    for (const role of ['manager', 'member', 'orgViewer', 'artefactContributor']) {
      const user = await userWithRole(`reader-${role.toLowerCase()}`, role);
      const res = await call<{ message: string }>(user.token, 'GET', '/orgs/local/audit-logs');
      assert.equal(res.status, 403, `${role}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await baton.app.inject({ method: 'GET', url: '/orgs/local/audit-logs' })).statusCode, 401);
    assert.equal((await admin('GET', '/orgs/elsewhere/audit-logs')).status, 404);
  });

  it('pages with a Link header and filters by from and to', async () => {
    const all = await log();
    assert.ok(all.length >= 6);
    const first = await admin<Entry[]>('GET', '/orgs/local/audit-logs?per_page=2');
    assert.deepEqual(first.body, all.slice(0, 2));
    const link = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1];
    assert.ok(link, 'a next link');
    const second = await admin<Entry[]>('GET', link);
    assert.deepEqual(second.body, all.slice(2, 4));
    const oldest = all.at(-1)!.at;
    const newest = all[0]!.at;
    assert.deepEqual(await log(`&from=${encodeURIComponent(newest)}`), all.filter((e) => e.at === newest));
    assert.deepEqual(await log(`&to=${encodeURIComponent(oldest)}`), all.filter((e) => e.at === oldest));
    assert.deepEqual(await log('&from=2999-01-01T00:00:00Z'), []);
    assert.equal((await admin('GET', '/orgs/local/audit-logs?from=yesterday')).status, 400);
    assert.equal((await admin('GET', '/orgs/local/audit-logs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status, 400);
    assert.equal((await admin('GET', '/orgs/local/audit-logs?page=garbage')).status, 400);
  });

  it('a request whose entry cannot be written is refused with 503 before it changes anything; it is counted and Baton carries on', async () => {
    const metric = async () => Number(/^baton_audit_write_failures_total (\d+)/m.exec((await baton.baton.metrics.scrape()).body)?.[1] ?? 'NaN');
    const failuresBefore = await metric();
    const count = (await log()).length;
    await baton.store.db.schema.alterTable('audit_log').renameTo('audit_log_away').execute();
    try {
      const res = await admin<{ message: string }>('POST', '/orgs/local/apps', { id: 'unaudited', name: 'Unaudited' });
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.match(res.body.message, /audit log entry .* could not be written/);
      assert.equal(await metric(), failuresBefore + 1);
      assert.equal((await admin('GET', '/orgs/local/apps/unaudited')).status, 404, 'the app was not created: the handler never ran');
      assert.equal((await admin('GET', '/orgs/local/apps/shop')).status, 200, 'Baton still answers reads');
    } finally {
      await baton.store.db.schema.alterTable('audit_log_away').renameTo('audit_log').execute();
    }
    assert.equal((await log()).length, count, 'nothing was recorded, nothing else changed');
    assert.equal((await admin('POST', '/orgs/local/apps', { id: 'unaudited', name: 'Unaudited' })).status, 201, 'the retry succeeds');
    assert.equal((await log())[0]!.request_path, '/orgs/local/apps', 'recording works again');
  });

  it('the entry is written before the handler runs (status 0 while it runs), then completed with the status, or removed when the request failed', async () => {
    const audit = baton.baton.services.audit;
    // The service as the hooks use it: begin before the change, finish with the answer.
    const ticket = await audit.begin({ method: 'POST', url: '/orgs/local/apps?x=1', userId: adminId, orgId: 'local' });
    assert.ok(ticket);
    const running = (await log())[0]!;
    assert.deepEqual(
      [running.request_path, running.response_status],
      ['/orgs/local/apps', 0],
      'a request that is running (or whose process died before answering) shows with status 0',
    );
    await audit.finish(ticket, 201);
    assert.equal((await log())[0]!.response_status, 201);
    const refused = await audit.begin({ method: 'DELETE', url: '/orgs/local/apps/none', userId: adminId, orgId: 'local' });
    assert.ok(refused);
    const withPending = (await log()).length;
    await audit.finish(refused, 404);
    assert.equal((await log()).length, withPending - 1, 'a request that was not a success leaves no entry');
    assert.equal(await audit.begin({ method: 'GET', url: '/orgs/local/apps', userId: adminId, orgId: 'local' }), undefined, 'reads are not audited');
  });
});
