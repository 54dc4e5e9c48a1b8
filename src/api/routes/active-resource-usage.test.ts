/**
 * `GET /orgs/{orgId}/baton/active-resource-usage` over deployments the engine really ran: the rows are what the
 * per-environment listings (`…/envs/{envId}/resources`, `…/deploys`) say, filtered by app, env and definition, paged
 * through `Link`, and each caller sees only what the routes it replaces would show them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';

interface Usage {
  app_id: string;
  env_id: string;
  type: string;
  class: string;
  res_id: string;
  gu_res_id: string;
  def_id: string;
  def_version_id: string;
  deploy_id: string;
  deploys_ago: number | null;
  status: string;
  orphaned: boolean;
  updated_at: string;
}
type Row = Record<string, unknown>;

const USAGE = '/orgs/local/baton/active-resource-usage';

describe('GET /orgs/{orgId}/baton/active-resource-usage', { timeout: 240_000 }, () => {
  let baton: InProcessBaton;
  const tokens = new Map<string, string>();

  const call = async (method: 'GET' | 'POST', url: string, payload?: object, token = baton.token) => {
    const res = await baton.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const link = res.headers.link;
    return { status: res.statusCode, body: res.body, link: typeof link === 'string' ? link : undefined };
  };
  const ok = async <T>(method: 'GET' | 'POST', url: string, payload?: object, token?: string): Promise<T> => {
    const res = await call(method, url, payload, token);
    assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as T;
  };
  const deploy = async (app: string, externals: string[]) => {
    const module = { profile: 'humanitec/default-module', externals: Object.fromEntries(externals.map((e) => [e, { type: 'config' }])), spec: { containers: { main: { id: 'main', image: 'busybox:1' } } } };
    const delta = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, { modules: { add: { web: module } } });
    const created = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/development/deploys`, { delta_id: delta.id, comment: 'usage' });
    for (let i = 0; i < 600; i++) {
      const { status } = await ok<{ status: string }>('GET', `/orgs/local/apps/${app}/envs/development/deploys/${created.id}`);
      if (status === 'succeeded') return;
      assert.notEqual(status, 'failed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail('deployment did not finish');
  };
  /** Every page of a listing, following `Link` (and counting the requests). */
  const walk = async (first: string, token?: string) => {
    const items: Usage[] = [];
    let requests = 0;
    for (let next: string | undefined = first; next !== undefined; requests++) {
      const res = await call('GET', next, undefined, token);
      assert.equal(res.status, 200, res.body);
      items.push(...(JSON.parse(res.body) as Usage[]));
      next = res.link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(res.link)?.[1];
    }
    return { items, requests };
  };
  const key = (r: Usage | Row) => `${String(r.app_id)}/${String(r.env_id)}/${String(r.gu_res_id)}`;

  before(async () => {
    baton = await startInProcessBaton();
    tokens.set('admin', baton.token);
    await ok('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' });
    await ok('POST', '/orgs/local/apps', { id: 'blog', name: 'Blog' });
    await ok('POST', '/orgs/local/resources/defs', { id: 'cfg', name: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { a: 'b' } }, criteria: [{ env_type: 'development' }] });
    await deploy('shop', ['one', 'two']);
    await deploy('blog', ['one']);
    await deploy('shop', ['one']); // shop's `two` stays, orphaned, provisioned one deployment ago
    for (const [name, role, appRole] of [['viewer-of-blog', 'member', 'viewer'], ['manager', 'manager', undefined], ['contributor', 'artefactContributor', undefined], ['org-viewer', 'orgViewer', undefined]] as const) {
      const user = await ok<{ id: string }>('POST', '/orgs/local/users', { name, role });
      if (appRole) await ok('POST', '/orgs/local/apps/blog/users', { id: user.id, role: appRole });
      tokens.set(name, (await baton.services.tokens.issue(user.id, { id: 't', description: 't' })).token);
    }
    // An administrator of another org: not a member of `local`.
    await baton.services.orgs.create({ id: 'other', name: 'Other' }, 'test');
    const outsider = await baton.services.users.create({ name: 'Outsider', type: 'user' });
    await baton.services.roles.org.add('other', outsider.id, 'administrator');
    tokens.set('outsider', (await baton.services.tokens.issue(outsider.id, { id: 't', description: 't' })).token);
  });
  after(() => baton.stop());

  it("answers what the environments' own listings say: definition, status, orphan flag and deploys since provisioning", async () => {
    const { items } = await walk(`${USAGE}?per_page=100`);
    const expected: Row[] = [];
    for (const app of ['blog', 'shop']) {
      const resources = await ok<Row[]>('GET', `/orgs/local/apps/${app}/envs/development/resources`);
      const deploys = await ok<Row[]>('GET', `/orgs/local/apps/${app}/envs/development/deploys?per_page=100`); // newest first
      for (const r of resources) {
        const ago = deploys.findIndex((d) => d.id === r.deploy_id);
        expected.push({ app_id: r.app_id, env_id: r.env_id, type: r.type, class: r.class, res_id: r.res_id, gu_res_id: r.gu_res_id, def_id: r.def_id, def_version_id: r.def_version_id, deploy_id: r.deploy_id, status: r.status, orphaned: r.orphaned, updated_at: r.updated_at, deploys_ago: ago < 0 ? null : ago });
      }
    }
    assert.ok(expected.length >= 5, JSON.stringify(expected));
    assert.deepEqual([...items].sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
    assert.deepEqual(items.map(key), [...items.map(key)].sort(), 'ordered by app, env and GUResID');
    const two = items.find((r) => r.app_id === 'shop' && r.res_id === 'modules.web.externals.two');
    assert.equal(two?.orphaned, true);
    assert.equal(two?.deploys_ago, 1);
    assert.equal(two?.def_id, 'cfg');
    assert.ok(items.every((r) => !('resource' in r) && !('secret_refs' in r)), 'no outputs');
  });

  it('filters by app, environment and definition; an unknown app or definition is 404', async () => {
    const shop = await ok<Usage[]>('GET', `${USAGE}?app=shop&env=development`);
    assert.ok(shop.length >= 3 && shop.every((r) => r.app_id === 'shop' && r.env_id === 'development'));
    const cfg = await ok<Usage[]>('GET', `${USAGE}?def=cfg`);
    assert.deepEqual(cfg.map((r) => `${r.app_id}:${r.res_id}`).sort(), ['blog:modules.web.externals.one', 'shop:modules.web.externals.one', 'shop:modules.web.externals.two']);
    assert.deepEqual(await ok<Usage[]>('GET', `${USAGE}?env=production`), []);
    assert.equal((await call('GET', `${USAGE}?app=nope`)).status, 404);
    assert.equal((await call('GET', `${USAGE}?app=shop&env=nope`)).status, 404);
    assert.equal((await call('GET', `${USAGE}?def=nope`)).status, 404);
  });

  it('is always paged: default 50, per_page 1..100, Link to the next page, each row once, foreign tokens refused', async () => {
    const whole = (await walk(`${USAGE}?per_page=100`)).items;
    const { items, requests } = await walk(`${USAGE}?per_page=2`);
    assert.deepEqual(items, whole);
    assert.equal(requests, Math.ceil(whole.length / 2));
    const first = await call('GET', `${USAGE}?per_page=2&def=cfg`);
    assert.match(first.link ?? '', /def=cfg/, 'the next page keeps the filters');
    assert.equal((await call('GET', USAGE)).link, undefined, 'fewer than 50 rows: one page');
    assert.equal((await call('GET', `${USAGE}?per_page=0`)).status, 400);
    assert.equal((await call('GET', `${USAGE}?per_page=101`)).status, 400);
    assert.equal((await call('GET', `${USAGE}?page=not-a-token`)).status, 400);
  });

  it('shows each caller only what they may read: app roles narrow, definition readers see a definition everywhere, outsiders get 404', async () => {
    const all = (await walk(`${USAGE}?per_page=100`)).items;
    const apps = async (who: string, query = '') => [...new Set((await ok<Usage[]>('GET', `${USAGE}${query}`, undefined, tokens.get(who))).map((r) => r.app_id))].sort();
    assert.deepEqual(await apps('viewer-of-blog'), ['blog']);
    assert.deepEqual(await apps('org-viewer'), ['blog', 'shop']);
    assert.deepEqual(await apps('manager'), [], 'a manager holds no app role');
    assert.deepEqual(await apps('contributor'), []);
    // With `def`, as GET …/resources/defs/{defId}/resources: whoever may read definitions sees every app.
    assert.deepEqual(await apps('manager', '?def=cfg'), ['blog', 'shop']);
    assert.deepEqual(await apps('viewer-of-blog', '?def=cfg'), ['blog', 'shop']);
    assert.deepEqual(await apps('contributor', '?def=cfg'), [], 'an artefactContributor may not read definitions');
    // An app the caller holds no role on is hidden (404, as its own listing answers), a visible one is filtered.
    const hidden = await call('GET', `${USAGE}?app=shop`, undefined, tokens.get('viewer-of-blog'));
    assert.equal(hidden.status, 404, hidden.body);
    assert.equal(JSON.parse(hidden.body).details?.kind, 'application');
    assert.deepEqual(await apps('viewer-of-blog', '?app=blog'), ['blog']);
    assert.equal((await call('GET', USAGE, undefined, tokens.get('outsider'))).status, 404);
    assert.equal((await call('GET', USAGE, undefined, 'not-a-token')).status, 401);
    assert.ok(all.some((r) => r.app_id === 'shop'), 'the administrator sees shop');
  });
});
