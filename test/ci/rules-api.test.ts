/**
 * Automation rules through the API: the deploy guard (no escalation), validation (400 for mixed styles and for
 * regexes that do not compile or could hang), and a rule deployment queued behind a pending one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Baton } from '../../src/baton/create-baton.js';
import { createBaton } from '../../src/baton/create-baton.js';
import type { DeployGuard } from '../../src/ci/index.js';
import { loadConfig } from '../../src/config/index.js';
import { Forbidden } from '../../src/shared/errors.js';
import { createTestDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';

const IMAGE = 'registry.example.com/acme/web';

describe('automation rules API', () => {
  let database: TestDatabase;
  let baton: Baton;
  const token = randomBytes(16).toString('hex');
  const asked: string[] = [];
  /** Lets nobody deploy to production. */
  const guard: DeployGuard = (user, orgId, appId, envId) => {
    asked.push(`${user.id}:${orgId}/${appId}/${envId}`);
    return envId === 'production' ? Promise.reject(new Forbidden(`user ${user.id} may not deploy to ${envId}`)) : Promise.resolve();
  };
  const api = async <T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await baton.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : undefined) as T };
  };
  const waitAll = async (env: string, count: number): Promise<{ id: string; status: string; comment: string }[]> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = (await api<{ id: string; status: string; comment: string }[]>('GET', `/orgs/local/apps/shop/envs/${env}/deploys`)).body;
      if (list.length >= count && list.every((d) => d.status === 'succeeded' || d.status === 'failed')) return list;
      if (Date.now() > deadline) throw new Error(`deployments of ${env}: ${JSON.stringify(list)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({ BATON_DATA_DIR: database.dataDir, BATON_ORG: 'local', BATON_BOOTSTRAP_TOKEN: token, BATON_SECRET_KEY: randomBytes(32).toString('hex'), BATON_LOG_LEVEL: 'silent', BATON_ENGINE_POLL_MS: '50' });
    baton = await createBaton(config, { assertMayDeploy: guard });
    baton.startEngine();
    assert.equal((await api('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
    assert.equal((await api('POST', '/orgs/local/apps/shop/envs', { id: 'production', name: 'Production', type: 'production' })).status, 201);
  });
  after(async () => {
    await baton.close();
    await database.cleanup();
  });

  it('a user the guard does not let deploy to an environment cannot create or change a rule there', async () => {
    const denied = await api<{ message: string }>('POST', '/orgs/local/apps/shop/envs/production/rules', { type: 'update' });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.deepEqual((await api('GET', '/orgs/local/apps/shop/envs/production/rules')).body, [], 'nothing stored');
    const allowed = await api<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', match_ref: '^refs/heads/' });
    assert.equal(allowed.status, 201);
    assert.match(asked.at(-1)!, /:local\/shop\/development$/);
    assert.equal((await api('PUT', `/orgs/local/apps/shop/envs/development/rules/${allowed.body.id}`, { type: 'update', active: false })).status, 200);
    assert.equal((await api('DELETE', `/orgs/local/apps/shop/envs/development/rules/${allowed.body.id}`)).status, 204);
    assert.equal((await api('GET', `/orgs/local/apps/shop/envs/development/rules/${allowed.body.id}`)).status, 404);
  });

  it('400 for mixed styles, a regex that does not compile, and one that could backtrack exponentially', async () => {
    for (const body of [
      { type: 'update', artefacts_filter: [IMAGE], images_filter: ['web'] },
      { type: 'update', match_ref: '^refs/(heads' },
      { type: 'update', match_ref: '^(a+)+$' },
      { type: 'update', update_to: 'sometimes' },
      { type: 'remove' },
    ]) {
      const res = await api('POST', '/orgs/local/apps/shop/envs/development/rules', body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });

  it('a rule deployment is queued behind a pending one and runs after it', async () => {
    const delta = await api<{ id: string }>('POST', '/orgs/local/apps/shop/deltas', {
      modules: { add: { web: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: `${IMAGE}:1.0.0` } } } } } },
    });
    assert.equal((await api('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id })).status, 201);
    await waitAll('development', 1);
    assert.equal((await api('POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', artefacts_filter: [IMAGE] })).status, 201);

    await baton.engine.stop(); // nothing runs: the next deployment stays pending
    const pending = await api<{ id: string; status: string }>('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id, comment: 'manual' });
    assert.equal(pending.body.status, 'pending');
    const version = await api('POST', '/orgs/local/artefact-versions', { type: 'container', name: IMAGE, version: '1.2.0', ref: 'refs/heads/feature', commit: 'abcdef1' });
    assert.equal(version.status, 200, JSON.stringify(version.body));
    // The rules worker evaluates the version after the answer (a durable job queued with it).
    let queued: { status: string; comment: string }[] = [];
    for (const deadline = Date.now() + 30_000; queued.length < 3; await new Promise((r) => setTimeout(r, 50))) {
      queued = (await api<{ status: string; comment: string }[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body;
      if (Date.now() > deadline) throw new Error(`the rule did not queue a deployment: ${JSON.stringify(queued)}`);
    }
    assert.deepEqual(queued.slice(0, 2).map((d) => d.status), ['pending', 'pending'], 'the rule queued its deployment instead of failing');
    baton.engine.start();
    const done = await waitAll('development', 3);
    assert.deepEqual(done.map((d) => d.status), ['succeeded', 'succeeded', 'succeeded']);
    assert.match(done[0]!.comment, /^Auto-deployment by automation rule .* \(artefact version registry\.example\.com\/acme\/web:1\.2\.0 from refs\/heads\/feature at abcdef1/);
    assert.equal(done[1]!.comment, 'manual');
  });
});
