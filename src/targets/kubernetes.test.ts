import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import { renderWorkload } from '../profiles/index.js';
import { TEST_HASHER } from '../profiles/testing.js';
import { KubernetesTarget, kubeConfigFromOutputs } from './kubernetes.js';
import type { K8sObject } from './types.js';
import { startInTestKubeApiServer } from '../../test/helpers/in-test-kube-api-server.js';
import type { RecordedKubeRequest } from '../../test/helpers/in-test-kube-api-server.js';
import { issue, makeCa } from '../../test/helpers/test-pki.js';

type Recorded = RecordedKubeRequest;

/** The in-test Kubernetes API server (plain HTTP, bearer token) and a target pointed at it. */
async function inTestApiServer(t: { after(fn: () => Promise<void> | void): void }, options: { rejectApplyOf?: string; rolloutAfterReads?: number } = {}) {
  const server = await startInTestKubeApiServer(options);
  t.after(() => server.close());
  const kubeConfig = kubeConfigFromOutputs({ cluster_data: { server: server.url, 'insecure-skip-tls-verify': true }, credentials: { token: 'tok-123' } });
  return { requests: server.requests, objects: server.objects, target: new KubernetesTarget({ kubeConfig, pollIntervalMs: 10 }) };
}

const context = { orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev', hasher: TEST_HASHER };

async function workload(id: string, deploymentId: string, image = 'nginx:1'): Promise<K8sObject[]> {
  return renderWorkload({
    workloadId: id,
    module: { spec: { containers: { main: { image, files: { '/etc/x.conf': { value: 'x' } } } }, service: { ports: { http: { service_port: 80 } } } } },
    context: { ...context, deploymentId },
  });
}

const clusterRole: K8sObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'shop-dev-reader', labels: { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'shop', 'baton.dev/env': 'dev' } },
  rules: [],
};

const patches = (requests: Recorded[]) => requests.filter((r) => r.method === 'PATCH');

test('server-side apply sends apply patches as field manager baton with force, namespace first, then cluster-scoped, then namespaced objects (in-test Kubernetes API server)', async (t) => {
  const { requests, target } = await inTestApiServer(t);
  const result = await target.apply({ deploymentId: 'd1', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [...(await workload('web', 'd1')), clusterRole] });

  for (const request of patches(requests)) {
    assert.equal(request.contentType, 'application/apply-patch+yaml', request.path);
    assert.equal(request.query.get('fieldManager'), 'baton');
    assert.equal(request.query.get('force'), 'true');
  }
  assert.ok(requests.every((r) => r.authorization === 'Bearer tok-123'));
  assert.ok(requests.some((r) => r.method === 'GET' && r.path === '/apis/apps/v1'), 'discovery of apps/v1');
  assert.deepEqual(
    patches(requests).map((r) => r.path),
    [
      '/api/v1/namespaces/shop-dev',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/shop-dev-reader',
      '/api/v1/namespaces/shop-dev/configmaps/web-files',
      '/api/v1/namespaces/shop-dev/services/web',
      '/apis/apps/v1/namespaces/shop-dev/deployments/web',
      '/api/v1/namespaces/shop-dev/secrets/baton-inventory',
    ],
  );
  assert.deepEqual(result.removed, []);
  assert.ok(result.changed.includes('Deployment.apps/shop-dev/web'));
});

test('objects with this app/env labels that are no longer rendered are listed and deleted; the namespace never is (in-test Kubernetes API server)', async (t) => {
  const { requests, target, objects } = await inTestApiServer(t);
  const base = { appId: 'shop', envId: 'dev', namespace: 'shop-dev' };
  await target.apply({ ...base, deploymentId: 'd1', objects: [...(await workload('web', 'd1')), ...(await workload('api', 'd1')), clusterRole] });
  requests.length = 0;

  const result = await target.apply({ ...base, deploymentId: 'd2', objects: await workload('web', 'd2') });

  const lists = requests.filter((r) => r.method === 'GET' && r.query.has('labelSelector'));
  assert.ok(
    lists.some((r) => r.path === '/apis/apps/v1/deployments' && r.query.get('labelSelector') === 'app.kubernetes.io/managed-by=baton,baton.dev/app=shop,baton.dev/env=dev'),
    lists.map((r) => `${r.path}?${r.query.toString()}`).join('\n'),
  );
  const deletes = requests.filter((r) => r.method === 'DELETE').map((r) => r.path).sort();
  assert.deepEqual(deletes, [
    '/api/v1/namespaces/shop-dev/configmaps/api-files',
    '/api/v1/namespaces/shop-dev/services/api',
    '/apis/apps/v1/namespaces/shop-dev/deployments/api',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/shop-dev-reader',
  ]);
  assert.deepEqual(result.removed, [
    'ClusterRole.rbac.authorization.k8s.io/shop-dev-reader',
    'ConfigMap/shop-dev/api-files',
    'Deployment.apps/shop-dev/api',
    'Service/shop-dev/api',
  ]);
  // Same content as before for web: recognised by its content hash.
  assert.ok(result.unchanged.includes('Deployment.apps/shop-dev/web'), JSON.stringify(result));
  assert.ok([...objects.keys()].some((k) => k.includes('|namespaces||shop-dev')), 'namespace kept');
  assert.ok([...objects.keys()].some((k) => k.endsWith('|baton-inventory')), 'inventory kept');

  const last = await target.lastApplied('shop', 'dev');
  assert.deepEqual(last.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/web-files', 'Deployment/web', 'Namespace/shop-dev', 'Service/web']);
  assert.deepEqual(await target.lastApplied('shop', 'prod'), []);
});

test('removeEnvironment deletes the objects Baton applied for the app/env and its inventory, never the namespace or other envs (in-test Kubernetes API server)', async (t) => {
  const { requests, target, objects } = await inTestApiServer(t);
  await target.apply({ appId: 'shop', envId: 'dev', namespace: 'shop-dev', deploymentId: 'd1', objects: [...(await workload('web', 'd1')), clusterRole] });
  await target.apply({ appId: 'shop', envId: 'prod', namespace: 'shop-prod', deploymentId: 'd1', objects: [] });
  requests.length = 0;

  const result = await target.removeEnvironment('shop', 'dev');
  assert.deepEqual(result.removed, [
    'ClusterRole.rbac.authorization.k8s.io/shop-dev-reader',
    'ConfigMap/shop-dev/web-files',
    'Deployment.apps/shop-dev/web',
    'Service/shop-dev/web',
  ]);
  const deletes = requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
  assert.equal(deletes.at(-2), '/apis/rbac.authorization.k8s.io/v1/clusterroles/shop-dev-reader', 'cluster-scoped objects after namespaced ones');
  assert.equal(deletes.at(-1), '/api/v1/namespaces/shop-dev/secrets/baton-inventory', 'the inventory last');
  const left = [...objects.keys()];
  assert.ok(left.some((k) => k.includes('|namespaces||shop-dev')), 'namespace kept');
  assert.ok(!left.some((k) => k.includes('|shop-dev|')), left.join('\n'));
  assert.ok(left.some((k) => k.endsWith('|shop-prod|baton-inventory')), 'the other env is untouched');
  assert.deepEqual(await target.lastApplied('shop', 'dev'), []);
  assert.deepEqual((await target.removeEnvironment('shop', 'dev')).removed, [], 'removing what is gone changes nothing');
});

test('a rejected apply becomes a non-retryable DriverFailed naming the object and the server message (in-test Kubernetes API server)', async (t) => {
  const { requests, target } = await inTestApiServer(t, { rejectApplyOf: 'deployments/bad' });
  await assert.rejects(
    target.apply({ deploymentId: 'd1', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: await workload('bad', 'd1') }),
    (error: unknown) =>
      error instanceof DriverFailed &&
      error.retryable === false &&
      error.message.includes('Deployment.apps/shop-dev/bad') &&
      error.message.includes('422') &&
      error.message.includes('Required value'),
  );
  assert.ok(!requests.some((r) => r.method === 'DELETE'), 'nothing pruned after a failed apply');
});

test('deploy.success available waits until the Deployment has rolled out (in-test Kubernetes API server)', async (t) => {
  const { requests, target } = await inTestApiServer(t, { rolloutAfterReads: 3 });
  await target.apply({ deploymentId: 'd1', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: await workload('web', 'd1'), waitFor: 'available', timeoutMs: 5000 });
  const reads = requests.filter((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/shop-dev/deployments/web');
  assert.equal(reads.length, 3);
});

test('a kubeconfig needs a server and credentials from the k8s-cluster outputs', () => {
  assert.throws(() => kubeConfigFromOutputs({ credentials: { token: 'x' } }), InvalidInput);
  assert.throws(() => kubeConfigFromOutputs({ cluster_data: { server: 'https://k8s' } }), InvalidInput);
  const kc = kubeConfigFromOutputs({ cluster_data: { server: 'https://k8s', 'certificate-authority-data': 'Q0E=' }, credentials: { token: 't' } });
  assert.equal(kc.getCurrentCluster()?.server, 'https://k8s');
  assert.equal(kc.getCurrentUser()?.token, 't');
});

test('client-certificate login over HTTPS: the cluster CA verifies the server, the client certificate is what the server sees, and a certificate of another CA is refused with a non-retryable error saying so (in-test Kubernetes API server)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-k8s-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir, 'cluster-ca');
  const foreignCa = makeCa(dir, 'foreign-ca');
  const serverCert = issue(dir, ca, 'apiserver', { cn: 'kube-apiserver', ip: '127.0.0.1' });
  const server = await startInTestKubeApiServer({ tls: { key: serverCert.key, cert: serverCert.cert, clientCa: ca.cert } });
  t.after(() => server.close());
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const targetWith = (client: { cert: string; key: string }) =>
    new KubernetesTarget({
      kubeConfig: kubeConfigFromOutputs({
        cluster_data: { server: server.url, 'certificate-authority-data': b64(ca.cert) },
        credentials: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) },
      }),
      pollIntervalMs: 10,
    });

  const good = issue(dir, ca, 'deployer', { cn: 'baton-deployer', o: 'platform' });
  const result = await targetWith(good).apply({ deploymentId: 'd1', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: await workload('web', 'd1') });
  assert.ok(result.changed.includes('Deployment.apps/shop-dev/web'), JSON.stringify(result));
  const apply = server.requests.find((r) => r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/shop-dev/deployments/web');
  assert.ok(apply, 'the Deployment was applied');
  assert.equal(apply.clientCertCN, 'baton-deployer');
  assert.equal(apply.authenticated, true);
  assert.equal(apply.contentType, 'application/apply-patch+yaml');
  assert.ok(server.requests.every((r) => r.authorization === undefined), 'no bearer token sent');

  server.requests.length = 0;
  const stranger = issue(dir, foreignCa, 'stranger', { cn: 'baton-deployer' });
  await assert.rejects(
    targetWith(stranger).apply({ deploymentId: 'd2', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: await workload('web', 'd2') }),
    (error: unknown) =>
      error instanceof DriverFailed &&
      error.retryable === false &&
      error.message.includes('HTTP 401') &&
      error.message.includes('did not accept the credentials of the k8s-cluster resource') &&
      error.message.includes('client certificate not signed by the cluster\'s CA'),
  );
  assert.ok(server.requests.length > 0 && server.requests.every((r) => r.authenticated === false), 'every request of the stranger was refused');
  assert.ok(!server.requests.some((r) => r.method === 'PATCH'), 'nothing applied');

  // A server certificate the configured CA did not sign is refused by Baton before any request is sent.
  const wrongCaTarget = new KubernetesTarget({
    kubeConfig: kubeConfigFromOutputs({
      cluster_data: { server: server.url, 'certificate-authority-data': b64(foreignCa.cert) },
      credentials: { 'client-certificate-data': b64(good.cert), 'client-key-data': b64(good.key) },
    }),
  });
  server.requests.length = 0;
  await assert.rejects(wrongCaTarget.lastApplied('shop', 'dev'), (error: unknown) => error instanceof DriverFailed && /certificate/i.test(error.message));
  assert.equal(server.requests.length, 0);
});
