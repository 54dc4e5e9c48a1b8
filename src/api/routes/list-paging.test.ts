/**
 * Paged listings of apps and environments through the API (issue #22, data volume), on SQLite and PostgreSQL:
 * `per_page` + `page` and a `Link: <…>; rel="next"` header, every item once across pages, `per_page` bounded,
 * unknown tokens refused, and a member sees only the apps they hold a role on, page by page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`paged app and environment listings [${dialect}]`, () => {
    let baton: InProcessBaton;
    before(async () => {
      baton = await startInProcessBaton({ dialect });
    });
    after(() => baton.stop());

    const get = async (url: string, token = baton.token) => {
      const res = await baton.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const link = res.headers.link;
      return { status: res.statusCode, body: res.json<Array<{ id: string; envs?: Array<{ id: string }> }>>(), link: typeof link === 'string' ? link : undefined };
    };
    /** Follows `Link` from `first`; returns the ids in order and the number of pages. */
    const walk = async (first: string, perPage: number, token?: string) => {
      const ids: string[] = [];
      let pages = 0;
      for (let url: string | undefined = first; url !== undefined; pages++) {
        const page = await get(url, token);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(page.body.length <= perPage, `${page.body.length} items for per_page=${perPage}`);
        ids.push(...page.body.map((item) => item.id));
        const next = page.link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(page.link)?.[1];
        if (page.link !== undefined) assert.ok(next, `unexpected Link header ${page.link}`);
        url = next;
        assert.ok(pages < 50, 'the cursor does not advance');
      }
      return { ids, pages };
    };

    it('walks the apps by id through Link headers, each once, with their environments', async () => {
      const created = ['p-echo', 'p-alpha', 'p-delta', 'p-bravo', 'p-charlie'];
      for (const id of created) {
        const res = await baton.app.inject({ method: 'POST', url: '/orgs/local/apps', headers: { authorization: `Bearer ${baton.token}` }, payload: { id, name: id } });
        assert.equal(res.statusCode, 201);
      }
      const all = await get('/orgs/local/apps');
      assert.equal(all.link, undefined, 'no paging without per_page (Humanitec clients send none)');
      const expected = all.body.map((a) => a.id);
      assert.deepEqual(expected, [...expected].sort());
      for (const id of created) assert.ok(expected.includes(id));

      const { ids, pages } = await walk('/orgs/local/apps?per_page=2', 2);
      assert.deepEqual(ids, expected);
      assert.equal(pages, Math.ceil(expected.length / 2));
      const firstPage = await get('/orgs/local/apps?per_page=2');
      assert.deepEqual(firstPage.body[0]?.envs?.map((e) => e.id), all.body[0]?.envs?.map((e) => e.id), 'a page carries its apps\' environments');
    });

    it('pages an app\'s environments in creation order', async () => {
      const auth = { authorization: `Bearer ${baton.token}` };
      await baton.app.inject({ method: 'POST', url: '/orgs/local/apps', headers: auth, payload: { id: 'envs-app', name: 'e' } });
      for (const id of ['staging', 'production', 'qa']) {
        const res = await baton.app.inject({ method: 'POST', url: '/orgs/local/apps/envs-app/envs', headers: auth, payload: { id, name: id, type: 'development' } });
        assert.equal(res.statusCode, 201, res.body);
      }
      const all = (await get('/orgs/local/apps/envs-app/envs')).body.map((e) => e.id);
      assert.equal(all.length, 4);
      const { ids, pages } = await walk('/orgs/local/apps/envs-app/envs?per_page=1', 1);
      assert.deepEqual(ids, all);
      assert.equal(pages, 4);
    });

    it('bounds per_page to 1..100 and refuses a page token it did not issue', async () => {
      assert.equal((await get('/orgs/local/apps?per_page=101')).status, 400);
      assert.equal((await get('/orgs/local/apps?per_page=0')).status, 400);
      assert.equal((await get('/orgs/local/apps?page=not-a-token')).status, 400);
      assert.equal((await get('/orgs/local/apps/envs-app/envs?page=not-a-token')).status, 400);
      assert.equal((await get('/orgs/local/apps/envs-app/envs?per_page=1000')).status, 400);
    });

    it('shows a member only the apps they hold a role on, paged', async () => {
      const auth = { authorization: `Bearer ${baton.token}` };
      const user = await baton.app.inject({ method: 'POST', url: '/orgs/local/users', headers: auth, payload: { name: 'paging-member', role: 'member' } });
      assert.equal(user.statusCode, 200, user.body);
      const userId = user.json<{ id: string }>().id;
      const { token } = await baton.services.tokens.issue(userId, { id: 'test', description: 'test' });
      for (const app of ['p-delta', 'p-alpha']) {
        const res = await baton.app.inject({ method: 'POST', url: `/orgs/local/apps/${app}/users`, headers: auth, payload: { id: userId, role: 'viewer' } });
        assert.equal(res.statusCode, 200, res.body);
      }
      const { ids, pages } = await walk('/orgs/local/apps?per_page=1', 1, token);
      assert.deepEqual(ids, ['p-alpha', 'p-delta']);
      assert.equal(pages, 2);
      assert.deepEqual((await get('/orgs/local/apps', token)).body.map((a) => a.id), ['p-alpha', 'p-delta']);
    });
  });
}
