/**
 * Registries become image pull secrets, through the real API: a registry with credentials (`POST /orgs/{o}/registries`),
 * a Score workload whose image lies under it, deployed
 *
 * - to the embedded gitops repository (SQLite and PostgreSQL): the commit holds a SOPS-encrypted
 *   `kubernetes.io/dockerconfigjson` Secret and the Deployment names it in `imagePullSecrets`; the password is
 *   nowhere in the repository, its history, the API's answers, the deployment's logs or the database. A changed
 *   password reaches the Secret on the next deployment; a deleted registry takes the Secret and the reference away.
 * - to a Kubernetes API server (the in-test one): the Secret is applied as the other Secrets are, with the Deployment
 *   naming it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { isSopsDocument } from '../../src/secrets/index.js';
import { DIALECTS } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from '../engine/harness.js';
import type { EngineHarness } from '../engine/harness.js';
import { databaseText } from '../engine/helpers.js';
import { startInTestKubeApiServer } from '../helpers/in-test-kube-api-server.js';
import type { InTestKubeApiServer } from '../helpers/in-test-kube-api-server.js';
import { decodeSecretData, useAgeIdentities } from './secret-data.js';

const REGISTRY = 'registry.acme.test/team';
const IMAGE = `${REGISTRY}/web:1.0`;
const USERNAME = 'robot$acme';

interface DeploymentFile {
  kind: string;
  metadata: { name: string };
  type?: string;
  spec?: { template?: { spec?: { containers: { image: string }[]; imagePullSecrets?: { name: string }[] } } };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name === '.git' ? [] : e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every form a password could be written in by mistake: as is, base64, in a `user:password` auth, in a Docker config. */
function clearForms(password: string): string[] {
  const auth = Buffer.from(`${USERNAME}:${password}`).toString('base64');
  return [password, Buffer.from(password).toString('base64'), auth, auth.slice(4, -4)];
}

async function must<T>(h: EngineHarness, method: string, path: string, body?: unknown): Promise<{ body: T; text: string }> {
  const res = await h.api<T>(method, path, body);
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return { body: res.body, text: JSON.stringify(res.body ?? null) };
}

/** Converts the Score file through the API, submits it as a delta and deploys it; returns the deployment and every answer seen. */
async function deployScore(h: EngineHarness, appId: string, image: string, expectPullSecret = true): Promise<{ deployId: string; answers: string[] }> {
  const answers: string[] = [];
  const record = <T>(r: { body: T; text: string }): T => {
    answers.push(r.text);
    return r.body;
  };
  const set = record(
    await must<{ modules: Record<string, unknown> }>(h, 'POST', `/orgs/${h.org}/artefact-versions/convert-score`, {
      spec: { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { main: { image } } },
    }),
  );
  const delta = record(await must<{ id: string }>(h, 'POST', `/orgs/${h.org}/apps/${appId}/deltas`, { modules: { add: set.modules } }));
  // The plan shows what the deployment will do, the pull secret included, its data redacted.
  const plan = record(
    await must<{ manifests: { added: { key: string; object: { data?: Record<string, string> } }[]; changed: { key: string }[]; unchanged: string[] } }>(
      h,
      'POST',
      `/orgs/${h.org}/apps/${appId}/envs/development/baton/plans`,
      { delta_id: delta.id },
    ),
  );
  if (expectPullSecret) {
    const key = `Secret/${appId}-development/baton-registry-acme-team`;
    const keys = [...plan.manifests.added.map((a) => a.key), ...plan.manifests.changed.map((c) => c.key), ...plan.manifests.unchanged];
    assert.ok(keys.includes(key), `the plan names the pull secret; it has ${keys.join(', ')}`);
    const added = plan.manifests.added.find((a) => a.key === key);
    if (added) assert.match(added.object.data?.['.dockerconfigjson'] ?? '', /^\*\*\* \(hmac:[0-9a-f]+\)$/);
  }
  const deployment = record(await must<{ id: string }>(h, 'POST', `/orgs/${h.org}/apps/${appId}/envs/development/deploys`, { delta_id: delta.id, comment: 'private image' }));
  const ended = await waitForDeployment(h, appId, 'development', deployment.id, 60_000);
  const base = `/orgs/${h.org}/apps/${appId}/envs/development/deploys/${deployment.id}`;
  const logs = record(await must<{ message: string }[]>(h, 'GET', `${base}/baton/logs`));
  answers.push(JSON.stringify(ended));
  for (const path of [`${base}/errors`, `${base}/baton/manifests`, `${base}/baton/phases`]) record(await must(h, 'GET', path));
  assert.equal(ended.status, 'succeeded', logs.map((l) => l.message).join('\n'));
  return { deployId: deployment.id, answers };
}

for (const dialect of DIALECTS) {
  void describe(`registry credentials become an encrypted image pull secret in the gitops repository [${dialect}]`, { timeout: 240_000 }, () => {
    let h: EngineHarness;
    const appId = `private-${dialect}`;
    const PASSWORD = `reg-pw-${dialect}-7f3a9c21e5b8`;
    const NEW_PASSWORD = `reg-pw2-${dialect}-1d4e6f8a0b2c`;
    before(async () => {
      h = await startEngineHarness({ dialect });
      useAgeIdentities(h.database.dataDir);
    });
    after(async () => {
      await h?.stop();
    });

    it('commits a SOPS-encrypted dockerconfigjson Secret and imagePullSecrets, with the password in clear nowhere', async () => {
      const answers: string[] = [];
      answers.push((await must(h, 'POST', `/orgs/${h.org}/registries`, { id: 'acme-team', registry: REGISTRY, type: 'basic', creds: { username: USERNAME, password: PASSWORD } })).text);
      answers.push((await must(h, 'POST', `/orgs/${h.org}/registries`, { id: 'elsewhere', registry: 'registry.acme.test/team-b', type: 'basic', creds: { username: 'other', password: 'other-password-123' } })).text);
      await must(h, 'POST', `/orgs/${h.org}/apps`, { id: appId, name: 'Private images' });
      const first = await deployScore(h, appId, IMAGE);
      answers.push(...first.answers);

      const dir = join(h.database.dataDir, 'gitops', appId, 'development');
      const files = filesUnder(dir);
      const objects = files.map((file) => ({ file, object: parse(readFileSync(file, 'utf8')) as DeploymentFile }));
      const deployment = objects.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'web')!.object;
      assert.equal(deployment.spec?.template?.spec?.containers[0]?.image, IMAGE);
      assert.deepEqual(deployment.spec?.template?.spec?.imagePullSecrets, [{ name: 'baton-registry-acme-team' }]);
      const pullSecrets = objects.filter((o) => o.object.kind === 'Secret' && o.object.metadata.name.startsWith('baton-registry-'));
      assert.deepEqual(pullSecrets.map((o) => o.object.metadata.name), ['baton-registry-acme-team'], 'only the registry the image is under (team-b is not a path prefix of team)');
      const { file, object } = pullSecrets[0]!;
      assert.ok(isSopsDocument(object), 'the pull secret is SOPS-encrypted in the repository');
      const data = decodeSecretData(object, file);
      assert.deepEqual(JSON.parse(data['.dockerconfigjson']!), {
        auths: { [REGISTRY]: { username: USERNAME, password: PASSWORD, auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') } },
      });

      // Nowhere in clear: the repository, its history, the API's answers, the logs, the database.
      const repo = join(h.database.dataDir, 'gitops');
      const history = execFileSync('git', ['-C', repo, 'log', '-p', '--all'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const tree = filesUnder(repo).map((f) => readFileSync(f, 'utf8')).join('\n');
      assert.ok(history.includes('baton-registry-acme-team'), 'the history holds the commit of the pull secret');
      const database = await databaseText(h.store, h.database);
      for (const form of clearForms(PASSWORD)) {
        for (const [where, text] of [['git history', history], ['repository', tree], ['API answers', answers.join('\n')], ['database', database]] as const) {
          assert.ok(!text.includes(form), `the password (as "${form}") is in the ${where}`);
        }
      }
    });

    it('takes a changed password on the next deployment and drops the Secret with the registry', async () => {
      await must(h, 'PATCH', `/orgs/${h.org}/registries/acme-team`, { creds: { username: USERNAME, password: NEW_PASSWORD } });
      const second = await deployScore(h, appId, `${REGISTRY}/web:1.1`);
      const dir = join(h.database.dataDir, 'gitops', appId, 'development');
      const secretFile = filesUnder(dir).find((f) => f.includes('baton-registry-acme-team'))!;
      const data = decodeSecretData(parse(readFileSync(secretFile, 'utf8')) as DeploymentFile, secretFile);
      assert.equal((JSON.parse(data['.dockerconfigjson']!) as { auths: Record<string, { password: string }> }).auths[REGISTRY]?.password, NEW_PASSWORD);
      for (const form of clearForms(NEW_PASSWORD)) assert.ok(!second.answers.join('\n').includes(form));

      await must(h, 'DELETE', `/orgs/${h.org}/registries/acme-team`);
      await deployScore(h, appId, `${REGISTRY}/web:1.2`, false);
      const files = filesUnder(dir);
      assert.ok(!files.some((f) => f.includes('baton-registry-')), 'the pull secret is pruned once no registry covers the image');
      const deployment = parse(readFileSync(files.find((f) => /deployment-.*-web\.yaml$/.test(f))!, 'utf8')) as DeploymentFile;
      assert.equal(deployment.spec?.template?.spec?.imagePullSecrets, undefined);
    });
  });
}

describe('registry credentials become an image pull secret on a Kubernetes API server (in-test)', { timeout: 180_000 }, () => {
  let h: EngineHarness;
  let server: InTestKubeApiServer;
  const PASSWORD = 'kube-reg-pw-6b1e0c9d2a7f';
  before(async () => {
    server = await startInTestKubeApiServer();
    h = await startEngineHarness();
  });
  after(async () => {
    await h?.stop();
    await server?.close();
  });

  it('applies the dockerconfigjson Secret in the namespace and the Deployment naming it', async () => {
    const appId = 'kube-private';
    await must(h, 'POST', `/orgs/${h.org}/registries`, { id: 'acme-team', registry: REGISTRY, type: 'basic', creds: { username: USERNAME, password: PASSWORD } });
    await must(h, 'POST', `/orgs/${h.org}/apps`, { id: appId, name: 'Private images on Kubernetes' });
    await must(h, 'POST', `/orgs/${h.org}/resources/defs`, {
      id: 'kube-private-cluster',
      name: 'in-test cluster',
      type: 'k8s-cluster',
      driver_type: 'humanitec/k8s-cluster',
      driver_inputs: { values: { cluster_data: { server: server.url, 'insecure-skip-tls-verify': true } }, secrets: { credentials: { token: 'in-test-token-0123456789' } } },
      criteria: [{ app_id: appId }],
    });
    const { answers } = await deployScore(h, appId, IMAGE);

    const applies = server.requests.filter((r) => r.method === 'PATCH');
    const secretApply = applies.find((r) => r.path === `/api/v1/namespaces/${appId}-development/secrets/baton-registry-acme-team`);
    assert.ok(secretApply, `no apply of the pull secret; applied:\n${applies.map((r) => r.path).join('\n')}`);
    const secret = parse(secretApply.body) as { type: string; data: Record<string, string> };
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString('utf8')) as { auths: Record<string, { username: string; password: string }> };
    assert.deepEqual(config.auths[REGISTRY], { username: USERNAME, password: PASSWORD, auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') });
    const deploymentApply = applies.find((r) => r.path === `/apis/apps/v1/namespaces/${appId}-development/deployments/web`)!;
    const deployment = parse(deploymentApply.body) as DeploymentFile;
    assert.deepEqual(deployment.spec?.template?.spec?.imagePullSecrets, [{ name: 'baton-registry-acme-team' }]);
    // The Secret is applied before the workload that needs it.
    assert.ok(applies.indexOf(secretApply) < applies.indexOf(deploymentApply));
    for (const form of clearForms(PASSWORD)) assert.ok(!answers.join('\n').includes(form), `the password (as "${form}") is in an API answer`);
  });
});
