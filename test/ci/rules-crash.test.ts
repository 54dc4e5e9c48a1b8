/**
 * Automation rules survive a crash of the Baton that took the build (real processes, `baton serve`): Baton A
 * answers an image build, which queues the rule evaluation in the database; A is killed (SIGKILL) before it
 * evaluated it — its rules worker was kept waiting by an older evaluation of the same org held by another replica
 * (a job row with a live lease, as a replica busy with an earlier build leaves it). Baton B, started on the same
 * database once that replica is done, performs the evaluation: the rule deploys the build, exactly once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { RULES_JOB, rulesJobId } from '../../src/ci/index.js';
import { createStore } from '../../src/store/index.js';
import { createJobsRepo } from '../../src/store/jobs-repo.js';
import { createTestDatabase } from '../../src/store/testing.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const IMAGE = 'registry.example.com/acme/web';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function client(baton: BatonProcess) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(baton.url + path, { method, headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`automation rules after a crash, real processes [${dialect}]`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const fn of cleanup.reverse()) await fn();
    });

    it('a build taken by a killed Baton is deployed by the next one, once', async () => {
      const database = await createTestDatabase(dialect);
      cleanup.push(() => database.cleanup());
      const token = randomBytes(16).toString('hex');
      const env = { BATON_SECRET_KEY: randomBytes(32).toString('hex'), BATON_ENGINE_POLL_MS: '100' };
      const a = await startBatonProcess({ database, token, env });
      cleanup.push(() => Promise.resolve(a.kill()));
      const apiA = client(a);
      assert.equal((await apiA('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
      const delta = await apiA<{ id: string }>('POST', '/orgs/local/apps/shop/deltas', {
        modules: { add: { web: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: `${IMAGE}:1.0.0` } } } } } },
      });
      const first = await apiA<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id, comment: 'first' });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      await until('the first deployment', async () => ((await apiA<{ status: string }>('GET', `/orgs/local/apps/shop/envs/development/deploys/${first.body.id}`)).body.status === 'succeeded' ? true : undefined));
      const rule = await apiA<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', artefacts_filter: [IMAGE] });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));

      // Another replica is evaluating an earlier build of the org (its job holds a live lease).
      const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      cleanup.push(() => store.close());
      const jobs = createJobsRepo(store.db);
      const earlier = { id: 'earlier', name: 'registry.example.com/acme/other', version: '', ref: '', commit: '', digest: '', via: 'image build' };
      await jobs.enqueue({ id: rulesJobId('local', earlier.id), kind: RULES_JOB, queueKey: `${RULES_JOB}/local`, payload: { orgId: 'local', version: earlier } });
      await store.db.updateTable('jobs').set({ state: 'running', locked_by: 'replica-c', locked_until: new Date(Date.now() + 3_600_000).toISOString(), attempts: 1 }).where('id', '=', rulesJobId('local', earlier.id)).execute();

      const answered = await apiA('POST', '/orgs/local/images/web/builds', { branch: 'main', commit: '75ef9faee755c70589550b513ad881e5a603182c', image: `${IMAGE}:1.1.0`, tags: [] });
      assert.equal(answered.status, 204, JSON.stringify(answered.body));
      const [version] = (await apiA<{ id: string }[]>('GET', `/orgs/local/artefact-versions?name=${encodeURIComponent(IMAGE)}`)).body;
      assert.ok(version);
      await new Promise((resolve) => setTimeout(resolve, 500)); // A's rules worker polls (100 ms) and must wait
      assert.equal((await jobs.get(rulesJobId('local', version.id)))?.state, 'queued');
      a.kill();
      await a.exited();

      // The other replica finishes; Baton B starts on the same database.
      await store.db.updateTable('jobs').set({ state: 'succeeded', locked_until: null }).where('id', '=', rulesJobId('local', earlier.id)).execute();
      const b = await startBatonProcess({ database, token, env });
      cleanup.push(() => b.stop());
      const apiB = client(b);
      const auto = await until('the rule deployment', async () => (await apiB<{ id: string; comment: string }[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body.find((d) => d.comment !== 'first'));
      assert.match(auto.comment, new RegExp(`^Auto-deployment by automation rule ${rule.body.id} \\(image build ${IMAGE}:1\\.1\\.0`));
      await until('the evaluation to finish', async () => ((await jobs.get(rulesJobId('local', version.id)))?.state === 'succeeded' ? true : undefined));
      const deploys = (await apiB<{ comment: string }[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body;
      assert.equal(deploys.filter((d) => d.comment !== 'first').length, 1, 'deployed once');
      const runs = await apiB<{ outcome: string; deploy_id: string }[]>('GET', `/orgs/local/apps/shop/envs/development/rules/${rule.body.id}/baton/runs`);
      assert.deepEqual(runs.body.map((r) => [r.outcome, r.deploy_id]), [['deployed', auto.id]]);
    });
  });
}
