/**
 * Two Baton replicas (two stores, two workers) on one PostgreSQL database: 50 deployments across 10 environments,
 * submitted at once through both APIs. All succeed, no deployment's resource is provisioned twice (a counting
 * driver shared by both replicas), and each environment runs its deployments in submission order.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Driver } from '../../src/drivers/contract.js';
import { createTestDatabase } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from './harness.js';

test('two replicas on one PostgreSQL run 50 deployments over 10 envs once each, in per-env order', { timeout: 180_000 }, async () => {
  const calls: { env: string; deployId: string; resId: string; replica: string }[] = [];
  const counting = (replica: string): Driver => ({
    id: 'test/counting',
    async provision(request) {
      calls.push({ env: request.context.envId, deployId: request.context.deployId ?? '', resId: request.resId, replica });
      await new Promise((r) => setTimeout(r, 5));
      return { values: { n: calls.length }, secrets: {}, manifests: [] };
    },
    deprovision: () => Promise.resolve(),
  });
  const database = await createTestDatabase('postgres');
  // Every replica is given the same key (BATON_SECRET_KEY), as the docs require.
  const secretKey = randomBytes(32).toString('hex');
  // Replicas run on different machines: each has its own data folder (and so its own gitops work tree).
  const bDataDir = mkdtempSync(join(tmpdir(), 'baton-replica-'));
  const a = await startEngineHarness({ database, secretKey, extraDrivers: [counting('a')], engine: { workerId: 'replica-a', concurrency: 4 } });
  const b = await startEngineHarness({ database, secretKey, token: a.token, extraDrivers: [counting('b')], engine: { workerId: 'replica-b', concurrency: 4, dataDir: bDataDir } });
  try {
    const app = 'many';
    assert.equal((await a.api('POST', '/orgs/local/apps', { id: app, name: 'Many' })).status, 201);
    assert.equal((await a.api('POST', '/orgs/local/resources/defs', { id: 'counted', name: 'counted', type: 'config', driver_type: 'test/counting', driver_inputs: { values: {} }, criteria: [{ app_id: app }] })).status, 200);
    const envs = Array.from({ length: 10 }, (_, i) => `env-${i}`);
    for (const env of envs.slice(1)) assert.equal((await b.api('POST', `/orgs/local/apps/${app}/envs`, { id: env, name: env })).status, 201);
    await a.api('PATCH', `/orgs/local/apps/${app}/envs/development`, { name: 'dev' });
    envs[0] = 'development';

    // Deltas first, then 50 deployment requests at once, alternating between the replicas.
    const requests: { env: string; deltaId: string; via: typeof a }[] = [];
    for (let round = 0; round < 5; round++) {
      for (const env of envs) {
        const delta = await a.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
          modules: { add: { web: { profile: 'humanitec/default-module', externals: { conf: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: `web:${round}` } } } } } },
        });
        requests.push({ env, deltaId: delta.body.id, via: requests.length % 2 === 0 ? a : b });
      }
    }
    const submitted = await Promise.all(
      requests.map(async (r) => {
        const res = await r.via.api<{ id: string; status: string }>('POST', `/orgs/local/apps/${app}/envs/${r.env}/deploys?queue=true`, { delta_id: r.deltaId });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return { env: r.env, id: res.body.id };
      }),
    );
    for (const s of submitted) {
      const status = (await waitForDeployment(a, app, s.env, s.id, 120_000)).status;
      assert.equal(status, 'succeeded', JSON.stringify((await a.api('GET', `/orgs/local/apps/${app}/envs/${s.env}/deploys/${s.id}/errors`)).body));
    }

    // None ran twice: every (deployment, resource) pair was provisioned exactly once.
    const ofConf = calls.filter((c) => c.resId === 'modules.web.externals.conf');
    assert.equal(ofConf.length, 50);
    assert.equal(new Set(ofConf.map((c) => c.deployId)).size, 50);
    assert.ok(new Set(ofConf.map((c) => c.replica)).size === 2, 'both replicas did work');

    // Per-env order: the driver saw each env's deployments in the order the env lists them (oldest first).
    for (const env of envs) {
      const listed = (await b.api<{ id: string }[]>('GET', `/orgs/local/apps/${app}/envs/${env}/deploys`)).body.map((d) => d.id).reverse();
      assert.equal(listed.length, 5);
      assert.deepEqual(ofConf.filter((c) => c.env === env).map((c) => c.deployId), listed, `order in ${env}`);
    }
  } finally {
    await a.stop();
    await b.stop();
    await database.cleanup();
    rmSync(bDataDir, { recursive: true, force: true });
  }
});
