/**
 * Issue 4's acceptance (sets and deltas) and issue 3's convert-score endpoint, driven through Humanitec's generated
 * client (`@humanitec/autogen`) and plain HTTP against `baton serve` in a child process, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, SetResponseFromJSON, apiConfig } from '@humanitec/autogen';
import type { DeltaRequest, SetResponse } from '@humanitec/autogen';
import { EMPTY_SET_ID } from '../../src/sets/index.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const ORG = 'local';
const APP = 'shop';

async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: Record<string, unknown> } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as never };
  }
  assert.fail('expected the call to fail');
}

/**
 * GET a set through the client. The client's own `orgsOrgIdAppsAppIdSetsSetIdGet` cannot parse any set (its
 * generated oneOf decoder also runs the PlainDeltaResponse decoder, which calls `shared.map` on the set's `shared`
 * map), so the raw call is used and the body decoded with the client's `SetResponseFromJSON`.
 */
async function getSet(api: PublicApi, setId: string): Promise<SetResponse> {
  const response = await api.orgsOrgIdAppsAppIdSetsSetIdGetRaw({ orgId: ORG, appId: APP, setId });
  return SetResponseFromJSON(await response.raw.json());
}

function workload(image: string): NonNullable<NonNullable<DeltaRequest['modules']>['add']>[string] {
  return {
    profile: 'humanitec/default-module',
    spec: { containers: { main: { id: 'main', image, variables: { PORT: '8080' } } } },
    externals: { db: { type: 'postgres', params: { extensions: { 'uuid-ossp': {} } } } },
  };
}

/** The same object with its keys in reverse order, recursively. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`sets and deltas contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let api: PublicApi;
    const http = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${baton.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };

    before(async () => {
      baton = await startBatonProcess({ dialect });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
      await api.createApplication({ orgId: ORG, ApplicationCreationRequest: { id: APP, name: 'Shop' } });
    });
    after(() => baton.stop());

    it('creates a delta, applies it to the empty set, diffs and re-applies to reach the same set id', async () => {
      const created = await api.orgsOrgIdAppsAppIdDeltasPost({
        orgId: ORG,
        appId: APP,
        DeltaRequest: {
          metadata: { name: 'two workloads', env_id: 'development' },
          modules: { add: { web: workload('registry.example/web:1'), worker: workload('registry.example/worker:1') } },
        },
      });
      assert.match(created.id, /^[0-9a-f]{40}$/);
      assert.equal(created.metadata.name, 'two workloads');
      assert.equal(created.metadata.env_id, 'development');
      assert.equal(created.metadata.archived, false);
      assert.ok(created.metadata.created_at instanceof Date && !Number.isNaN(created.metadata.created_at.getTime()));
      assert.deepEqual(Object.keys(created.modules.add ?? {}).sort(), ['web', 'worker']);

      const delta = await api.getDelta({ orgId: ORG, appId: APP, deltaId: created.id });
      const firstId = await api.orgsOrgIdAppsAppIdSetsSetIdPost({ orgId: ORG, appId: APP, setId: '0', DeltaRequest: { modules: delta.modules, shared: delta.shared } });
      assert.match(firstId, /^[0-9a-f]{40}$/);
      assert.notEqual(firstId, EMPTY_SET_ID);

      const first = await getSet(api, firstId);
      assert.equal(first.id, firstId);
      assert.deepEqual(Object.keys(first.modules).sort(), ['web', 'worker']);
      assert.equal((first.modules.web!.spec as { containers: { main: { image: string } } }).containers.main.image, 'registry.example/web:1');

      const secondId = await api.orgsOrgIdAppsAppIdSetsSetIdPost({
        orgId: ORG,
        appId: APP,
        setId: firstId,
        DeltaRequest: {
          modules: {
            update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'registry.example/web:2' }] },
            remove: ['worker'],
          },
        },
      });
      assert.notEqual(secondId, firstId);
      const second = await getSet(api, secondId);
      assert.deepEqual(Object.keys(second.modules), ['web']);
      assert.equal((second.modules.web!.spec as { containers: { main: { image: string } } }).containers.main.image, 'registry.example/web:2');

      const diff = await api.orgsOrgIdAppsAppIdSetsSetIdDiffSourceSetIdGet({ orgId: ORG, appId: APP, setId: secondId, sourceSetId: firstId });
      assert.deepEqual(diff.modules.remove, ['worker']);
      assert.deepEqual(Object.keys(diff.modules.update ?? {}), ['web']);
      const reapplied = await api.orgsOrgIdAppsAppIdSetsSetIdPost({ orgId: ORG, appId: APP, setId: firstId, DeltaRequest: { modules: diff.modules, shared: diff.shared } });
      assert.equal(reapplied, secondId);

      // `?diff=` on GET set returns the same delta.
      const viaQuery = await http('GET', `/orgs/${ORG}/apps/${APP}/sets/${secondId}?diff=${firstId}`);
      assert.deepEqual(viaQuery.body, (await http('GET', `/orgs/${ORG}/apps/${APP}/sets/${secondId}/diff/${firstId}`)).body);

      // Each set is stored once, however often it is reached.
      const listed = await api.getSets({ orgId: ORG, appId: APP });
      assert.deepEqual(listed.map((s) => s.id).sort(), [firstId, secondId].sort());
    });

    it('serves the empty set under 0 and its fixed id', async () => {
      const byAlias = await getSet(api, '0');
      assert.equal(byAlias.id, EMPTY_SET_ID);
      assert.deepEqual(byAlias.modules, {});
      const byId = await http('GET', `/orgs/${ORG}/apps/${APP}/sets/${EMPTY_SET_ID}`);
      assert.equal(byId.status, 200);
      assert.equal((await http('GET', `/orgs/${ORG}/apps/${APP}/sets/${'a'.repeat(40)}`)).status, 404);
      assert.equal((await http('GET', `/orgs/${ORG}/apps/nope/sets/0`)).status, 404);
    });

    it('gives the same set id to the same content posted in another key order', async () => {
      const delta = { modules: { add: { api: workload('registry.example/api:7') } }, shared: [{ op: 'add', path: '/dns', value: { type: 'dns', class: 'default' } }] };
      const a = await http('POST', `/orgs/${ORG}/apps/${APP}/sets/0`, delta);
      const b = await http('POST', `/orgs/${ORG}/apps/${APP}/sets/0`, reverseKeys(delta));
      assert.equal(a.status, 200);
      assert.match(a.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(typeof a.body, 'string');
      assert.equal(b.body, a.body);
    });

    it('rejects a JSON-Patch that does not apply with a 4xx naming the module, op and path, storing nothing', async () => {
      const before = (await api.getSets({ orgId: ORG, appId: APP })).length;
      const base = await api.orgsOrgIdAppsAppIdSetsSetIdPost({ orgId: ORG, appId: APP, setId: '0', DeltaRequest: { modules: { add: { web: workload('x:1') } } } });
      const count = (await api.getSets({ orgId: ORG, appId: APP })).length;
      const { status, body } = await failure(
        api.orgsOrgIdAppsAppIdSetsSetIdPost({
          orgId: ORG,
          appId: APP,
          setId: base,
          DeltaRequest: {
            modules: {
              update: {
                web: [
                  { op: 'add', path: '/spec/labels', value: { a: 'b' } },
                  { op: 'replace', path: '/spec/containers/missing/image', value: 'y' },
                ],
              },
            },
          },
        }),
      );
      assert.ok(status >= 400 && status < 500, `status ${status}`);
      assert.match(body.message, /web/);
      assert.match(body.message, /operation 1/);
      assert.match(body.message, /\/spec\/containers\/missing\/image/);
      assert.equal(body.details?.operationIndex, 1);
      assert.equal((await api.getSets({ orgId: ORG, appId: APP })).length, count);
      assert.ok(count >= before);

      const malformed = await http('POST', `/orgs/${ORG}/apps/${APP}/sets/0`, { modules: { update: { web: [{ op: 'frobnicate', path: '/x' }] } } });
      assert.equal(malformed.status, 400);
    });

    it('merges deltas with PATCH, replaces with PUT, and tracks contributors and metadata', async () => {
      const created = await api.orgsOrgIdAppsAppIdDeltasPost({
        orgId: ORG,
        appId: APP,
        DeltaRequest: { metadata: { name: 'draft' }, modules: { add: { web: workload('registry.example/web:1') } } },
      });
      const merged = await api.orgsOrgIdAppsAppIdDeltasDeltaIdPatch({
        orgId: ORG,
        appId: APP,
        deltaId: created.id,
        DeltaRequest: [
          { modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'registry.example/web:9' }] } } },
          { modules: { add: { cache: { profile: 'humanitec/redis' } }, remove: ['old'] } },
        ],
      });
      // The update of a module the delta adds is folded into the add.
      assert.equal((merged.modules.add.web!.spec as { containers: { main: { image: string } } }).containers.main.image, 'registry.example/web:9');
      assert.deepEqual(Object.keys(merged.modules.add ?? {}).sort(), ['cache', 'web']);
      assert.deepEqual(merged.modules.remove, ['old']);
      assert.deepEqual(merged.modules.update, {});
      assert.ok(merged.metadata.last_modified_at.getTime() >= created.metadata.last_modified_at.getTime());
      assert.deepEqual(merged.metadata.contributers ?? [], [], 'the creator is not a contributor');

      await api.putDelta({ orgId: ORG, appId: APP, deltaId: created.id, DeltaRequest: { modules: { remove: ['web'] } } });
      const replaced = await api.getDelta({ orgId: ORG, appId: APP, deltaId: created.id });
      assert.deepEqual(replaced.modules.add, {});
      assert.deepEqual(replaced.modules.remove, ['web']);

      await api.orgsOrgIdAppsAppIdDeltasDeltaIdMetadataNamePut({ orgId: ORG, appId: APP, deltaId: created.id, body: 'renamed' });
      await api.orgsOrgIdAppsAppIdDeltasDeltaIdMetadataEnvIdPut({ orgId: ORG, appId: APP, deltaId: created.id, body: 'staging' });
      const renamed = await api.getDelta({ orgId: ORG, appId: APP, deltaId: created.id });
      assert.equal(renamed.metadata.name, 'renamed');
      assert.equal(renamed.metadata.env_id, 'staging');

      const badEnv = await http('PUT', `/orgs/${ORG}/apps/${APP}/deltas/${created.id}/metadata/env_id`, 'Not An Env');
      assert.equal(badEnv.status, 400);
      assert.equal((await http('GET', `/orgs/${ORG}/apps/${APP}/deltas/${'0'.repeat(40)}`)).status, 404);
    });

    it('archives deltas: archived ones are listed apart and cannot be changed until unarchived', async () => {
      const a = await api.orgsOrgIdAppsAppIdDeltasPost({ orgId: ORG, appId: APP, DeltaRequest: { metadata: { env_id: 'archive-test' } } });
      const b = await api.orgsOrgIdAppsAppIdDeltasPost({ orgId: ORG, appId: APP, DeltaRequest: { metadata: { env_id: 'archive-test' } } });
      await api.orgsOrgIdAppsAppIdDeltasDeltaIdMetadataArchivedPut({ orgId: ORG, appId: APP, deltaId: a.id, body: true });

      const active = await api.orgsOrgIdAppsAppIdDeltasGet({ orgId: ORG, appId: APP, env: 'archive-test' });
      assert.deepEqual(active.map((d) => d.id), [b.id]);
      const archived = await api.orgsOrgIdAppsAppIdDeltasGet({ orgId: ORG, appId: APP, env: 'archive-test', archived: true });
      assert.deepEqual(archived.map((d) => d.id), [a.id]);
      assert.equal(archived[0]!.metadata.archived, true);

      const refused = await failure(api.orgsOrgIdAppsAppIdDeltasDeltaIdPatch({ orgId: ORG, appId: APP, deltaId: a.id, DeltaRequest: [{ modules: { remove: ['x'] } }] }));
      assert.equal(refused.status, 409);
      await api.orgsOrgIdAppsAppIdDeltasDeltaIdMetadataArchivedPut({ orgId: ORG, appId: APP, deltaId: a.id, body: false });
      const patched = await api.orgsOrgIdAppsAppIdDeltasDeltaIdPatch({ orgId: ORG, appId: APP, deltaId: a.id, DeltaRequest: [{ modules: { remove: ['x'] } }] });
      assert.deepEqual(patched.modules.remove, ['x']);
    });

    it('pages delta and set listings with per_page, page tokens and a Link header', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await api.orgsOrgIdAppsAppIdDeltasPost({ orgId: ORG, appId: APP, DeltaRequest: { metadata: { env_id: 'paging' } } })).id);
      }
      const seen: string[] = [];
      let next: string | undefined = `/orgs/${ORG}/apps/${APP}/deltas?env=paging&per_page=2`;
      let pages = 0;
      while (next !== undefined) {
        const res = await http('GET', next);
        assert.equal(res.status, 200);
        const items = res.body as { id: string }[];
        assert.ok(items.length <= 2);
        seen.push(...items.map((d) => d.id));
        const link = res.headers.get('link');
        next = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
        if (link !== null) assert.ok(next, `unexpected Link header ${link}`);
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, ids);

      const allSets = await api.getSets({ orgId: ORG, appId: APP });
      const firstPage = await http('GET', `/orgs/${ORG}/apps/${APP}/sets?per_page=1`);
      assert.equal((firstPage.body as unknown[]).length, 1);
      assert.equal(firstPage.headers.get('link') !== null, allSets.length > 1);
      assert.equal((await http('GET', `/orgs/${ORG}/apps/${APP}/sets?page=not-a-token`)).status, 400);
    });

    it('converts a Score spec into a set fragment (convert-score)', async () => {
      const res = await http('POST', `/orgs/${ORG}/artefact-versions/convert-score`, {
        spec: {
          apiVersion: 'score.dev/v1b1',
          metadata: { name: 'hello-world' },
          containers: { main: { image: '.', variables: { DB_HOST: '${resources.db.host}' } } },
          resources: { db: { type: 'postgres' }, dns: { type: 'dns', id: 'shared-dns' } },
        },
        image: 'busybox:latest',
        property_overrides: { 'containers.main.variables.DEBUG': 'true' },
        resource_type_aliases: { postgres: 'my-org/postgres' },
        extensions: { apiVersion: 'humanitec.org/v1b1', profile: 'humanitec/default-module', spec: { labels: { team: 'a' } } },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const fragment = res.body as {
        modules: Record<string, { profile: string; spec: { containers: Record<string, { image: string; variables: Record<string, string> }>; labels?: Record<string, string> }; externals?: Record<string, { type: string }> }>;
        shared: Record<string, { type: string }>;
      };
      const module = fragment.modules['hello-world']!;
      assert.equal(module.profile, 'humanitec/default-module');
      assert.equal(module.spec.containers.main!.image, 'busybox:latest');
      assert.equal(module.spec.containers.main!.variables.DB_HOST, '${externals.db.host}');
      assert.equal(module.spec.containers.main!.variables.DEBUG, 'true');
      assert.deepEqual(module.spec.labels, { team: 'a' });
      assert.equal(module.externals?.db?.type, 'my-org/postgres');
      assert.deepEqual(Object.values(fragment.shared).map((r) => r.type), ['dns']);

      const invalid = await http('POST', `/orgs/${ORG}/artefact-versions/convert-score`, { spec: { apiVersion: 'score.dev/v1b1', metadata: { name: 'x' } } });
      assert.equal(invalid.status, 400);
      assert.match((invalid.body as { message: string }).message, /containers/);
    });
  });
}
