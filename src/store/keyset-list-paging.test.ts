/**
 * Store keyset paging of the lists the API used to page in memory (members, active resources, resource
 * definitions, value set versions), on SQLite and PostgreSQL: each page is the right slice in the order the in-memory
 * paging sorted by (the key compared by code unit), across page boundaries, with ties in the leading columns and
 * rows added or removed between pages, and the keyset queries are answered from an index in their order.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { encodeIdPageToken } from '../shared/pagination.js';
import type { PageRequest } from '../shared/pagination.js';
import { createDeploymentsRepo } from './deployments-repo.js';
import { createCoreRepos } from './index.js';
import { activeResourceEnvKey, activeResourceOrgKey, createActiveResourcesRepo } from './resource-active-repo.js';
import type { ActiveResourceWrite } from './resource-active-repo.js';
import { createResourceDefinitionsRepo } from './resource-definitions-repo.js';
import type { ResourceDefinitionRow } from './resource-definitions-repo.js';
import type { Store } from './store.js';
import { forEachDialect, walkPages } from './testing.js';
import { createValueSetVersionsRepo } from './values-repo.js';
import type { ValueSetVersionRow } from './values-repo.js';

const AT = '2024-05-01T12:00:00.000Z';

/** Code-unit order, as the API's in-memory paging (`pageList`) sorted. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);


async function seedOrg(store: Store, envs: readonly string[] = ['dev']): Promise<string> {
  const org = `o${randomBytes(4).toString('hex')}`;
  await store.db.insertInto('orgs').values({ id: org, name: org, created_at: AT, created_by: 'test' }).execute();
  await store.db.insertInto('env_types').values({ org_id: org, id: 'development', description: '', created_at: AT, created_by: 'test' }).execute();
  for (const app of ['shop', 'shop-2']) {
    await store.db.insertInto('apps').values({ org_id: org, id: app, name: app, created_at: AT, created_by: 'test' }).execute();
    for (const env of envs) await store.db.insertInto('envs').values({ org_id: org, app_id: app, id: env, name: env, type: 'development', created_at: AT, created_by: 'test' }).execute();
  }
  return org;
}

function resource(org: string, app: string, env: string, type: string, cls: string, resId: string, extra: Partial<ActiveResourceWrite> = {}): ActiveResourceWrite {
  return {
    org_id: org, app_id: app, env_id: env, guresid: `${app}.${env}.${type}.${cls}.${resId}`, env_type: 'development', type, class: cls, res_id: resId,
    def_id: 'def', def_version_id: 'v1', criteria_id: '', driver_type: 'humanitec/echo', driver_account: null, deploy_id: 'd1', status: 'active',
    resource: '{}', secrets_sealed: null, cookie_sealed: null, scheduled_deletion: 0, updated_at: AT, ...extra,
  };
}

function definition(org: string, id: string, type: string, isDeleted = 0): ResourceDefinitionRow {
  return {
    org_id: org, id, name: id, type, driver_type: 'humanitec/echo', driver_account: null, driver_values: '{}', secret_paths: '[]', secrets_sealed: null,
    external_secret_refs: null, provision: '{}', in_place_driver_change: 0, active_version_id: '', is_deleted: isDeleted, created_at: AT, created_by: 'test', updated_at: AT, updated_by: 'test',
  };
}

/** Runs `run` against a repo built on a Kysely that records the queries it executes; returns the last one, compiled. */
async function capturedQuery(store: Store, run: (db: Store['db']) => Promise<unknown>): Promise<CompiledQuery> {
  const nodes: RootOperationNode[] = [];
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      nodes.push(args.node);
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  await run(store.db.withPlugin(capture));
  assert.ok(nodes.length > 0, 'no query ran');
  return store.db.getExecutor().compileQuery(nodes.at(-1)!, { queryId: 'plan' });
}

/** The query's plan; on PostgreSQL with sequential scans off, so an index that fits the query is chosen even on a tiny table. */
async function planOf(store: Store, query: CompiledQuery): Promise<string> {
  if (store.dialect === 'sqlite') {
    const rows = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return store.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

forEachDialect('keyset list paging', (getStore) => {
  it('pages org, app and env-type members by user id, whatever their joining time, with members added and removed between pages', async () => {
    const store = getStore();
    const repos = createCoreRepos(store);
    const org = await seedOrg(store);
    // Joining times tie (one timestamp for all) and run against the id order for the rest: the page order is the id's alone.
    const ids = ['u-m', 'u-c', 'u-x', 'u-a', 'u-q', 'u-f', 'u-z', 'u'];
    const joined = (i: number) => (i % 2 === 0 ? AT : `2024-05-0${9 - (i % 8)}T00:00:00.000Z`);
    const addUser = async (id: string, i: number) => {
      await repos.users.insert({ id, name: id, email: `${id}@example.com`, type: 'user', created_at: AT });
      await repos.rbac.insertOrgMember({ org_id: org, user_id: id, role: 'member', created_at: joined(i) });
      await repos.rbac.upsertAppMember({ org_id: org, app_id: 'shop', user_id: id, role: 'viewer', created_at: joined(i) });
      await repos.rbac.upsertEnvTypeMember({ org_id: org, env_type: 'development', user_id: id, role: 'deployer', created_at: joined(i) });
    };
    for (const [i, id] of ids.entries()) await addUser(id, i);
    const expected = [...ids].sort(byCodeUnit);
    const listings = [
      { name: 'org', page: (p: PageRequest) => repos.rbac.orgMembersPage(org, p), whole: () => repos.rbac.orgMembers(org) },
      { name: 'app', page: (p: PageRequest) => repos.rbac.appMembersPage(org, 'shop', p), whole: () => repos.rbac.appMembers(org, 'shop') },
      { name: 'env type', page: (p: PageRequest) => repos.rbac.envTypeMembersPage(org, 'development', p), whole: () => repos.rbac.envTypeMembers(org, 'development') },
    ];
    for (const listing of listings) {
      const { items, pages } = await walkPages(3, listing.page);
      assert.deepEqual(items.map((m) => m.user_id), expected, `${listing.name} members`);
      assert.equal(pages, 3);
      assert.deepEqual([...(await listing.whole()).map((m) => m.user_id)].sort(byCodeUnit), expected, `${listing.name}: the pages hold the whole list`);
      assert.equal((await walkPages(8, listing.page)).pages, 1, 'exactly one page\'s worth announces no next page');
      assert.deepEqual((await listing.page({ limit: 2, token: encodeIdPageToken('u-q') })).items.map((m) => m.user_id), ['u-x', 'u-z'], `${listing.name}: a page starts after the token's user`);
    }

    // Between pages: one member joins before the cursor (the client is past it), one after it (shown once), one
    // not yet shown leaves (never shown), one already shown leaves (no effect on the rest).
    const first = await repos.rbac.orgMembersPage(org, { limit: 3 });
    assert.deepEqual(first.items.map((m) => m.user_id), ['u', 'u-a', 'u-c']);
    await addUser('u-b', 0);
    await addUser('u-n', 0);
    await repos.rbac.removeFromOrg(org, 'u-q');
    await repos.rbac.removeFromOrg(org, 'u-a');
    const rest = await walkPages(3, (p) => repos.rbac.orgMembersPage(org, p), first.nextToken);
    assert.deepEqual(rest.items.map((m) => m.user_id), ['u-f', 'u-m', 'u-n', 'u-x', 'u-z']);
    // Another org's members never show.
    const other = await seedOrg(store);
    await repos.rbac.insertOrgMember({ org_id: other, user_id: 'u-a', role: 'member', created_at: AT });
    assert.deepEqual((await walkPages(2, (p) => repos.rbac.orgMembersPage(other, p))).items.map((m) => m.user_id), ['u-a']);
  });

  it('pages an environment\'s active resources by the string type/class/res_id, not column by column, with filters and changes between pages', async () => {
    const store = getStore();
    const active = createActiveResourcesRepo(store.db);
    const deployments = createDeploymentsRepo(store.db);
    const org = await seedOrg(store);
    // `postgres` is a prefix of `postgres-instance`, `default` of `default-ro`: the string order puts `-` (0x2d)
    // before `/` (0x2f), so `postgres-instance/…` comes first; ordering the columns one by one would not.
    const specs: Array<[string, string, string]> = [
      ['postgres', 'default', 'shared.db'],
      ['postgres-instance', 'default', 'shared.db'],
      ['postgres', 'default-ro', 'shared.db'],
      ['postgres', 'default', 'modules.web.externals.db'],
      ['dns', 'default', 'modules.web.externals.dns'],
      ['dns', 'default', 'modules.api.externals.dns'],
      ['k8s-cluster', 'default', 'k8s-cluster'],
    ];
    for (const [i, [type, cls, resId]] of specs.entries()) {
      await active.upsert(resource(org, 'shop', 'dev', type, cls, resId, { scheduled_deletion: i % 3 === 0 ? 1 : 0 }));
      if (i % 2 === 0) await deployments.upsertLink({ org_id: org, app_id: 'shop', env_id: 'dev', guresid: `shop.dev.${type}.${cls}.${resId}`, depends_on: '[]', orphaned: i % 4 === 0 ? 1 : 0 });
    }
    await active.upsert(resource(org, 'shop-2', 'dev', 'dns', 'default', 'other-app'));
    const keys = specs.map(([type, cls, resId]) => activeResourceEnvKey({ type, class: cls, res_id: resId }));
    const expected = [...keys].sort(byCodeUnit);
    const columnwise = [...specs].sort((a, b) => byCodeUnit(a[0], b[0]) || byCodeUnit(a[1], b[1]) || byCodeUnit(a[2], b[2])).map(([type, cls, resId]) => `${type}/${cls}/${resId}`);
    assert.notDeepEqual(columnwise, expected, 'the data tells the string order from the column order');

    const page = (filter: { orphaned?: boolean; scheduledDeletion?: boolean }) => (p: PageRequest) => active.pageByEnv(org, 'shop', 'dev', filter, p);
    const { items, pages } = await walkPages(2, page({}));
    assert.deepEqual(items.map(activeResourceEnvKey), expected);
    assert.equal(pages, 4);
    // The link's flag rides along: orphaned where the link says so, NULL where there is no link.
    const orphanedKeys = specs.filter((_s, i) => i % 2 === 0 && i % 4 === 0).map(([type, cls, resId]) => `${type}/${cls}/${resId}`);
    assert.deepEqual(items.filter((r) => r.link_orphaned === 1).map(activeResourceEnvKey).sort(byCodeUnit), [...orphanedKeys].sort(byCodeUnit));
    assert.ok(items.some((r) => r.link_orphaned === null) && items.some((r) => r.link_orphaned === 0));

    for (const filter of [{ orphaned: true }, { orphaned: false }, { scheduledDeletion: true }, { scheduledDeletion: false }, { orphaned: false, scheduledDeletion: true }]) {
      const keep = (r: (typeof items)[number]) =>
        (filter.orphaned === undefined || (r.link_orphaned === 1) === filter.orphaned) && (filter.scheduledDeletion === undefined || (r.scheduled_deletion === 1) === filter.scheduledDeletion);
      const filtered = await walkPages(1, page(filter));
      assert.deepEqual(filtered.items.map(activeResourceEnvKey), items.filter(keep).map(activeResourceEnvKey), JSON.stringify(filter));
      assert.ok(filtered.items.length > 0, `${JSON.stringify(filter)} keeps something`);
    }

    // Between pages: one resource before the cursor, one after; one not yet shown removed.
    const first = await active.pageByEnv(org, 'shop', 'dev', {}, { limit: 3 });
    assert.deepEqual(first.items.map(activeResourceEnvKey), expected.slice(0, 3));
    await active.upsert(resource(org, 'shop', 'dev', 'aws-role', 'default', 'new'));
    await active.upsert(resource(org, 'shop', 'dev', 'postgres', 'default', 'new'));
    assert.ok(!first.items.map(activeResourceEnvKey).includes(keys[2]!));
    await active.delete(org, 'shop', 'dev', 'shop.dev.postgres.default-ro.shared.db');
    const rest = await walkPages(3, page({}), first.nextToken);
    assert.deepEqual(rest.items.map(activeResourceEnvKey), [...expected.slice(3).filter((k) => k !== keys[2]), 'postgres/default/new'].sort(byCodeUnit));
  });

  it('pages a definition\'s active resources by app/env/type/class/res_id across apps and environments', async () => {
    const store = getStore();
    const active = createActiveResourcesRepo(store.db);
    const org = await seedOrg(store, ['dev', 'dev-2', 'prod']);
    const rows = [
      resource(org, 'shop', 'dev', 'dns', 'default', 'b'),
      resource(org, 'shop', 'dev-2', 'dns', 'default', 'a'),
      resource(org, 'shop-2', 'dev', 'dns', 'default', 'a'),
      resource(org, 'shop', 'prod', 'dns', 'default', 'a'),
      resource(org, 'shop', 'dev', 'dns', 'default', 'a'),
      resource(org, 'shop', 'dev', 'dns-x', 'default', 'a'),
      resource(org, 'shop', 'prod', 'postgres', 'default', 'a', { def_id: 'other-def' }),
    ];
    for (const row of rows) await active.upsert(row);
    const expected = rows.filter((r) => r.def_id === 'def').map(activeResourceOrgKey).sort(byCodeUnit);
    // `shop-2/…` and `dev-2/…` sort before `shop/…` and `dev/…`: the string order, which the paged API has always used.
    assert.equal(expected[0], 'shop-2/dev/dns/default/a');
    const { items, pages } = await walkPages(2, (p) => active.pageByDefinition(org, 'def', p));
    assert.deepEqual(items.map(activeResourceOrgKey), expected);
    assert.equal(pages, 3);
    const unpaged = await active.listByDefinition(org, 'def');
    assert.deepEqual(unpaged.map(activeResourceOrgKey).sort(byCodeUnit), expected, 'the pages hold the whole list');

    const first = await active.pageByDefinition(org, 'def', { limit: 2 });
    await active.delete(org, 'shop', 'dev-2', 'shop.dev-2.dns.default.a');
    await active.upsert(resource(org, 'shop', 'prod', 'dns', 'default', 'z'));
    const rest = await walkPages(2, (p) => active.pageByDefinition(org, 'def', p), first.nextToken);
    assert.deepEqual(rest.items.map(activeResourceOrgKey), ['shop/dev/dns/default/a', 'shop/dev/dns/default/b', 'shop/dev/dns-x/default/a', 'shop/prod/dns/default/a', 'shop/prod/dns/default/z'].sort(byCodeUnit));
  });

  it('reads resource definitions by id after a cursor, with the type and deleted filters in the query', async () => {
    const store = getStore();
    const repo = createResourceDefinitionsRepo(store.db);
    const org = await seedOrg(store);
    const defs = [definition(org, 'pg-2', 'postgres'), definition(org, 'dns-1', 'dns'), definition(org, 'pg', 'postgres', 1), definition(org, 'pg-1', 'postgres'), definition(org, 'a', 'dns')];
    for (const def of defs) await repo.insert(def);
    const slices = async (options: { includeDeleted?: boolean; type?: string }) => {
      const seen: string[] = [];
      for (let after: string | undefined; ; ) {
        const rows = await repo.listAfter(org, { ...options, after, limit: 2 });
        seen.push(...rows.map((r) => r.id));
        if (rows.length < 2) return seen;
        after = rows.at(-1)!.id;
      }
    };
    assert.deepEqual(await slices({}), ['a', 'dns-1', 'pg-1', 'pg-2']);
    assert.deepEqual(await slices({ includeDeleted: true }), ['a', 'dns-1', 'pg', 'pg-1', 'pg-2']);
    assert.deepEqual(await slices({ type: 'postgres', includeDeleted: true }), ['pg', 'pg-1', 'pg-2']);
    assert.deepEqual(await slices({ type: 'postgres' }), ['pg-1', 'pg-2']);
    assert.deepEqual((await repo.listCriteriaOf(org, [])).length, 0);
  });

  it('reads a scope\'s value set versions by id after a cursor, app and environment scopes apart', async () => {
    const store = getStore();
    const versions = createValueSetVersionsRepo(store.db, store.dialect);
    const org = await seedOrg(store);
    const row = (id: string, envId: string | null, seq: number): ValueSetVersionRow => ({
      id, org_id: org, app_id: 'shop', env_id: envId, seq, app_version_id: null, value_set: '{}', change: '[]', comment: '', result_of: null,
      source_value_set_version_id: null, created_by: 'test', created_at: AT, updated_at: AT,
    });
    // Ids run against `seq` (the whole list's order, newest first): pages follow the id.
    const appIds = ['v-9', 'v-3', 'v-5', 'v-1', 'v-7'].map((id) => `${org}-${id}`);
    for (const [i, id] of appIds.entries()) await versions.insert(row(id, null, i + 1));
    for (const [i, id] of ['e-2', 'e-1'].entries()) await versions.insert(row(`${org}-${id}`, 'dev', i + 1));
    const scope = { orgId: org, appId: 'shop', envId: null };
    const seen: string[] = [];
    for (let after: string | undefined; ; ) {
      const rows = await versions.listByIdAfter(scope, { after, limit: 2 });
      seen.push(...rows.map((r) => r.id));
      if (rows.length < 2) break;
      after = rows.at(-1)!.id;
      // A version added behind the cursor is not read again; one ahead of it is.
      if (seen.length === 2) {
        await versions.insert(row(`${org}-v-0`, null, 6));
        await versions.insert(row(`${org}-v-8`, null, 7));
      }
    }
    assert.deepEqual(seen, [...appIds, `${org}-v-8`].sort(byCodeUnit));
    assert.deepEqual((await versions.listByIdAfter({ ...scope, envId: 'dev' }, { limit: 10 })).map((r) => r.id), [`${org}-e-1`, `${org}-e-2`]);
    assert.deepEqual((await versions.listByIdAfter(scope, { limit: 10 })).map((r) => r.seq).length, 7);
  });

  it('answers each keyset page from an index in the page order (no sort of the whole list)', async () => {
    const store = getStore();
    const org = await seedOrg(store);
    const token = encodeIdPageToken('m');
    const cases: Array<{ name: string; index: string; run: (db: Store['db']) => Promise<unknown> }> = [
      { name: 'env resources', index: 'active_resources_env_key_idx', run: (db) => createActiveResourcesRepo(db).pageByEnv(org, 'shop', 'dev', { orphaned: false }, { limit: 5, token }) },
      { name: 'definition resources', index: 'active_resources_def_key_idx', run: (db) => createActiveResourcesRepo(db).pageByDefinition(org, 'def', { limit: 5, token }) },
      { name: 'value set versions', index: 'value_set_versions_id_idx', run: (db) => createValueSetVersionsRepo(db, store.dialect).listByIdAfter({ orgId: org, appId: 'shop', envId: 'dev' }, { after: 'm', limit: 5 }) },
      { name: 'org members', index: store.dialect === 'sqlite' ? 'sqlite_autoindex_org_members_1' : 'org_members_pk', run: (db) => createCoreRepos({ ...store, db }).rbac.orgMembersPage(org, { limit: 5, token }) },
    ];
    for (const c of cases) {
      const plan = await planOf(store, await capturedQuery(store, c.run));
      assert.match(plan, new RegExp(c.index), `${c.name}: ${plan}`);
      if (store.dialect === 'sqlite') assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/, `${c.name}: ${plan}`);
      else assert.doesNotMatch(plan, /^\s*(->\s*)?Sort\b/m, `${c.name}: ${plan}`);
    }
  });
});
