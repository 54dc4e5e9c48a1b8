import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import { renderWorkload } from '../profiles/index.js';
import { KubernetesTarget, kubeConfigFromOutputs } from './kubernetes.js';
import type { K8sObject } from './types.js';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
}

/** Discovery answers: group/version → resources (plural name, kind, namespaced). */
const DISCOVERY: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  '/api/v1': [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
  ],
  '/apis/apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  ],
  '/apis/rbac.authorization.k8s.io/v1': [{ name: 'clusterroles', kind: 'ClusterRole', namespaced: false }],
};

/**
 * A loopback stand-in for the Kubernetes API server: enough discovery, server-side apply, list, read and
 * delete to exercise the wire protocol, recording every request. No API server can run on this machine.
 */
async function fakeApiServer(t: { after(fn: () => Promise<void> | void): void }, options: { rejectApplyOf?: string; rolloutAfterReads?: number } = {}) {
  const requests: Recorded[] = [];
  const objects = new Map<string, K8sObject>(); // key: groupVersion|resource|namespace|name
  let reads = 0;

  function route(path: string): { gv: string; resource: string; namespace?: string; name?: string } | undefined {
    const match = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/(.*))?$/.exec(path);
    if (!match) return undefined;
    const gv = match[1]!;
    const rest = (match[2] ?? '').split('/').filter(Boolean);
    if (rest[0] === 'namespaces' && rest.length >= 3) return { gv, namespace: rest[1]!, resource: rest[2]!, ...(rest[3] ? { name: rest[3] } : {}) };
    return { gv, resource: rest[0] ?? '', ...(rest[1] ? { name: rest[1] } : {}) };
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
      });
      const discovery = DISCOVERY[url.pathname];
      if (req.method === 'GET' && discovery) {
        return send(res, 200, {
          kind: 'APIResourceList',
          groupVersion: url.pathname.replace(/^\/apis?\//, ''),
          resources: discovery.map((r) => ({ ...r, singularName: '', verbs: ['get', 'list', 'patch', 'delete'] })),
        });
      }
      const r = route(url.pathname);
      const known = r && DISCOVERY[r.gv]?.find((d) => d.name === r.resource);
      if (!r || !known) return send(res, 404, { kind: 'Status', status: 'Failure', code: 404, message: `no route ${url.pathname}` });
      const key = (ns: string | undefined, name: string) => `${r.gv}|${r.resource}|${ns ?? ''}|${name}`;
      if (req.method === 'PATCH' && r.name) {
        const object = parse(body) as K8sObject;
        if (options.rejectApplyOf === `${r.resource}/${r.name}`) {
          return send(res, 422, {
            kind: 'Status',
            status: 'Failure',
            code: 422,
            reason: 'Invalid',
            message: `${known.kind}.apps "${r.name}" is invalid: spec.template.spec.containers[0].image: Required value`,
          });
        }
        const stored = { ...object, metadata: { ...object.metadata, generation: 1 } };
        objects.set(key(r.namespace, r.name), stored);
        return send(res, 200, stored);
      }
      if (req.method === 'GET' && r.name) {
        const object = objects.get(key(r.namespace, r.name));
        if (!object) return send(res, 404, { kind: 'Status', code: 404, message: 'not found' });
        reads += 1;
        const ready = reads >= (options.rolloutAfterReads ?? 1);
        const replicas = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
        return send(res, 200, {
          ...object,
          status: ready ? { observedGeneration: 1, updatedReplicas: replicas, availableReplicas: replicas } : { observedGeneration: 1 },
        });
      }
      if (req.method === 'GET') {
        const selector = url.searchParams.get('labelSelector') ?? '';
        const wanted = selector.split(',').filter(Boolean).map((p) => p.split('='));
        const items = [...objects.entries()]
          .filter(([k]) => k.startsWith(`${r.gv}|${r.resource}|${r.namespace ?? ''}`))
          .map(([, o]) => o)
          .filter((o) => wanted.every(([k, v]) => o.metadata.labels?.[k!] === v))
          .map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
        return send(res, 200, { kind: `${known.kind}List`, apiVersion: r.gv.replace(/^\/apis?\//, ''), metadata: {}, items });
      }
      if (req.method === 'DELETE' && r.name) {
        const existed = objects.delete(key(r.namespace, r.name));
        return send(res, existed ? 200 : 404, { kind: 'Status', status: existed ? 'Success' : 'Failure', code: existed ? 200 : 404 });
      }
      return send(res, 405, { kind: 'Status', code: 405, message: 'unsupported' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = kubeConfigFromOutputs({ cluster_data: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, credentials: { token: 'tok-123' } });
  return { requests, objects, target: new KubernetesTarget({ kubeConfig, pollIntervalMs: 10 }) };
}

const context = { orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev' };

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

test('server-side apply sends apply patches as field manager baton with force, namespace first, then cluster-scoped, then namespaced objects (Kubernetes protocol test)', async (t) => {
  const { requests, target } = await fakeApiServer(t);
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

test('objects with this app/env labels that are no longer rendered are listed and deleted; the namespace never is (Kubernetes protocol test)', async (t) => {
  const { requests, target, objects } = await fakeApiServer(t);
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

test('removeEnvironment deletes the objects Baton applied for the app/env and its inventory, never the namespace or other envs (Kubernetes protocol test)', async (t) => {
  const { requests, target, objects } = await fakeApiServer(t);
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

test('a rejected apply becomes a non-retryable DriverFailed naming the object and the server message (Kubernetes protocol test)', async (t) => {
  const { requests, target } = await fakeApiServer(t, { rejectApplyOf: 'deployments/bad' });
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

test('deploy.success available waits until the Deployment has rolled out (Kubernetes protocol test)', async (t) => {
  const { requests, target } = await fakeApiServer(t, { rolloutAfterReads: 3 });
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
