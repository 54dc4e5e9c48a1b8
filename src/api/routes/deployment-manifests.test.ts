/**
 * GET …/deploys/{id}/baton/manifests: a deployment's manifest diff from the deployment it built on, from what each
 * deployment's final apply gave the target (recorded sealed in its progress). Real Baton (engine running, embedded
 * gitops target) on SQLite and PostgreSQL, through the API.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { startInProcessBaton } from '../../../test/helpers/in-process.js';
import { api, waitForDeployment } from '../../../test/helpers/deploy-scenario.js';
import type { ApiTarget } from '../../../test/helpers/deploy-scenario.js';

const SECRET = 'manifest-diff-secret-value-42';

interface ManifestsView {
  deploy_id: string;
  previous_deploy_id?: string;
  recorded: boolean;
  previous_recorded: boolean;
  added: { key: string; object: { kind: string } }[];
  changed: { key: string; diff: string }[];
  removed: { key: string }[];
  unchanged: string[];
}

async function deployImage(baton: ApiTarget, app: string, image: string, failing = false): Promise<string> {
  const module = {
    profile: 'humanitec/default-module',
    ...(failing ? { externals: { bucket: { type: 'config' } } } : {}),
    spec: { containers: { main: { id: 'main', image, variables: { TOKEN: '${values.TOKEN}' } } } },
  };
  const delta = await api<{ id: string }>(baton, 'POST', `/orgs/local/apps/${app}/deltas`, { modules: { add: { api: module } } });
  const created = await api<{ id: string }>(baton, 'POST', `/orgs/local/apps/${app}/envs/development/deploys`, { delta_id: delta.body.id });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ended = await waitForDeployment(() => [baton], app, created.body.id);
  assert.equal(ended.status, failing ? 'failed' : 'succeeded', JSON.stringify(ended));
  return created.body.id;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`deployment manifests (${dialect})`, () => {
    it('shows what a deployment changed in the applied manifests, with secrets only as hashes, and nothing for one that never applied', async () => {
      const h = await startInProcessBaton({ dialect, listen: true });
      try {
        const baton = { url: h.url!, token: h.token };
        assert.equal((await api(baton, 'POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
        const value = await api(baton, 'POST', '/orgs/local/apps/shop/envs/development/values', { key: 'TOKEN', value: SECRET, description: 'token', is_secret: true });
        assert.equal(value.status, 201, JSON.stringify(value.body));
        const first = await deployImage(baton, 'shop', 'registry.local/shop/api:1');
        const second = await deployImage(baton, 'shop', 'registry.local/shop/api:2');
        const path = (id: string) => `/orgs/local/apps/shop/envs/development/deploys/${id}/baton/manifests`;

        const firstView = await api<ManifestsView>(baton, 'GET', path(first));
        assert.equal(firstView.status, 200, JSON.stringify(firstView.body));
        assert.equal(firstView.body.recorded, true);
        assert.equal(firstView.body.previous_deploy_id, undefined);
        assert.ok(firstView.body.added.some((a) => a.object.kind === 'Deployment'), JSON.stringify(firstView.body.added.map((a) => a.key)));
        assert.deepEqual(firstView.body.changed, []);

        const secondView = await api<ManifestsView>(baton, 'GET', path(second));
        assert.equal(secondView.body.previous_deploy_id, first);
        assert.equal(secondView.body.previous_recorded, true);
        assert.deepEqual(secondView.body.added, []);
        const deployment = secondView.body.changed.find((c) => c.key.includes('Deployment'));
        assert.ok(deployment, JSON.stringify(secondView.body.changed.map((c) => c.key)));
        assert.match(deployment.diff, /^-.*image: registry\.local\/shop\/api:1$/m);
        assert.match(deployment.diff, /^\+.*image: registry\.local\/shop\/api:2$/m);
        assert.ok(secondView.body.unchanged.some((key) => key.includes('Secret')), 'the unchanged secret is listed as unchanged');

        const text = JSON.stringify(firstView.body) + JSON.stringify(secondView.body);
        assert.ok(!text.includes(SECRET), 'a secret value is in the manifests');
        assert.ok(!text.includes(Buffer.from(SECRET).toString('base64')), 'a secret value is in the manifests (base64)');
        assert.match(text, /\*\*\* \(hmac:[0-9a-f]{12}\)/);
        // Keyed: the short hash is not an unkeyed digest a reader could test password guesses against.
        for (const candidate of [SECRET, Buffer.from(SECRET).toString('base64')]) {
          assert.ok(!text.includes(createHash('sha256').update(candidate).digest('hex').slice(0, 12)), 'an unkeyed digest of the secret is shown');
        }
        const stored = await h.store.db.selectFrom('deployments').select('progress').where('id', '=', second).executeTakeFirstOrThrow();
        assert.ok(!String(stored.progress).includes('registry.local/shop/api:2'), 'the applied objects are stored sealed');

        // A deployment that fails before applying has no recorded manifests.
        assert.equal((await api(baton, 'POST', '/orgs/local/apps', { id: 'billing', name: 'Billing' })).status, 201);
        await api(baton, 'POST', '/orgs/local/resources/defs', {
          id: 'broken',
          name: 'broken',
          type: 'config',
          driver_type: 'humanitec/template',
          driver_inputs: { values: { templates: { outputs: '{{ fail "no" }}' } } },
          criteria: [{ app_id: 'billing' }],
        });
        await api(baton, 'POST', '/orgs/local/apps/billing/envs/development/values', { key: 'TOKEN', value: SECRET, description: 'token', is_secret: true });
        const failed = await deployImage(baton, 'billing', 'registry.local/billing/api:1', true);
        const failedView = await api<ManifestsView>(baton, 'GET', `/orgs/local/apps/billing/envs/development/deploys/${failed}/baton/manifests`);
        assert.equal(failedView.status, 200);
        assert.equal(failedView.body.recorded, false);
        assert.deepEqual([failedView.body.added, failedView.body.changed, failedView.body.removed], [[], [], []]);

        // Another env's deployment id is not found here.
        assert.equal((await api(baton, 'GET', `/orgs/local/apps/billing/envs/development/deploys/${first}/baton/manifests`)).status, 404);
      } finally {
        await h.stop();
      }
    });
  });
}
