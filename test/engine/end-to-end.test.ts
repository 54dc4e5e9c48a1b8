/**
 * The whole deployment lifecycle through Humanitec's generated client, on SQLite and PostgreSQL: two workloads
 * sharing a real PostgreSQL database (humanitec/postgres driver) and one with a private Redis (baton/redis), a
 * secret shared value, deploy, active resources, an image change, the diff of the two sets, rollback, clone into
 * a staging env, logs, and secrets never in clear in responses, logs or the database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PublicApi, apiConfig } from '@humanitec/autogen';
import { postgresNames } from '../../src/drivers/postgres.js';
import { DIALECTS } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';
import { databaseText, postgresDatabaseExists } from './helpers.js';

for (const dialect of DIALECTS) {
  void describe(`deployment lifecycle end to end [${dialect}]`, () => {
    let h: EngineHarness;
    let api: PublicApi;
    const appId = `shop-${randomBytes(3).toString('hex')}`;
    const orgId = 'local';
    const SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const seen: string[] = [];
    const record = <T>(value: T): T => {
      seen.push(JSON.stringify(value));
      return value;
    };

    before(async () => {
      h = await startEngineHarness({ dialect });
      api = new PublicApi(apiConfig({ token: h.token, apiHost: h.url }));
    });
    after(async () => {
      await h.stop();
    });

    it('deploys, lists resources, redeploys a change, diffs, rolls back, clones and cleans up', async () => {
      await api.createApplication({ orgId, ApplicationCreationRequest: { id: appId, name: 'Shop' } });
      await api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'API_KEY', value: SECRET, is_secret: true, description: 'payment key' } });
      await api.createResourceDefinition({
        orgId,
        CreateResourceDefinitionRequestRequest: {
          id: `${appId}-pg`,
          name: 'shared postgres',
          type: 'postgres',
          driver_type: 'humanitec/postgres',
          driver_inputs: { values: { host: '127.0.0.1', port: 5432, name: 'postgres' }, secrets: { dbcredentials: { username: 'postgres', password: '' } } },
          criteria: [{ app_id: appId }],
        },
      });
      await api.createResourceDefinition({
        orgId,
        CreateResourceDefinitionRequestRequest: {
          id: `${appId}-redis`,
          name: 'private redis',
          type: 'redis',
          driver_type: 'baton/redis',
          driver_inputs: { values: { host: '127.0.0.1', port: 6379 } },
          criteria: [{ app_id: appId }],
        },
      });

      const container = (image: string, variables: Record<string, string>) => ({ containers: { main: { id: 'main', image, variables } } });
      const delta1 = await api.orgsOrgIdAppsAppIdDeltasPost({
        orgId,
        appId,
        DeltaRequest: {
          modules: {
            add: {
              web: {
                profile: 'humanitec/default-module',
                externals: { cache: { type: 'redis' } },
                spec: container('nginx:1.25', {
                  DB_HOST: '${shared.db.host}',
                  DB_PASSWORD: '${shared.db.password}',
                  CACHE_HOST: '${externals.cache.host}',
                  API_KEY: '${values.API_KEY}',
                  WORKER: '${modules.worker.service.name}',
                  ENV: '${context.env.id}',
                }),
              },
              worker: { profile: 'humanitec/default-module', spec: container('busybox:1', { DB_NAME: '${shared.db.name}' }) },
            },
          },
          shared: [{ op: 'add', path: '/db', value: { type: 'postgres' } }],
        },
      });

      // Deploy: pending at once, then succeeded.
      const first = record(await api.createDeployment({ orgId, appId, envId: 'development', DeploymentRequest: { delta_id: delta1.id, comment: 'first' } }));
      assert.equal(first.status, 'pending');
      const firstDone = record(await waitForDeployment(h, appId, 'development', first.id, 60_000));
      assert.equal(firstDone.status, 'succeeded', JSON.stringify(await api.listDeploymentErrors({ orgId, appId, envId: 'development', deployId: first.id })));
      const firstView = record(await api.getDeployment({ orgId, appId, envId: 'development', deployId: first.id }));
      assert.match(firstView.set_id, /^[0-9a-f]{40}$/);
      assert.ok(firstView.value_set_version_id, 'the value set version is pinned');

      // Active resources: outputs without secrets, secrets as reference paths.
      const resources = record(await api.listActiveResources({ orgId, appId, envId: 'development' }));
      const db = resources.find((r) => r.type === 'postgres' && r.res_id === 'shared.db');
      const cache = resources.find((r) => r.type === 'redis' && r.res_id === 'modules.web.externals.cache');
      assert.ok(db && cache, `postgres and redis are active: ${resources.map((r) => `${r.type}#${r.res_id}`).join(', ')}`);
      assert.equal(db.resource.host, '127.0.0.1');
      assert.equal(db.resource.name, postgresNames(db.gu_res_id).database);
      assert.equal(db.def_id, `${appId}-pg`);
      assert.equal(db.deploy_id, first.id);
      assert.ok(Object.keys(db.secret_refs ?? {}).includes('password'), 'the password is listed as a reference only');
      assert.equal((db.resource as Record<string, unknown>).password, undefined);
      assert.ok(await postgresDatabaseExists(String(db.resource.name)), 'the driver created the database');
      assert.ok(resources.some((r) => r.type === 'k8s-namespace' && r.resource.namespace === `${appId}-development`));

      // The rendered objects reached the embedded gitops target: secret variables only via a Secret.
      const rendered = (await h.baton.services.deployments.getRow(orgId, appId, 'development', first.id)).id;
      assert.equal(rendered, first.id);

      // Second delta: a new image.
      const delta2 = await api.orgsOrgIdAppsAppIdDeltasPost({
        orgId,
        appId,
        DeltaRequest: { modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'nginx:1.27' }] } } },
      });
      const second = record(await api.createDeployment({ orgId, appId, envId: 'development', DeploymentRequest: { delta_id: delta2.id, comment: 'new image' } }));
      assert.equal((await waitForDeployment(h, appId, 'development', second.id, 60_000)).status, 'succeeded');
      const secondView = await api.getDeployment({ orgId, appId, envId: 'development', deployId: second.id });
      assert.equal(secondView.from_id, first.id);
      assert.notEqual(secondView.set_id, firstView.set_id);

      // The diff of the two deployments' sets is exactly the image change.
      const diff = record(await api.orgsOrgIdAppsAppIdSetsSetIdDiffSourceSetIdGet({ orgId, appId, setId: secondView.set_id, sourceSetId: firstView.set_id }));
      assert.deepEqual(JSON.parse(JSON.stringify(diff.modules.update?.web)), [{ op: 'replace', path: '/spec/containers/main/image', value: 'nginx:1.27' }]);

      // Listing: newest first.
      const listed = record(await api.listDeployments({ orgId, appId, envId: 'development' }));
      assert.deepEqual(listed.map((d) => d.id), [second.id, first.id]);

      // Rollback: rebase onto the first deployment and deploy without a delta.
      await api.rebaseEnvironment({ orgId, appId, envId: 'development', body: first.id });
      const rollback = record(await api.createDeployment({ orgId, appId, envId: 'development', DeploymentRequest: { comment: 'rollback' } }));
      assert.equal((await waitForDeployment(h, appId, 'development', rollback.id, 60_000)).status, 'succeeded');
      const rollbackView = await api.getDeployment({ orgId, appId, envId: 'development', deployId: rollback.id });
      assert.equal(rollbackView.set_id, firstView.set_id, 'the rollback runs the first set');
      assert.equal(rollbackView.value_set_version_id, firstView.value_set_version_id, 'and its value set version');
      assert.equal(rollbackView.from_id, first.id);
      const afterRollback = await api.listActiveResources({ orgId, appId, envId: 'development' });
      assert.equal(afterRollback.find((r) => r.res_id === 'shared.db')?.gu_res_id, db.gu_res_id, 'the same database is kept');

      // Clone: a staging env created from the rollback deployment gets its set, and its own resources.
      await api.createEnvironment({ orgId, appId, EnvironmentDefinitionRequest: { id: 'staging', name: 'Staging', type: 'staging', from_deploy_id: rollback.id } });
      const clone = record(await api.createDeployment({ orgId, appId, envId: 'staging', DeploymentRequest: { comment: 'clone' } }));
      assert.equal(
        (await waitForDeployment(h, appId, 'staging', clone.id, 60_000)).status,
        'succeeded',
        JSON.stringify(await api.listDeploymentErrors({ orgId, appId, envId: 'staging', deployId: clone.id })),
      );
      const cloneView = await api.getDeployment({ orgId, appId, envId: 'staging', deployId: clone.id });
      assert.equal(cloneView.set_id, firstView.set_id);
      const stagingResources = record(await api.listActiveResources({ orgId, appId, envId: 'staging' }));
      const devIds = new Set(afterRollback.map((r) => r.gu_res_id));
      assert.ok(stagingResources.length >= 5);
      assert.ok(stagingResources.every((r) => !devIds.has(r.gu_res_id)), 'active resources are never cloned between envs');
      const stagingDb = stagingResources.find((r) => r.res_id === 'shared.db')!;
      assert.notEqual(stagingDb.resource.name, db.resource.name);

      // Logs: phases in order, and a follow stream that ends with the deployment.
      const logs = record((await h.api<{ phase: string; message: string }[]>('GET', `/orgs/${orgId}/apps/${appId}/envs/staging/deploys/${clone.id}/baton/logs`)).body);
      const phaseOrder = [...new Set(logs.map((l) => l.phase))];
      assert.deepEqual(phaseOrder, ['read', 'match', 'create', 'deploy']);
      const phases = (await h.api<{ name: string; started_at: string; ended_at: string }[]>('GET', `/orgs/${orgId}/apps/${appId}/envs/staging/deploys/${clone.id}/baton/phases`)).body;
      assert.deepEqual(phases.map((p) => p.name), ['read', 'match', 'create', 'deploy']);
      assert.ok(phases.every((p) => p.ended_at >= p.started_at));
      const stream = await fetch(`${h.url}/orgs/${orgId}/apps/${appId}/envs/staging/deploys/${clone.id}/baton/logs?follow=true`, { headers: { authorization: `Bearer ${h.token}` } });
      const streamed = record(await stream.text());
      assert.match(streamed, /event: log/);
      assert.match(streamed, /event: end\ndata: \{"status":"succeeded"\}/);

      // Secrets: the shared secret and the generated database password appear nowhere in clear.
      const row = await h.store.db.selectFrom('active_resources').selectAll().where('guresid', '=', db.gu_res_id).executeTakeFirstOrThrow();
      const outputs = h.baton.box.open(row.secrets_sealed!, `orgs/${orgId}/apps/${appId}/envs/development/resources/${db.gu_res_id}/secrets`) as { password: string };
      assert.ok(outputs.password.length >= 16);
      const everything = seen.join('\n') + (await databaseText(h.store, h.database));
      assert.ok(!everything.includes(SECRET), 'the secret value is never in clear');
      assert.ok(!everything.includes(outputs.password), 'the generated password is never in clear');

      // Deleting the envs deprovisions their resources (the databases go away).
      await api.deleteEnvironment({ orgId, appId, envId: 'staging' });
      await api.deleteEnvironment({ orgId, appId, envId: 'development' });
      assert.equal(await postgresDatabaseExists(String(db.resource.name)), false);
      assert.equal(await postgresDatabaseExists(String(stagingDb.resource.name)), false);
    });
  });
}
