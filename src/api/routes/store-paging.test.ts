/**
 * The list routes that moved from in-memory paging (`pageList`) to store keyset paging, walked through their `Link`
 * headers on SQLite and PostgreSQL: every item of the unpaged list exactly once, in the order `pageList` gave (the
 * item's key compared by code unit), with its page tokens (the last key of the page), filters included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeIdPageToken } from '../../shared/pagination.js';
import { createDeploymentsRepo } from '../../store/deployments-repo.js';
import { createActiveResourcesRepo } from '../../store/resource-active-repo.js';
import type { ActiveResourceWrite } from '../../store/resource-active-repo.js';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';

type Item = Record<string, unknown>;

const APP = 'sp';
const ENV = `/orgs/local/apps/${APP}/envs/development`;
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const str = (value: unknown): string => {
  assert.equal(typeof value, 'string');
  return value as string;
};
const idKey = (item: Item) => str(item.id);
const envResourceKey = (item: Item) => `${str(item.type)}/${str(item.class)}/${str(item.res_id)}`;
const defResourceKey = (item: Item) => `${str(item.app_id)}/${str(item.env_id)}/${envResourceKey(item)}`;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`store-paged list routes [${dialect}]`, () => {
    let baton: InProcessBaton;

    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
      const res = await baton.app.inject({ method, url, headers: baton.authHeaders, ...(payload === undefined ? {} : { payload: payload as object }) });
      const link = res.headers.link;
      return { status: res.statusCode, body: res.body, link: typeof link === 'string' ? link : undefined };
    };
    const ok = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
      const res = await call(method, url, payload);
      assert.ok(res.status >= 200 && res.status < 300, `${method} ${url}: ${res.status} ${res.body}`);
      return (res.status === 204 ? {} : JSON.parse(res.body)) as { id: string };
    };
    const getList = async (url: string) => {
      const res = await call('GET', url);
      assert.equal(res.status, 200, res.body);
      return { items: JSON.parse(res.body) as Item[], link: res.link };
    };

    /** Walks `url` with `perPage` through `Link` headers; checks each token names the page's last key. */
    const walk = async (url: string, perPage: number, key: (item: Item) => string) => {
      const items: Item[] = [];
      let pages = 0;
      for (let next: string | undefined = `${url}${url.includes('?') ? '&' : '?'}per_page=${perPage}`; next !== undefined; pages++) {
        const page = await getList(next);
        assert.ok(page.items.length > 0 && page.items.length <= perPage, `${page.items.length} items on a page of per_page=${perPage}`);
        items.push(...page.items);
        next = page.link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(page.link)?.[1];
        if (page.link !== undefined) {
          assert.ok(next, `unexpected Link header ${page.link}`);
          const token = new URL(next, 'http://baton.invalid').searchParams.get('page');
          assert.equal(decodeIdPageToken(token!), key(page.items.at(-1)!), 'the token is the last key of the page');
        }
        assert.ok(pages < 100, 'the cursor does not advance');
      }
      return { items, pages };
    };

    /** The unpaged list in `pageList`'s order, and the walks with a few page sizes: the same items, once each, in that order. */
    const assertPagesAreTheWholeList = async (url: string, key: (item: Item) => string, atLeast: number) => {
      const whole = await getList(url);
      assert.equal(whole.link, undefined, 'no Link header without per_page');
      assert.ok(whole.items.length >= atLeast, `${url}: ${whole.items.length} items, the test needs ${atLeast}`);
      const expected = whole.items.map(key).sort(byCodeUnit);
      assert.equal(new Set(expected).size, expected.length, 'keys are unique');
      for (const perPage of [1, 2, 3, 100]) {
        const { items, pages } = await walk(url, perPage, key);
        assert.deepEqual(items.map(key), expected, `${url} per_page=${perPage}`);
        assert.equal(pages, Math.max(1, Math.ceil(expected.length / perPage)));
        // The items themselves are the unpaged list's, field for field.
        const byKey = new Map(whole.items.map((item) => [key(item), JSON.stringify(item)]));
        for (const item of items) assert.equal(JSON.stringify(item), byKey.get(key(item)), `${url}: ${key(item)}`);
      }
      return expected;
    };

    before(async () => {
      baton = await startInProcessBaton({ dialect });
      await ok('POST', '/orgs/local/apps', { id: APP, name: APP });
      await ok('POST', '/orgs/local/apps', { id: `${APP}-2`, name: `${APP}-2` });
      await ok('POST', `/orgs/local/apps/${APP}/envs`, { id: 'development-2', name: 'd2', type: 'development' });

      for (const n of [1, 2, 3, 4, 5]) {
        const user = await ok('POST', '/orgs/local/users', { name: `sp-user-${n}`, role: 'member' });
        await ok('POST', `/orgs/local/apps/${APP}/users`, { id: user.id, role: 'viewer' });
        await ok('POST', '/orgs/local/env-types/development/users', { id: user.id, role: 'deployer' });
      }

      const def = (id: string, type: string, criteria: unknown[]) => ({ id, name: id, type, driver_type: 'humanitec/echo', driver_inputs: { values: {} }, criteria });
      await ok('POST', '/orgs/local/resources/defs', def('sp-cfg', 'config', [{ app_id: APP }]));
      await ok('POST', '/orgs/local/resources/defs', def('sp-cfg-2', 'config', [{ app_id: APP, class: 'large' }]));
      await ok('POST', '/orgs/local/resources/defs', def('sp-cfg-other', 'config', [{ app_id: 'nobody' }]));
      await ok('POST', '/orgs/local/resources/defs', def('sp-dns', 'dns', [{ app_id: APP }]));
      await ok('POST', '/orgs/local/resources/defs', def('sp-dns-old', 'dns', [{ app_id: 'gone' }]));
      await ok('POST', '/orgs/local/resources/defs', def('sp-any', 'config', []));
      await ok('DELETE', '/orgs/local/resources/defs/sp-dns-old');

      // Active resources as the engine leaves them, written straight to the store: keys where the string order and
      // the column order differ (`postgres-instance/…` before `postgres/…`, `development-2/…` before `development/…`).
      const active = createActiveResourcesRepo(baton.store.db);
      const links = createDeploymentsRepo(baton.store.db);
      const rows: Array<[string, string, string, string, string]> = [
        [APP, 'development', 'postgres', 'default', 'shared.db'],
        [APP, 'development', 'postgres-instance', 'default', 'shared.db'],
        [APP, 'development', 'postgres', 'default', 'modules.web.externals.db'],
        [APP, 'development', 'dns', 'default', 'modules.web.externals.dns'],
        [APP, 'development', 'dns', 'default-x', 'modules.web.externals.dns'],
        [APP, 'development', 'config', 'default', 'modules.api.externals.cfg'],
        [APP, 'development-2', 'postgres', 'default', 'shared.db'],
        [`${APP}-2`, 'development', 'postgres', 'default', 'shared.db'],
      ];
      for (const [i, [app, env, type, cls, resId]] of rows.entries()) {
        const guresid = `g${i}`;
        const row: ActiveResourceWrite = {
          org_id: 'local', app_id: app, env_id: env, guresid, env_type: 'development', type, class: cls, res_id: resId, def_id: 'sp-cfg', def_version_id: 'v1',
          criteria_id: '', driver_type: 'humanitec/echo', driver_account: null, deploy_id: 'd1', status: 'active', resource: JSON.stringify({ n: i }),
          secrets_sealed: null, cookie_sealed: null, scheduled_deletion: i % 3 === 0 ? 1 : 0, updated_at: '2025-01-01T00:00:00.000Z',
        };
        await active.upsert(row);
        if (i % 2 === 0) await links.upsertLink({ org_id: 'local', app_id: app, env_id: env, guresid, depends_on: '[]', orphaned: i % 4 === 0 ? 1 : 0 });
      }

      for (const n of [1, 2, 3, 4]) {
        await ok('POST', `/orgs/local/apps/${APP}/values`, { key: `APP_${n}`, value: `v${n}`, description: '', is_secret: false });
        await ok('POST', `${ENV}/values`, { key: `ENV_${n}`, value: `v${n}`, description: '', is_secret: false });
      }
      await ok('PATCH', `/orgs/local/apps/${APP}/values/APP_1`, { value: 'changed' });
      await ok('PATCH', `${ENV}/values/ENV_1`, { value: 'changed' });
    });
    after(() => baton.stop());

    it('pages org, app and env-type users by user id, each once', async () => {
      for (const url of ['/orgs/local/users', `/orgs/local/apps/${APP}/users`, '/orgs/local/env-types/development/users']) {
        await assertPagesAreTheWholeList(url, idKey, 5);
      }
      assert.equal((await call('GET', '/orgs/local/env-types/nope/users?per_page=2')).status, 404);
    });

    it('pages resource definitions by id, Baton\'s defaults merged in, under each filter', async () => {
      const all = await assertPagesAreTheWholeList('/orgs/local/resources/defs', idKey, 5);
      assert.ok(all.includes('sp-cfg') && !all.includes('sp-dns-old'));
      const withDeleted = await assertPagesAreTheWholeList('/orgs/local/resources/defs?deleted=true', idKey, 6);
      assert.ok(withDeleted.includes('sp-dns-old'));
      const forApp = await assertPagesAreTheWholeList(`/orgs/local/resources/defs?app=${APP}`, idKey, 3);
      // A definition without criteria matches no context, so a context filter leaves it out.
      assert.ok(forApp.includes('sp-cfg') && !forApp.includes('sp-any') && !forApp.includes('sp-cfg-other'), forApp.join());
      const configs = await assertPagesAreTheWholeList(`/orgs/local/resources/defs?res_type=config&app=${APP}`, idKey, 2);
      assert.deepEqual(configs.filter((id) => id.startsWith('sp-')), ['sp-cfg', 'sp-cfg-2']);
      assert.ok((await assertPagesAreTheWholeList('/orgs/local/resources/defs?res_type=config', idKey, 4)).includes('sp-any'));
      const large = (await getList(`/orgs/local/resources/defs?res_type=config&app=${APP}&class=large`)).items.map(idKey);
      assert.ok(large.includes('sp-cfg-2') && !large.includes('sp-cfg'), large.join());
      await assertPagesAreTheWholeList('/orgs/local/resources/defs?res_type=dns&deleted=true', idKey, 2);
    });

    it('pages a definition\'s active resources by app/env/type/class/res_id', async () => {
      const keys = await assertPagesAreTheWholeList('/orgs/local/resources/defs/sp-cfg/resources', defResourceKey, 8);
      assert.equal(keys[0], `${APP}-2/development/postgres/default/shared.db`, 'the string order of the key, as before');
    });

    it('pages an environment\'s active resources by type/class/res_id, under the orphaned and scheduled_deletion filters', async () => {
      const keys = await assertPagesAreTheWholeList(`${ENV}/resources`, envResourceKey, 6);
      assert.ok(keys.indexOf('postgres-instance/default/shared.db') < keys.indexOf('postgres/default/shared.db'));
      for (const query of ['orphaned=true', 'orphaned=false', 'scheduled_deletion=true', 'scheduled_deletion=false', 'orphaned=false&scheduled_deletion=true']) {
        await assertPagesAreTheWholeList(`${ENV}/resources?${query}`, envResourceKey, 1);
      }
    });

    it('pages value set versions by id at app and env level, with key_changed', async () => {
      for (const base of [`/orgs/local/apps/${APP}`, ENV]) {
        await assertPagesAreTheWholeList(`${base}/value-set-versions`, idKey, 5);
      }
      await assertPagesAreTheWholeList(`/orgs/local/apps/${APP}/value-set-versions?key_changed=APP_1`, idKey, 2);
      await assertPagesAreTheWholeList(`${ENV}/value-set-versions?key_changed=ENV_1`, idKey, 2);
      // An app value change is recorded on the env too, so the env's history holds it.
      await assertPagesAreTheWholeList(`${ENV}/value-set-versions?key_changed=APP_1`, idKey, 2);
      assert.equal((await getList(`${ENV}/value-set-versions?key_changed=NOT_THERE&per_page=2`)).items.length, 0);
    });

    it('keeps walking while items come and go between pages: each item there throughout comes once', async () => {
      const url = '/orgs/local/resources/defs';
      const first = await call('GET', `${url}?per_page=2`);
      const seen = (JSON.parse(first.body) as Item[]).map(idKey);
      await ok('POST', '/orgs/local/resources/defs', { id: 'sp-zz-new', name: 'n', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: {} }, criteria: [{ app_id: 'late' }] });
      await ok('DELETE', '/orgs/local/resources/defs/sp-dns');
      let next = /^<([^>]+)>/.exec(first.link ?? '')?.[1];
      while (next !== undefined) {
        const page = await call('GET', next);
        seen.push(...(JSON.parse(page.body) as Item[]).map(idKey));
        next = page.link === undefined ? undefined : /^<([^>]+)>/.exec(page.link)?.[1];
      }
      const now = (await getList(url)).items.map(idKey).sort(byCodeUnit);
      assert.deepEqual(seen.filter((id) => id !== 'sp-dns'), now);
      assert.equal(new Set(seen).size, seen.length);
    });
  });
}
