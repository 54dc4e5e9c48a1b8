/**
 * Every list route Baton serves either pages (issue #22, data volume) or is on NOT_PAGED with the reason it stays
 * whole; the route table comes from the OpenAPI document Baton serves, so a new unpaged list fails here. Each paged
 * route is walked through its `Link` headers with per_page=2 over at least five items, on SQLite and PostgreSQL:
 * every item of the unpaged list exactly once, no page over per_page, per_page bounded to 1..100, and a page token
 * Baton did not issue refused with 400.
 */
import assert from 'node:assert/strict';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../../test/helpers/in-process.js';

/** GET routes answering a JSON array that stay unpaged, with why (OpenAPI path form). */
const NOT_PAGED: Record<string, string> = {
  '/orgs': 'one organization per Baton installation',
  '/orgs/{orgId}/invitations': 'not served (Humanitec invitations have no Baton counterpart)',
  '/orgs/{orgId}/resources/types': 'fixed catalogue: built-in and driver-declared resource types',
  '/orgs/{orgId}/resources/classes': 'small catalogue: one entry per declared class of a type',
  '/orgs/{orgId}/resources/drivers': 'fixed catalogue of the drivers built into Baton',
  '/orgs/{orgId}/resources/account-types': 'fixed catalogue of account types',
  '/orgs/{orgId}/events': 'fixed catalogue of webhook event types',
  '/orgs/{orgId}/apps/{appId}/sets/{setId}/resources': 'bounded by one deployment set (its resource dependencies)',
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/deploys/{deployId}/errors': 'bounded by one deployment',
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/deploys/{deployId}/baton/phases': 'bounded by one deployment (its fixed phases)',
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/deploys/{deployId}/baton/logs': 'bounded by one deployment (capped log)',
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/logs': 'runtime container logs with their own limit/since window',
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/rules/{ruleId}/baton/runs': 'already capped: the latest 100 runs',
  '/orgs/{orgId}/apps/{appId}/webhooks/{jobId}/baton/deliveries': 'already capped: the latest 100 deliveries',
  '/orgs/{orgId}/images/{imageId}/builds': 'bounded by one image (deprecated API); builds carry no identity to key a page on',
};

const PEMS = Promise.all(
  [1, 2, 3, 4, 5].map(async () => {
    const { publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 4096 });
    return publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }),
);

const N = [1, 2, 3, 4, 5];
const APP = 'pg';
const ENV = `/orgs/local/apps/${APP}/envs/development`;
const TEMPLATE = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .id }}\n';

/** The paged routes walked below: OpenAPI path → the concrete URL of a list holding at least five items. */
const WALKED: Record<string, string> = {
  '/orgs/{orgId}/apps': '/orgs/local/apps',
  '/orgs/{orgId}/apps/{appId}/envs': `/orgs/local/apps/${APP}/envs`,
  '/orgs/{orgId}/apps/{appId}/sets': `/orgs/local/apps/${APP}/sets`,
  '/orgs/{orgId}/apps/{appId}/deltas': `/orgs/local/apps/${APP}/deltas`,
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/deploys': `${ENV}/deploys`,
  '/orgs/{orgId}/audit-logs': '/orgs/local/audit-logs',
  '/orgs/{orgId}/resources/defs': '/orgs/local/resources/defs',
  '/orgs/{orgId}/resources/defs/{defId}/versions': '/orgs/local/resources/defs/cfg/versions',
  '/orgs/{orgId}/resources/defs/{defId}/resources': '/orgs/local/resources/defs/cfg/resources',
  '/orgs/{orgId}/users': '/orgs/local/users',
  '/orgs/{orgId}/apps/{appId}/users': `/orgs/local/apps/${APP}/users`,
  '/orgs/{orgId}/env-types/{envTypeId}/users': '/orgs/local/env-types/development/users',
  '/users/{userId}/tokens': '/users/{serviceUser}/tokens',
  '/orgs/{orgId}/env-types': '/orgs/local/env-types',
  '/orgs/{orgId}/apps/{appId}/values': `/orgs/local/apps/${APP}/values`,
  '/orgs/{orgId}/apps/{appId}/value-set-versions': `/orgs/local/apps/${APP}/value-set-versions`,
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/values': `${ENV}/values`,
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/value-set-versions': `${ENV}/value-set-versions`,
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/resources': `${ENV}/resources`,
  '/orgs/{orgId}/apps/{appId}/envs/{envId}/rules': `${ENV}/rules`,
  '/orgs/{orgId}/apps/{appId}/webhooks': `/orgs/local/apps/${APP}/webhooks`,
  '/orgs/{orgId}/workload-profiles': '/orgs/local/workload-profiles',
  '/orgs/{orgId}/workload-profiles/{profileQid}/versions': '/orgs/local/workload-profiles/local%2Fwp-1/versions',
  '/orgs/{orgId}/secretstores': '/orgs/local/secretstores',
  '/orgs/{orgId}/artefact-versions': '/orgs/local/artefact-versions',
  '/orgs/{orgId}/artefacts': '/orgs/local/artefacts',
  '/orgs/{orgId}/artefacts/{artefactId}/versions': '/orgs/local/artefacts/{artefact}/versions',
  '/orgs/{orgId}/images': '/orgs/local/images',
  '/orgs/{orgId}/resources/accounts': '/orgs/local/resources/accounts',
  '/orgs/{orgId}/registries': '/orgs/local/registries',
  '/orgs/{orgId}/keys': '/orgs/local/keys',
  '/orgs/{orgId}/baton/active-resource-usage': '/orgs/local/baton/active-resource-usage',
};

/** Paged even without per_page (default 50), as in Humanitec's contract (and Baton's own org-wide resource usage). */
const ALWAYS_PAGED = new Set(['/orgs/{orgId}/audit-logs', '/orgs/{orgId}/apps/{appId}/envs/{envId}/deploys', '/orgs/{orgId}/baton/active-resource-usage']);

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string }>;
  responses?: Record<string, { content?: Record<string, { schema?: { type?: string } }> }>;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`every list route pages or says why not [${dialect}]`, () => {
    let baton: InProcessBaton;
    const urls = new Map<string, string>();

    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
      const res = await baton.app.inject({ method, url, headers: baton.authHeaders, ...(payload === undefined ? {} : { payload: payload as object }) });
      const link = res.headers.link;
      return { status: res.statusCode, body: res.body, link: typeof link === 'string' ? link : undefined };
    };
    const created = async (url: string, payload: unknown) => {
      const res = await call('POST', url, payload);
      assert.ok(res.status === 200 || res.status === 201 || res.status === 204, `POST ${url}: ${res.status} ${res.body}`);
      return (res.status === 204 ? {} : JSON.parse(res.body)) as { id: string };
    };

    before(async () => {
      baton = await startInProcessBaton({ dialect });
      await created('/orgs/local/apps', { id: APP, name: APP });
      for (const n of N) await created('/orgs/local/apps', { id: `pg-${n}`, name: `pg ${n}` });
      for (const n of N) await created(`/orgs/local/apps/${APP}/envs`, { id: `env-${n}`, name: `env ${n}`, type: 'development' });
      for (const n of N) await created('/orgs/local/env-types', { id: `type-${n}`, description: `type ${n}` });
      const users: string[] = [];
      for (const n of N) users.push((await created('/orgs/local/users', { name: `paging-user-${n}`, role: 'member' })).id);
      for (const id of users) {
        await created(`/orgs/local/apps/${APP}/users`, { id, role: 'viewer' });
        await created('/orgs/local/env-types/development/users', { id, role: 'deployer' });
      }
      for (const n of N) await created(`/users/${users[0]!}/tokens`, { id: `token-${n}`, type: 'static', description: 'paging' });
      urls.set('/users/{userId}/tokens', `/users/${users[0]!}/tokens`);
      for (const n of N) {
        await created(`/orgs/local/apps/${APP}/values`, { key: `APP_${n}`, value: `v${n}`, description: 'paging', is_secret: false });
        await created(`${ENV}/values`, { key: `ENV_${n}`, value: `v${n}`, description: 'paging', is_secret: false });
      }
      for (const n of N) await created(`${ENV}/rules`, { type: 'update', artefacts_filter: [`registry.example.com/acme/web-${n}`], match_ref: '^refs/heads/main$' });
      for (const n of N) await created(`/orgs/local/apps/${APP}/webhooks`, { id: `hook-${n}`, url: `https://hooks.example.com/${n}`, triggers: [{ scope: 'environment', type: 'created' }] });
      for (const n of N) await created('/orgs/local/workload-profiles', { id: `wp-${n}`, baton_template: TEMPLATE, spec_schema: { type: 'object' } });
      for (const n of [2, 3, 4, 5]) {
        const res = await call('PUT', '/orgs/local/workload-profiles/local%2Fwp-1', { version: `0.0.${n}`, baton_template: `${TEMPLATE}# ${n}\n`, spec_schema: { type: 'object' } });
        assert.equal(res.status, 200, res.body);
      }
      for (const n of N) await created('/orgs/local/secretstores', { id: `store-${n}`, primary: false, vault: { url: `https://vault-${n}.example.com`, path: 'secret', auth: { token: 'not-a-real-token' } } });
      for (const n of N) await created('/orgs/local/artefact-versions', { type: 'container', name: `registry.example.com/acme/app-${n}`, version: '1.0.0' });
      for (const n of [2, 3, 4, 5]) await created('/orgs/local/artefact-versions', { type: 'container', name: 'registry.example.com/acme/app-1', version: `1.0.${n}` });
      const artefacts = JSON.parse((await call('GET', '/orgs/local/artefacts')).body) as Array<{ id: string; name: string }>;
      urls.set('/orgs/{orgId}/artefacts/{artefactId}/versions', `/orgs/local/artefacts/${artefacts.find((a) => a.name === 'registry.example.com/acme/app-1')!.id}/versions`);
      for (const n of N) await created(`/orgs/local/images/img-${n}/builds`, { branch: 'main', commit: '75ef9faee755c70589550b513ad881e5a603182c', image: `registry.example.com/acme/img-${n}:1`, tags: [] });
      for (const n of N) await created('/orgs/local/resources/accounts', { id: `acc-${n}`, name: `acc ${n}`, type: 'aws', credentials: { aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'not-a-secret' } });
      for (const n of N) await created('/orgs/local/registries', { id: `reg-${n}`, registry: `registry-${n}.example.com/acme`, type: 'basic', creds: { username: 'bot', password: 'not-a-password' } });
      for (const pem of await PEMS) {
        const res = await baton.app.inject({ method: 'POST', url: '/orgs/local/keys', headers: { ...baton.authHeaders, 'content-type': 'application/json' }, payload: JSON.stringify(pem) });
        assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
      }

      // Resource definition `cfg` with five versions, matched by the externals of one workload deployed five times,
      // each time with one more external (so five deployments, five distinct deployment sets).
      const def = (n: number) => ({ id: 'cfg', name: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { n: String(n) } }, criteria: [{ app_id: APP }] });
      await created('/orgs/local/resources/defs', def(1));
      for (const n of [2, 3, 4, 5]) {
        const res = await call('PUT', '/orgs/local/resources/defs/cfg', { name: 'cfg', driver_type: 'humanitec/echo', driver_inputs: def(n).driver_inputs });
        assert.equal(res.status, 200, res.body);
      }
      for (const n of N) await created('/orgs/local/resources/defs', { id: `def-${n}`, name: `def ${n}`, type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: {} }, criteria: [{ app_id: `nobody-${n}` }] });
      for (const n of N) {
        const externals = Object.fromEntries(N.filter((m) => m <= n).map((m) => [`c${m}`, { type: 'config' }]));
        const module = { profile: 'humanitec/default-module', externals, spec: { containers: { main: { id: 'main', image: 'registry.example.com/acme/web:1' } } } };
        const delta = await created(`/orgs/local/apps/${APP}/deltas`, { modules: { add: { web: module } } });
        const deploy = await created(`${ENV}/deploys`, { delta_id: delta.id, comment: `paging ${n}` });
        let status = 'pending';
        for (let i = 0; i < 1200 && status !== 'succeeded' && status !== 'failed'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          status = (JSON.parse((await call('GET', `${ENV}/deploys/${deploy.id}`)).body) as { status: string }).status;
        }
        assert.equal(status, 'succeeded', `deployment ${n}`);
      }
    });
    after(() => baton.stop());

    const parseNext = (link: string | undefined): string | undefined => {
      if (link === undefined) return undefined;
      const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      assert.ok(next, `unexpected Link header ${link}`);
      return next;
    };

    it('lists every GET array route as paged (with per_page and page) or as NOT_PAGED with a reason', async () => {
      const doc = JSON.parse((await call('GET', '/openapi.json')).body) as { paths: Record<string, { get?: OpenApiOperation }> };
      const lists: string[] = [];
      for (const [path, item] of Object.entries(doc.paths)) {
        const op = item.get;
        const schema = op?.responses?.['200']?.content?.['application/json']?.schema;
        if (op === undefined || schema?.type !== 'array') continue;
        lists.push(path);
        const query = new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
        const paged = query.has('per_page') && query.has('page');
        if (NOT_PAGED[path] !== undefined) assert.ok(!paged, `${path} pages: take it off NOT_PAGED and add it to WALKED`);
        else {
          assert.ok(paged, `${path} lists without paging: page it (src/api/routes/paging.ts) or add it to NOT_PAGED with the reason`);
          assert.ok(WALKED[path] !== undefined, `${path} pages but this test does not walk it`);
        }
      }
      assert.ok(lists.length >= 40, `only ${lists.length} list routes found: the OpenAPI walk is broken`);
      for (const path of [...Object.keys(NOT_PAGED), ...Object.keys(WALKED)]) assert.ok(lists.includes(path), `${path} is no longer a list route`);
    });

    it('pages artefact versions in the store, newest first, in the order of the unpaged list', async () => {
      for (const url of ['/orgs/local/artefact-versions', urls.get('/orgs/{orgId}/artefacts/{artefactId}/versions')!]) {
        const whole = (JSON.parse((await call('GET', url)).body) as Array<{ id: string; created_at: string }>);
        const paged: Array<{ id: string; created_at: string }> = [];
        for (let next: string | undefined = `${url}?per_page=2`; next !== undefined; ) {
          const page = await call('GET', next);
          paged.push(...(JSON.parse(page.body) as Array<{ id: string; created_at: string }>));
          next = parseNext(page.link);
        }
        assert.deepEqual(paged.map((v) => v.id), whole.map((v) => v.id));
        assert.deepEqual(paged.map((v) => v.created_at), [...paged.map((v) => v.created_at)].sort().reverse(), 'newest first');
      }
    });

    for (const [path, template] of Object.entries(WALKED)) {
      it(`walks ${path} with per_page=2 through Link headers, each item once`, async () => {
        const url = urls.get(path) ?? template;
        const sep = url.includes('?') ? '&' : '?';
        const walk = async (perPage: number) => {
          const items: string[] = [];
          let pages = 0;
          for (let next: string | undefined = `${url}${sep}per_page=${perPage}`; next !== undefined; pages++) {
            const page = await call('GET', next);
            assert.equal(page.status, 200, page.body);
            const onPage = (JSON.parse(page.body) as unknown[]).map((item) => JSON.stringify(item));
            assert.ok(onPage.length <= perPage && onPage.length > 0, `${onPage.length} items on a page of per_page=${perPage}`);
            items.push(...onPage);
            next = parseNext(page.link);
            assert.ok(pages < 200, 'the cursor does not advance');
          }
          return { items, pages };
        };
        // Without per_page the opt-in lists answer whole; the always-paged ones (deploys, audit logs) are read whole in pages of 100.
        const whole = ALWAYS_PAGED.has(path) ? undefined : await call('GET', url);
        if (whole !== undefined) assert.equal(whole.link, undefined, 'no Link header without per_page');
        const all = whole === undefined ? (await walk(100)).items : (JSON.parse(whole.body) as unknown[]).map((item) => JSON.stringify(item));
        assert.ok(all.length >= 5, `${url} holds ${all.length} items, the walk needs at least 5`);
        assert.equal(new Set(all).size, all.length);

        const { items: seen, pages } = await walk(2);
        assert.equal(new Set(seen).size, seen.length, 'an item came twice');
        assert.deepEqual([...seen].sort(), [...all].sort(), 'the pages hold exactly the whole list');
        assert.equal(pages, Math.ceil(all.length / 2));

        assert.equal((await call('GET', `${url}${sep}per_page=0`)).status, 400);
        assert.equal((await call('GET', `${url}${sep}per_page=101`)).status, 400);
        assert.equal((await call('GET', `${url}${sep}page=not-a-token`)).status, 400);
        if (all.length <= 100) assert.equal((await call('GET', `${url}${sep}per_page=100`)).link, undefined, 'one page holds the whole short list');
      });
    }
  });
}
