/**
 * Automation rules, issue #17 follow-ups:
 * - durable: registering a build queues the rule evaluation in the database with the version; a Baton that
 *   answered the build and stopped before evaluating it leaves it to the next Baton on the same database, which
 *   deploys it exactly once — also when the job is run again after a crash (the rule's run is recorded with the
 *   deployment, in one transaction);
 * - the creator's rights are checked when the rule fires: a creator who lost `deployer` on the environment's
 *   type, or was removed from the org, makes the rule skip, visibly (GET …/rules/{id}/baton/runs), and nothing is
 *   deployed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createBaton } from '../../src/baton/create-baton.js';
import { rulesJobId } from '../../src/ci/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createJobsRepo } from '../../src/store/jobs-repo.js';
import { createTestDatabase } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from '../engine/harness.js';
import type { EngineHarness } from '../engine/harness.js';

const IMAGE = 'registry.example.com/acme/web';

interface Run {
  artefact_version_id: string;
  outcome: string;
  deploy_id?: string;
  reason: string;
}
interface Deploy {
  id: string;
  status: string;
  comment: string;
  created_by: string;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** App `shop` whose development environment runs web:1.0.0. */
async function shopRunningWeb(h: EngineHarness): Promise<void> {
  assert.equal((await h.api('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
  const delta = await h.api<{ id: string }>('POST', '/orgs/local/apps/shop/deltas', {
    modules: { add: { web: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: `${IMAGE}:1.0.0` } } } } } },
  });
  const deploy = await h.api<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id, comment: 'first' });
  assert.equal(deploy.status, 201, JSON.stringify(deploy.body));
  assert.equal((await waitForDeployment(h, 'shop', 'development', deploy.body.id)).status, 'succeeded');
}

const build = (version: string) => ({ branch: 'main', commit: '75ef9faee755c70589550b513ad881e5a603182c', image: `${IMAGE}:${version}`, tags: [] });

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`automation rules: durable, exactly once, creator re-checked [${dialect}]`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const fn of cleanup.reverse()) await fn();
    });

    it('a build answered by a Baton that stopped before evaluating the rules is deployed by the next one, once', async () => {
      const database = await createTestDatabase(dialect);
      cleanup.push(() => database.cleanup());
      const secretKey = randomBytes(32).toString('hex');
      const token = randomBytes(16).toString('hex');
      let h = await startEngineHarness({ database, secretKey, token });
      await shopRunningWeb(h);
      const rule = await h.api<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', artefacts_filter: [IMAGE] });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      await h.stop();

      // Baton A: answers the build and is stopped before its workers ever run (the job is all that is left).
      const a = await createBaton(
        loadConfig({
          BATON_DATA_DIR: database.dataDir,
          ...(database.databaseUrl !== undefined ? { BATON_DATABASE_URL: database.databaseUrl } : {}),
          BATON_ORG: 'local',
          BATON_BOOTSTRAP_TOKEN: token,
          BATON_SECRET_KEY: secretKey,
          BATON_LOG_LEVEL: 'silent',
        }),
      );
      const answered = await a.app.inject({ method: 'POST', url: '/orgs/local/images/web/builds', headers: { authorization: `Bearer ${token}` }, payload: build('1.1.0') });
      assert.equal(answered.statusCode, 204, answered.body);
      const versions = await a.app.inject({ method: 'GET', url: `/orgs/local/artefact-versions?name=${encodeURIComponent(IMAGE)}`, headers: { authorization: `Bearer ${token}` } });
      const [version] = versions.json<{ id: string }[]>();
      assert.ok(version);
      const jobs = createJobsRepo(a.store.db);
      assert.equal((await jobs.get(rulesJobId('local', version.id)))?.state, 'queued', 'the evaluation is a job in the database');
      await a.close();

      // Baton B on the same database performs it.
      h = await startEngineHarness({ database, secretKey, token });
      cleanup.push(() => h.stop());
      const auto = await until('the rule deployment', async () => (await h.api<Deploy[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body.find((d) => d.comment !== 'first'));
      assert.match(auto.comment, new RegExp(`^Auto-deployment by automation rule ${rule.body.id} \\(image build ${IMAGE}:1\\.1\\.0 from refs/heads/main`));
      assert.equal((await waitForDeployment(h, 'shop', 'development', auto.id)).status, 'succeeded');
      const jobsB = createJobsRepo(h.store.db);
      await until('the job to finish', async () => ((await jobsB.get(rulesJobId('local', version.id)))?.state === 'succeeded' ? true : undefined));

      // A crash after the deployment was queued but before the job was marked done: the job runs again.
      await h.store.db.updateTable('jobs').set({ state: 'queued', locked_by: null, locked_until: null }).where('id', '=', rulesJobId('local', version.id)).execute();
      h.baton.services.ci.rules.wake();
      await until('the job to run again', async () => ((await jobsB.get(rulesJobId('local', version.id)))?.state === 'succeeded' ? true : undefined));
      const deploys = (await h.api<Deploy[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body;
      assert.deepEqual(deploys.map((d) => d.comment === 'first' ? 'first' : 'auto').sort(), ['auto', 'first'], 'deployed exactly once');
      const runs = await h.api<Run[]>('GET', `/orgs/local/apps/shop/envs/development/rules/${rule.body.id}/baton/runs`);
      assert.deepEqual(runs.body.map((r) => [r.artefact_version_id, r.outcome, r.deploy_id]), [[version.id, 'deployed', auto.id]]);
    });

    it('a rule whose creator lost deployer, or was deleted, skips, says why, and deploys nothing', async () => {
      const h = await startEngineHarness({ dialect });
      cleanup.push(() => h.stop());
      await shopRunningWeb(h);
      const call = async <T>(token: string, method: string, path: string, body?: unknown) => {
        const res = await fetch(h.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
      };
      // A developer with deployer on development creates the rule.
      const dev = await h.api<{ id: string }>('POST', '/orgs/local/users', { name: 'dev', role: 'member' });
      assert.equal(dev.status, 200, JSON.stringify(dev.body));
      const devToken = (await h.api<{ token: string }>('POST', `/users/${dev.body.id}/tokens`, { id: 'main', type: 'static' })).body.token;
      assert.equal((await h.api('POST', '/orgs/local/apps/shop/users', { id: dev.body.id, role: 'developer' })).status, 200);
      assert.equal((await h.api('POST', '/orgs/local/env-types/development/users', { id: dev.body.id, role: 'deployer' })).status, 200);
      const rule = await call<{ id: string }>(devToken, 'POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', artefacts_filter: [IMAGE] });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      const runs = async (count: number) =>
        until(`${count} rule runs`, async () => {
          const list = (await h.api<Run[]>('GET', `/orgs/local/apps/shop/envs/development/rules/${rule.body.id}/baton/runs`)).body;
          return list.length >= count ? list : undefined;
        });
      const autoDeploys = async () => (await h.api<Deploy[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body.filter((d) => d.comment !== 'first');

      // 1. While the creator may deploy there, the rule deploys (as the creator).
      assert.equal((await h.api('POST', '/orgs/local/images/web/builds', build('1.1.0'))).status, 204);
      const [deployed] = await runs(1);
      assert.equal(deployed!.outcome, 'deployed');
      const [auto] = await autoDeploys();
      assert.ok(auto);
      assert.equal(auto.id, deployed!.deploy_id);
      assert.equal(auto.created_by, dev.body.id);
      assert.equal((await waitForDeployment(h, 'shop', 'development', auto.id)).status, 'succeeded');

      // 2. The creator loses deployer on development: the next build is skipped, with the reason.
      assert.equal((await h.api('DELETE', `/orgs/local/env-types/development/users/${dev.body.id}`)).status, 204);
      assert.equal((await h.api('POST', '/orgs/local/images/web/builds', build('1.2.0'))).status, 204);
      const [skipped] = await runs(2);
      assert.equal(skipped!.outcome, 'skipped');
      assert.match(skipped!.reason, new RegExp(`its creator ${dev.body.id} may no longer deploy to shop/development .*deployer`));
      assert.equal(skipped!.deploy_id, undefined);

      // 3. Deployer back, but the creator (a service user) is deleted: skipped again.
      assert.equal((await h.api('POST', '/orgs/local/env-types/development/users', { id: dev.body.id, role: 'deployer' })).status, 200);
      assert.equal((await h.api('DELETE', `/orgs/local/users/${dev.body.id}`)).status, 204);
      assert.equal((await h.api('POST', '/orgs/local/images/web/builds', build('1.3.0'))).status, 204);
      const [gone] = await runs(3);
      assert.equal(gone!.outcome, 'skipped');
      assert.equal(gone!.reason, `its creator ${dev.body.id} no longer exists`);

      assert.deepEqual((await autoDeploys()).map((d) => d.id), [auto.id], 'only the first build was deployed');
    });
  });
}
