/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read deep into rendered Kubernetes JSON */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENT_HASH_ANNOTATION, contentHash, renderWorkload } from './index.js';
import type { K8sObject } from './index.js';
import { attachPullSecrets, dockerAuthKey, matchRegistry, parseImageReference, pullSecretName, renderPullSecret } from './pull-secrets.js';
import type { PullRegistry } from './pull-secrets.js';
import { TEST_HASHER, validateK8sObject } from './testing.js';

const context = { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd-1', namespace: 'shop-dev', hasher: TEST_HASHER };
const PASSWORD = 'pw-0f9e8d7c6b5a';
const acme: PullRegistry = { id: 'acme', registry: 'ghcr.io/acme', type: 'basic', creds: { username: 'bot', password: PASSWORD } };
const acmeTeam: PullRegistry = { id: 'acme-team', registry: 'ghcr.io/acme/team', type: 'basic', creds: { username: 'team-bot', password: 'pw-team-123456' } };
const ghcr: PullRegistry = { id: 'ghcr-all', registry: 'ghcr.io', type: 'basic', creds: { username: 'any', password: 'pw-any-1234567' } };
const acmePublic: PullRegistry = { id: 'acme-public', registry: 'ghcr.io/acme/public', type: 'public' };
const hub: PullRegistry = { id: 'hub', registry: 'docker.io/myorg', type: 'basic', creds: { username: 'hubber', password: 'pw-hub-1234567' } };
const local: PullRegistry = { id: 'local-reg', registry: 'localhost:5000/x', type: 'basic', creds: { username: 'u', password: 'pw-local-12345' } };
const ecr: PullRegistry = { id: 'ecr', registry: '123.dkr.ecr.eu-west-1.amazonaws.com', type: 'amazon_ecr', creds: { username: 'AKIA', password: 'aws-secret-key' } };

describe('image references', () => {
  it('reads host and repository path as Docker does (Docker Hub default and library/, ports, tags, digests)', () => {
    assert.deepEqual(parseImageReference('nginx'), { host: 'docker.io', path: 'library/nginx' });
    assert.deepEqual(parseImageReference('nginx:1.27'), { host: 'docker.io', path: 'library/nginx' });
    assert.deepEqual(parseImageReference('myorg/app:1'), { host: 'docker.io', path: 'myorg/app' });
    assert.deepEqual(parseImageReference('index.docker.io/myorg/app'), { host: 'docker.io', path: 'myorg/app' });
    assert.deepEqual(parseImageReference('GHCR.io/acme/app:1@sha256:abc'), { host: 'ghcr.io', path: 'acme/app' });
    assert.deepEqual(parseImageReference('localhost:5000/x/y:2'), { host: 'localhost:5000', path: 'x/y' });
    assert.deepEqual(parseImageReference('localhost/busybox:local'), { host: 'localhost', path: 'busybox' });
    assert.equal(parseImageReference(''), undefined);
    assert.equal(parseImageReference('${values.IMAGE}'), undefined);
    assert.equal(parseImageReference('has space'), undefined);
  });
});

describe('matching images to registries', () => {
  const all = [acme, acmeTeam, ghcr, acmePublic, hub, local];

  it('matches on the host and whole path segments, never on a raw string prefix', () => {
    assert.equal(matchRegistry([acme], 'ghcr.io/acme/app:1')?.id, 'acme');
    assert.equal(matchRegistry([acme], 'ghcr.io/acme:1')?.id, 'acme');
    assert.equal(matchRegistry([acme], 'ghcr.io/acme-labs/app:1'), undefined);
    assert.equal(matchRegistry([acme], 'ghcr.io.evil.com/acme/app'), undefined);
    assert.equal(matchRegistry([acme], 'other.io/ghcr.io/acme/app'), undefined);
    assert.equal(matchRegistry([local], 'localhost:5000/x/y'), local);
    assert.equal(matchRegistry([local], 'localhost:5001/x/y'), undefined);
    assert.equal(matchRegistry([local], 'localhost/x/y'), undefined);
  });

  it('lets the longest prefix win, also when it is a registry without credentials', () => {
    assert.equal(matchRegistry(all, 'ghcr.io/acme/team/api:3')?.id, 'acme-team');
    assert.equal(matchRegistry(all, 'ghcr.io/acme/web:3')?.id, 'acme');
    assert.equal(matchRegistry(all, 'ghcr.io/other/web:3')?.id, 'ghcr-all');
    assert.equal(matchRegistry(all, 'ghcr.io/acme/public/web')?.id, 'acme-public');
    assert.equal(matchRegistry([...all].reverse(), 'ghcr.io/acme/team/api:3')?.id, 'acme-team', 'order of the list does not matter');
  });

  it('knows Docker Hub by its names', () => {
    assert.equal(matchRegistry([hub], 'myorg/app:1')?.id, 'hub');
    assert.equal(matchRegistry([hub], 'docker.io/myorg/app')?.id, 'hub');
    assert.equal(matchRegistry([hub], 'nginx'), undefined);
    assert.equal(matchRegistry([{ id: 'hub-all', registry: 'index.docker.io', type: 'basic' }], 'nginx')?.id, 'hub-all');
    assert.equal(dockerAuthKey('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(dockerAuthKey('GHCR.io/acme/'), 'ghcr.io/acme');
  });
});

describe('pull secrets', () => {
  it('renders a valid kubernetes.io/dockerconfigjson Secret with a deterministic name, owned by the app/env', () => {
    const secret = renderPullSecret({ ...acme, creds: acme.creds! }, { orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev', hasher: TEST_HASHER }) as any;
    validateK8sObject(secret);
    assert.equal(secret.metadata.name, 'baton-registry-acme');
    assert.equal(secret.metadata.name, pullSecretName('acme'));
    assert.equal(secret.metadata.namespace, 'shop-dev');
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(secret.metadata.labels, { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'shop', 'baton.dev/env': 'dev' });
    const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8'));
    assert.deepEqual(config, { auths: { 'ghcr.io/acme': { username: 'bot', password: PASSWORD, auth: Buffer.from(`bot:${PASSWORD}`).toString('base64') } } });
    assert.equal(secret.metadata.annotations[CONTENT_HASH_ANNOTATION], contentHash(secret, TEST_HASHER));
    const again = renderPullSecret({ ...acme, creds: acme.creds! }, { orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev', hasher: TEST_HASHER });
    assert.deepEqual(again, secret, 'the same inputs give the same object');
  });

  it('adds the matching registries to a rendered Deployment, after what the spec names, without duplicates, and renews its hash', async () => {
    const objects = await renderWorkload({
      workloadId: 'web',
      module: {
        spec: {
          containers: { main: { image: 'ghcr.io/acme/web:1' }, side: { image: 'ghcr.io/acme/team/side:2' }, pub: { image: 'ghcr.io/acme/public/x:1' }, plain: { image: 'nginx:1.27' } },
          imagePullSecrets: [{ name: 'regcred' }, 'baton-registry-acme'],
        },
      },
      context,
    });
    const before = structuredClone(objects);
    const result = attachPullSecrets(objects, [acme, acmeTeam, acmePublic, ghcr], TEST_HASHER);
    assert.deepEqual(objects, before, 'the input objects are left alone');
    const deployment = result.objects.find((o) => o.kind === 'Deployment') as any;
    assert.deepEqual(deployment.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }, { name: 'baton-registry-acme' }, { name: 'baton-registry-acme-team' }]);
    assert.deepEqual(result.used.map((r) => r.id), ['acme', 'acme-team']);
    assert.equal(deployment.metadata.annotations[CONTENT_HASH_ANNOTATION], contentHash(deployment, TEST_HASHER));
    assert.notEqual(deployment.metadata.annotations[CONTENT_HASH_ANNOTATION], (before.find((o) => o.kind === 'Deployment') as any).metadata.annotations[CONTENT_HASH_ANNOTATION]);
    validateK8sObject(deployment);
  });

  it('reaches init containers and the pods of Jobs and CronJobs, and leaves objects without a matching image unchanged', () => {
    const cronJob: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', initContainers: [{ name: 'i', image: 'myorg/init:1' }], containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    const other: K8sObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'quay.io/x/y' }] } } } };
    const result = attachPullSecrets([cronJob, other], [hub], TEST_HASHER);
    assert.deepEqual((result.objects[0] as any).spec.jobTemplate.spec.template.spec.imagePullSecrets, [{ name: 'baton-registry-hub' }]);
    assert.equal(result.objects[1], other, 'the same object when nothing changes');
  });

  it('makes no pull secret for registries without a registry login, and reports ECR images', () => {
    const pod: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: '123.dkr.ecr.eu-west-1.amazonaws.com/app:1' }, { name: 'd', image: 'ghcr.io/acme/public/x' }] } };
    const result = attachPullSecrets([pod], [ecr, acmePublic, acme], TEST_HASHER);
    assert.equal(result.objects[0], pod);
    assert.deepEqual(result.used, []);
    assert.deepEqual(result.unsupported.map((u) => `${u.image} ${u.registry.id}`), ['123.dkr.ecr.eu-west-1.amazonaws.com/app:1 ecr']);
  });
});
