/**
 * Issue 5's API acceptance through Humanitec's generated client (`@humanitec/autogen`) against `baton serve`
 * in a child process, on SQLite and PostgreSQL: definitions with criteria, context-filtered listing, criteria
 * added and removed, duplicate criteria refused, the dependency graph of a set of resources, and secrets that
 * never leave the server in clear (responses, database file / table, logs).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: Record<string, unknown> } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string } };
  }
  assert.fail('expected the call to fail');
}

const SECRET = `s3cr3t-${Math.random().toString(36).slice(2)}-never-in-clear`;
const NESTED_SECRET = `nested-${Math.random().toString(36).slice(2)}-value`;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`resources contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let api: PublicApi;
    const org = 'local';
    before(async () => {
      baton = await startBatonProcess({ dialect, env: { BATON_LOG_LEVEL: 'debug' } });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
      await api.createApplication({ orgId: org, ApplicationCreationRequest: { id: 'shop', name: 'Shop' } });
      await api.createEnvironment({ orgId: org, appId: 'shop', EnvironmentDefinitionRequest: { id: 'prod', name: 'Prod', type: 'production' } });
    });
    after(() => baton.stop());

    const echo = (id: string, type: string, criteria: Record<string, string>[], values: Record<string, unknown> = {}) =>
      api.createResourceDefinition({
        orgId: org,
        CreateResourceDefinitionRequestRequest: { id, name: id, type, driver_type: 'humanitec/echo', driver_inputs: { values }, criteria },
      });

    it('creates definitions with criteria and lists them filtered for a context, most specific first', async () => {
      const general = await echo('pg-general', 'postgres', [{ env_type: 'development' }, { env_type: 'production' }], { host: 'general' });
      assert.equal(general.criteria?.length, 2);
      assert.ok(general.criteria?.every((c) => c._class === 'default' && typeof c.id === 'string' && c.id !== ''));
      await echo('pg-shop-prod', 'postgres', [{ app_id: 'shop', env_id: 'prod' }], { host: 'shop-prod' });
      await echo('redis-any', 'redis', [{}], { host: 'redis' });

      const prod = await api.listResourceDefinitions({ orgId: org, app: 'shop', env: 'prod', env_type: 'production', res_type: 'postgres' });
      // Baton's default definition of the type is listed too, last: any org definition wins over it.
      assert.deepEqual(prod.map((d) => d.id), ['pg-shop-prod', 'pg-general', 'baton-default-postgres']);
      assert.deepEqual(prod.map((d) => d.is_default), [false, false, true]);
      const dev = await api.listResourceDefinitions({ orgId: org, app: 'shop', env: 'development', env_type: 'development', res_type: 'postgres' });
      assert.deepEqual(dev.map((d) => d.id), ['pg-general', 'baton-default-postgres']);
      const all = await api.listResourceDefinitions({ orgId: org });
      assert.deepEqual(all.filter((d) => !d.is_default).map((d) => d.id).sort(), ['pg-general', 'pg-shop-prod', 'redis-any']);
      assert.ok(all.some((d) => d.is_default && d.id === 'baton-default-k8s-cluster'));
    });

    it('adds a criterion, refuses a duplicate with 409, deletes a criterion, and versions every change', async () => {
      const added = await api.createResourceDefinitionCriteria({ orgId: org, defId: 'pg-general', MatchingCriteriaRuleRequest: { env_type: 'staging' } });
      assert.equal(added.env_type, 'staging');
      let def = await api.getResourceDefinition({ orgId: org, defId: 'pg-general' });
      assert.deepEqual(def.criteria?.map((c) => c.env_type).sort(), ['development', 'production', 'staging']);

      const dupOther = await failure(api.createResourceDefinitionCriteria({ orgId: org, defId: 'pg-shop-prod', MatchingCriteriaRuleRequest: { env_type: 'staging' } }));
      assert.equal(dupOther.status, 409);
      assert.match(dupOther.body.message, /pg-general/);
      const dupNew = await failure(echo('pg-dup', 'postgres', [{ app_id: 'shop', env_id: 'prod' }]));
      assert.equal(dupNew.status, 409);
      assert.match(dupNew.body.message, /pg-shop-prod/);
      // The same criterion for another type is not a duplicate.
      await echo('redis-shop-prod', 'redis', [{ app_id: 'shop', env_id: 'prod' }]);

      await api.deleteResourceDefinitionCriteria({ orgId: org, defId: 'pg-general', criteriaId: added.id });
      def = await api.getResourceDefinition({ orgId: org, defId: 'pg-general' });
      assert.deepEqual(def.criteria?.map((c) => c.env_type).sort(), ['development', 'production']);
      const staging = await api.listResourceDefinitions({ orgId: org, app: 'shop', env: 'staging', env_type: 'staging', res_type: 'postgres' });
      assert.deepEqual(staging.map((d) => d.id), ['baton-default-postgres']);

      const versions = await api.listResourceDefinitionVersions({ orgId: org, defId: 'pg-general' });
      assert.deepEqual(versions.map((v) => v.action), ['updated', 'updated', 'created']);
      assert.equal(versions[0]!.id, def.current_version_id);
      const first = await api.getResourceDefinitionVersion({ orgId: org, defId: 'pg-general', defVersionId: versions[2]!.id });
      assert.equal(first.action, 'created');
    });

    it('builds the dependency graph of a set of resources in provisioning order, and serves it again by id', async () => {
      for (const type of ['k8s-cluster', 'k8s-namespace', 'base-env', 'workload']) await echo(`implicit-${type}`, type, [{}]);
      const graph = await api.createDependencyGraph({
        orgId: org,
        appId: 'shop',
        envId: 'prod',
        ResourceProvisionRequestRequest: [
          { id: 'modules.api.externals.db', type: 'postgres' },
          { id: 'shared.cache', type: 'redis' },
        ],
      });
      assert.match(graph.hash, /^[0-9a-f]{64}$/);
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      assert.equal(byId.get('modules.api.externals.db')?.def_id, 'pg-shop-prod');
      assert.equal(byId.get('shared.cache')?.def_id, 'redis-shop-prod');
      const workload = byId.get('modules.api');
      assert.ok(workload, 'the module gets a workload node');
      const position = (id: string) => graph.nodes.findIndex((n) => n.id === id);
      assert.ok(position('modules.api.externals.db') < position('modules.api'), 'a dependency comes before its workload');
      assert.ok(workload.depends_on.includes(byId.get('modules.api.externals.db')!.guresid));
      for (const implicit of ['base-env', 'k8s-cluster', 'k8s-namespace']) assert.ok(byId.has(implicit), implicit);

      const again = await api.getDependencyGraph({ orgId: org, appId: 'shop', envId: 'prod', graphId: graph.id });
      assert.equal(again.hash, graph.hash);
      assert.deepEqual(again.nodes.map((n) => n.guresid), graph.nodes.map((n) => n.guresid));
      const same = await api.createDependencyGraph({
        orgId: org,
        appId: 'shop',
        envId: 'prod',
        ResourceProvisionRequestRequest: [
          { id: 'shared.cache', type: 'redis' },
          { id: 'modules.api.externals.db', type: 'postgres' },
        ],
      });
      assert.equal(same.id, graph.id, 'an identical graph is the same stored graph');
    });

    it('explains a match (Baton-only endpoint)', async () => {
      const res = await fetch(`${baton.url}/orgs/${org}/baton/match?app=shop&env=prod&type=postgres&res_id=modules.api.externals.db`, {
        headers: { authorization: `Bearer ${baton.token}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { winner?: { def_id: string }; candidates: { def_id: string; reason: string }[]; context: { env_type: string } };
      assert.equal(body.context.env_type, 'production');
      assert.equal(body.winner?.def_id, 'pg-shop-prod');
      const loser = body.candidates.find((c) => c.def_id === 'pg-general' && c.reason !== 'winner' && !c.reason.startsWith('does not match'));
      assert.match(loser?.reason ?? '', /less specific/);
    });

    it('rejects invalid definitions with a 4xx naming the field', async () => {
      const bad = await failure(
        api.createResourceDefinition({
          orgId: org,
          CreateResourceDefinitionRequestRequest: { id: 'bad-def', name: 'x', type: 'no-such-type', driver_type: 'humanitec/echo' },
        }),
      );
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /type: unknown resource type "no-such-type"/);
      const badProvision = await failure(
        api.createResourceDefinition({
          orgId: org,
          CreateResourceDefinitionRequestRequest: { id: 'bad-prov', name: 'x', type: 'dns', driver_type: 'humanitec/echo', provision: { 'nope#x': { is_dependent: true } } },
        }),
      );
      assert.equal(badProvision.status, 400);
      assert.match(badProvision.body.message, /provision\["nope#x"\]/);
    });

    it('never shows driver_inputs.secrets in clear: not in responses, not in the database, not in the logs', async () => {
      const created = await api.createResourceDefinition({
        orgId: org,
        CreateResourceDefinitionRequestRequest: {
          id: 'secret-def',
          name: 'secret',
          type: 'config',
          driver_type: 'humanitec/echo',
          driver_inputs: { values: { plain: 'visible' }, secrets: { password: SECRET, nested: { token: NESTED_SECRET } } },
          criteria: [{ res_id: 'shared.cfg' }],
        },
      });
      const responses: string[] = [JSON.stringify(created)];
      assert.equal(created.driver_inputs?.values?.plain, 'visible');
      assert.equal(created.driver_inputs?.secrets?.password, `orgs/${org}/resources/defs/secret-def/driver_inputs/secrets/password`);

      // Writing back what GET returned keeps the stored secret (the reference path is not a new value).
      const fetched = await api.getResourceDefinition({ orgId: org, defId: 'secret-def' });
      const updated = await api.updateResourceDefinition({
        orgId: org,
        defId: 'secret-def',
        UpdateResourceDefinitionRequestRequest: { name: 'renamed', driver_type: 'humanitec/echo', driver_inputs: fetched.driver_inputs },
      });
      responses.push(JSON.stringify(fetched), JSON.stringify(updated));
      responses.push(JSON.stringify(await api.listResourceDefinitions({ orgId: org })));
      responses.push(JSON.stringify(await api.listResourceDefinitionVersions({ orgId: org, defId: 'secret-def' })));
      const graph = await api.createDependencyGraph({ orgId: org, appId: 'shop', envId: 'prod', ResourceProvisionRequestRequest: [{ id: 'shared.cfg', type: 'config' }] });
      responses.push(JSON.stringify(graph));
      assert.ok(graph.nodes.some((n) => n.def_id === 'secret-def'));
      const raw = await fetch(`${baton.url}/orgs/${org}/resources/defs/secret-def`, { headers: { authorization: `Bearer ${baton.token}` } });
      responses.push(await raw.text());
      for (const text of responses) {
        assert.ok(!text.includes(SECRET) && !text.includes(NESTED_SECRET), `a response contains a secret: ${text.slice(0, 200)}`);
      }

      if (dialect === 'sqlite') {
        const file = join(baton.database.dataDir, 'baton.db');
        const db = new SqliteDatabase(file);
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
          const row = db.prepare("select secrets_sealed from resource_definitions where id = 'secret-def'").get() as { secrets_sealed: string | null };
          assert.ok(row.secrets_sealed?.startsWith('v1.'), 'the secret is stored, sealed');
        } finally {
          db.close();
        }
        for (const path of [file, `${file}-wal`]) {
          if (!existsSync(path)) continue;
          const bytes = readFileSync(path);
          assert.equal(bytes.indexOf(SECRET), -1, `${path} contains the secret in clear`);
          assert.equal(bytes.indexOf(NESTED_SECRET), -1, `${path} contains the nested secret in clear`);
        }
      } else {
        const client = new pg.Client({ connectionString: baton.database.databaseUrl });
        await client.connect();
        try {
          for (const table of ['resource_definitions', 'resource_definition_versions', 'resource_graphs']) {
            const { rows } = await client.query<{ text: string }>(`select t::text as text from ${table} t`);
            assert.ok(rows.length > 0, `${table} has rows`);
            for (const { text } of rows) assert.ok(!text.includes(SECRET) && !text.includes(NESTED_SECRET), `${table} holds a secret in clear`);
          }
          const { rows } = await client.query<{ secrets_sealed: string | null }>("select secrets_sealed from resource_definitions where id = 'secret-def'");
          assert.ok(rows[0]?.secrets_sealed?.startsWith('v1.'), 'the secret is stored, sealed');
        } finally {
          await client.end();
        }
      }
      const logs = baton.output();
      assert.ok(logs.length > 0, 'the server logged (debug level)');
      assert.ok(!logs.includes(SECRET) && !logs.includes(NESTED_SECRET), 'the log contains a secret');
    });

    it('imports Humanitec manifests idempotently', async () => {
      const yaml = [
        'apiVersion: entity.humanitec.io/v1b1',
        'kind: Definition',
        'metadata:',
        '  id: dns-imported',
        'entity:',
        '  name: dns',
        '  type: dns',
        '  driver_type: humanitec/echo',
        '  driver_inputs:',
        '    values:',
        '      host: app.example.com',
        '  criteria:',
        '    - app_id: shop',
        '---',
        'apiVersion: entity.humanitec.io/v1b1',
        'kind: Definition',
        'metadata:',
        '  id: pg-general',
        'entity:',
        '  name: pg-general',
        '  type: postgres',
        '  driver_type: humanitec/echo',
        '  driver_inputs:',
        '    values:',
        '      host: general',
        '  criteria:',
        '    - env_type: development',
        '    - env_type: production',
        '',
      ].join('\n');
      const post = async () => {
        const res = await fetch(`${baton.url}/orgs/${org}/baton/definitions/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${baton.token}`, 'content-type': 'application/yaml' },
          body: yaml,
        });
        assert.equal(res.status, 200);
        return (await res.json()) as { created: string[]; updated: string[]; unchanged: string[] };
      };
      assert.deepEqual(await post(), { created: ['dns-imported'], updated: [], unchanged: ['pg-general'] });
      assert.deepEqual(await post(), { created: [], updated: [], unchanged: ['dns-imported', 'pg-general'] });
    });

    it('registers a custom driver that definitions can use, and refuses to delete it while used', async () => {
      const driver = await api.createResourceDriver({
        orgId: org,
        CreateDriverRequestRequest: { id: 'my-s3', type: 's3', target: 'http://127.0.0.1:9/drivers/s3/', account_types: [], inputs_schema: {} },
      });
      assert.equal(driver.org_id, org);
      const list = await api.listResourceDrivers({ orgId: org });
      const ids = list.map((d) => `${d.org_id}/${d.id}`);
      for (const expected of ['humanitec/echo', 'humanitec/template', `${org}/my-s3`]) assert.ok(ids.includes(expected), expected);
      await api.createResourceDefinition({
        orgId: org,
        CreateResourceDefinitionRequestRequest: { id: 's3-custom', name: 's3', type: 's3', driver_type: `${org}/my-s3`, criteria: [{}] },
      });
      const inUse = await failure(api.deleteResourceDriver({ orgId: org, driverId: 'my-s3' }));
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.message, /s3-custom/);
    });
  });
}
