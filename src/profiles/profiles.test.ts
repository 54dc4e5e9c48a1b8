/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- the tests read deep into rendered Kubernetes JSON */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput, NotFound } from '../shared/errors.js';
import {
  CONTENT_HASH_ANNOTATION,
  DEPLOYMENT_ANNOTATION,
  SecretString,
  contentHash,
  getProfile,
  renderWorkload,
  validateModuleSpec,
} from './index.js';
import type { K8sObject, RenderRequest, ResolvedObject } from './index.js';
import { TEST_HASHER, validateK8sObject } from './testing.js';

const context = { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd-1', namespace: 'shop-dev', hasher: TEST_HASHER };

function request(spec: ResolvedObject, extra: Partial<RenderRequest> = {}): RenderRequest {
  return { workloadId: 'web', module: { spec }, context, manifests: [], ...extra };
}

function find(objects: K8sObject[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(found, `no ${kind} ${name ?? ''} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const basic: ResolvedObject = { containers: { main: { image: 'nginx:1.27' } } };

test('default-module renders a Deployment named after the workload, selected by the workload id, without a Service when there are no ports', async () => {
  const objects = await renderWorkload(request(basic));
  assert.deepEqual(objects.map((o) => o.kind), ['Deployment']);
  const deployment = find(objects, 'Deployment', 'web');
  assert.deepEqual(deployment.spec.selector.matchLabels, { 'baton.dev/workload': 'web' });
  assert.equal(deployment.spec.template.metadata.labels['baton.dev/workload'], 'web');
  assert.equal(deployment.metadata.namespace, 'shop-dev');
  assert.equal(deployment.spec.replicas, undefined);
  objects.forEach(validateK8sObject);
});

test('every object carries Baton ownership labels, org/deployment annotations and its own content hash', async () => {
  const objects = await renderWorkload(
    request({
      containers: { main: { image: 'x', variables: { S: new SecretString('s') }, files: { '/etc/a.conf': { value: 'a' } } } },
      service: { ports: { http: { service_port: 80 } } },
    }),
  );
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Secret', 'Service']);
  for (const object of objects) {
    assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'baton');
    assert.equal(object.metadata.labels?.['baton.dev/app'], 'shop');
    assert.equal(object.metadata.labels?.['baton.dev/env'], 'dev');
    assert.equal(object.metadata.labels?.['baton.dev/workload'], 'web');
    assert.equal(object.metadata.annotations?.[DEPLOYMENT_ANNOTATION], 'd-1');
    assert.equal(object.metadata.annotations?.[CONTENT_HASH_ANNOTATION], contentHash(object, TEST_HASHER));
  }
});

test('content hashes ignore the deployment id but change with the content', async () => {
  const first = await renderWorkload(request(basic));
  const again = await renderWorkload(request(basic, { context: { ...context, deploymentId: 'd-2' } }));
  const changed = await renderWorkload(request({ containers: { main: { image: 'nginx:1.28' } } }));
  const hash = (o: K8sObject[]) => o[0]!.metadata.annotations![CONTENT_HASH_ANNOTATION];
  assert.equal(hash(first), hash(again));
  assert.notEqual(hash(first), hash(changed));
});

test('plain variables are inline, secret ones reference the generated Secret and never appear in plain fields', async () => {
  const objects = await renderWorkload(
    request({ containers: { main: { image: 'x', variables: { PLAIN: 'hello', PORT: 8080, TOKEN: new SecretString('t0ps3cret') } } } }),
  );
  const env = find(objects, 'Deployment').spec.template.spec.containers[0].env;
  assert.deepEqual(env, [
    { name: 'PLAIN', value: 'hello' },
    { name: 'PORT', value: '8080' },
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'env.main.TOKEN' } } },
  ]);
  const secret = find(objects, 'Secret', 'web-secrets');
  assert.equal(Buffer.from(secret.data['env.main.TOKEN'], 'base64').toString(), 't0ps3cret');
  const withoutSecret = objects.filter((o) => o.kind !== 'Secret');
  assert.ok(!JSON.stringify(withoutSecret).includes('t0ps3cret'));
  objects.forEach(validateK8sObject);
});

test('files go to a ConfigMap or the Secret and are mounted at their paths with their modes', async () => {
  const objects = await renderWorkload(
    request({
      containers: {
        main: {
          image: 'x',
          files: {
            '/etc/app/config.yaml': { mode: '0644', value: 'a: 1' },
            '/etc/app/key.pem': { mode: '0400', value: new SecretString('PRIVATE') },
          },
        },
      },
    }),
  );
  const pod = find(objects, 'Deployment').spec.template.spec;
  const mounts = pod.containers[0].volumeMounts as { mountPath: string; name: string; subPath: string }[];
  const configMount = mounts.find((m) => m.mountPath === '/etc/app/config.yaml')!;
  const keyMount = mounts.find((m) => m.mountPath === '/etc/app/key.pem')!;
  const configVolume = pod.volumes.find((v: any) => v.name === configMount.name);
  const keyVolume = pod.volumes.find((v: any) => v.name === keyMount.name);
  assert.equal(configVolume.configMap.name, 'web-files');
  assert.deepEqual(configVolume.configMap.items, [{ key: configMount.subPath, path: configMount.subPath, mode: 0o644 }]);
  assert.equal(find(objects, 'ConfigMap', 'web-files').data[configMount.subPath], 'a: 1');
  assert.equal(keyVolume.secret.secretName, 'web-secrets');
  assert.deepEqual(keyVolume.secret.items, [{ key: keyMount.subPath, path: keyMount.subPath, mode: 0o400 }]);
  assert.equal(Buffer.from(find(objects, 'Secret').data[keyMount.subPath], 'base64').toString(), 'PRIVATE');
  objects.forEach(validateK8sObject);
});

test('changing a file content changes the pod template, so the pods roll', async () => {
  const render = (value: string) =>
    renderWorkload(request({ containers: { main: { image: 'x', files: { '/etc/a': { value } } } } }));
  const a = find(await render('one'), 'Deployment').spec.template.metadata.annotations['baton.dev/config-hash'];
  const b = find(await render('two'), 'Deployment').spec.template.metadata.annotations['baton.dev/config-hash'];
  assert.notEqual(a, b);
});

test('probes of every type become Kubernetes probes with their timings', async () => {
  const objects = await renderWorkload(
    request({
      containers: {
        main: {
          image: 'x',
          liveness_probe: { type: 'http', path: '/healthz', port: 8080, headers: { 'X-Check': 'yes' }, failureThreshold: 5 },
          readiness_probe: { type: 'tcp', port: 5432, periodSeconds: 2 },
          startup_probe: { type: 'command', command: ['cat', '/tmp/ready'], initialDelaySeconds: 1 },
        },
      },
    }),
  );
  const container = find(objects, 'Deployment').spec.template.spec.containers[0];
  assert.deepEqual(container.livenessProbe, {
    httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'X-Check', value: 'yes' }] },
    failureThreshold: 5,
  });
  assert.deepEqual(container.readinessProbe, { tcpSocket: { port: 5432 }, periodSeconds: 2 });
  assert.deepEqual(container.startupProbe, { exec: { command: ['cat', '/tmp/ready'] }, initialDelaySeconds: 1 });
  objects.forEach(validateK8sObject);
});

test('deployment and pod overrides are deep-merged; labels/annotations land on the right metadata', async () => {
  const objects = await renderWorkload(
    request({
      ...basic,
      replicas: 3,
      serviceAccountName: 'web-sa',
      deployment: { labels: { team: 'a' }, strategy: { rollingUpdate: { maxSurge: 2 } } },
      pod: { annotations: { 'prometheus.io/scrape': 'true' }, securityContext: { runAsNonRoot: true } },
    }),
  );
  const deployment = find(objects, 'Deployment');
  assert.equal(deployment.spec.replicas, 3);
  assert.equal(deployment.metadata.labels.team, 'a');
  assert.deepEqual(deployment.spec.strategy, { rollingUpdate: { maxSurge: 2 } });
  assert.deepEqual(deployment.spec.selector.matchLabels, { 'baton.dev/workload': 'web' });
  assert.equal(deployment.spec.template.spec.serviceAccountName, 'web-sa');
  assert.deepEqual(deployment.spec.template.spec.securityContext, { runAsNonRoot: true });
  assert.equal(deployment.spec.template.metadata.annotations['prometheus.io/scrape'], 'true');
  assert.equal(deployment.spec.template.spec.containers[0].image, 'nginx:1.27');
  objects.forEach(validateK8sObject);
});

test('a module cannot override the ownership labels that pruning relies on', async () => {
  const objects = await renderWorkload(request({ ...basic, deployment: { labels: { 'baton.dev/app': 'other' } } }));
  assert.equal(find(objects, 'Deployment').metadata.labels['baton.dev/app'], 'shop');
});

test('the Service is named after the workload and maps service ports to container ports', async () => {
  const objects = await renderWorkload(
    request({
      ...basic,
      service: { ports: { www: { service_port: 80, container_port: 8080 }, dns: { protocol: 'UDP', service_port: 53 } } },
    }),
  );
  const service = find(objects, 'Service', 'web');
  assert.deepEqual(service.spec.ports, [
    { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
    { name: 'www', port: 80, targetPort: 8080, protocol: 'TCP' },
  ]);
  assert.deepEqual(service.spec.selector, { 'baton.dev/workload': 'web' });
  objects.forEach(validateK8sObject);
});

test('volume mounts use the volume a resource injects; injected containers join the pod; namespace manifests are ignored', async () => {
  const objects = await renderWorkload(
    request(
      { containers: { main: { image: 'x', volume_mounts: { '/data': { id: 'externals.data', sub_path: 'db', read_only: true } } } } },
      {
        manifests: [
          { resource: 'externals.data', name: 'vol', location: 'volumes', data: { name: 'data-pvc', persistentVolumeClaim: { claimName: 'data' } } },
          { resource: 'externals.proxy', name: 'c', location: 'containers', data: { name: 'proxy', image: 'envoy' } },
          { resource: 'externals.proxy', name: 'n', location: 'namespace', data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zzz' } } },
        ],
      },
    ),
  );
  assert.deepEqual(objects.map((o) => o.kind), ['Deployment']);
  const pod = find(objects, 'Deployment').spec.template.spec;
  assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'data-pvc', mountPath: '/data', subPath: 'db', readOnly: true }]);
  assert.deepEqual(pod.volumes, [{ name: 'data-pvc', persistentVolumeClaim: { claimName: 'data' } }]);
  assert.deepEqual(pod.containers.map((c: any) => c.name), ['main', 'proxy']);
  objects.forEach(validateK8sObject);
});

test('a volume mount whose resource provides no volume is a clear error', async () => {
  await assert.rejects(
    renderWorkload(request({ containers: { main: { image: 'x', volume_mounts: { '/data': { id: 'externals.missing' } } } } })),
    (error: unknown) => error instanceof InvalidInput && /externals\.missing/.test(error.message) && /\/data/.test(error.message),
  );
});

test('output order does not depend on the order of keys in the spec', async () => {
  const a = await renderWorkload(
    request({ containers: { b: { image: 'b', variables: { Y: '1', X: '2' } }, a: { image: 'a' } }, service: { ports: { z: { service_port: 2 }, y: { service_port: 1 } } } }),
  );
  const b = await renderWorkload(
    request({ service: { ports: { y: { service_port: 1 }, z: { service_port: 2 } } }, containers: { a: { image: 'a' }, b: { image: 'b', variables: { X: '2', Y: '1' } } } }),
  );
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.deepEqual(find(a, 'Deployment').spec.template.spec.containers.map((c: any) => c.name), ['a', 'b']);
});

test('validateModuleSpec returns JSON paths of every problem', () => {
  const issues = validateModuleSpec('humanitec/default-module', {
    containers: { main: { image: 'x', imag: 'typo', liveness_probe: { type: 'http' } } },
    service: { ports: { www: { service_port: 'eighty' } } },
  });
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes('/spec/containers/main/imag'), paths.join());
  assert.ok(paths.includes('/spec/containers/main/liveness_probe/port'), paths.join());
  assert.ok(paths.includes('/spec/service/ports/www/service_port'), paths.join());
  assert.deepEqual(validateModuleSpec(undefined, basic), []);
});

test('rendering a spec that does not fit the profile fails with the issues', async () => {
  await assert.rejects(renderWorkload(request({ containers: {} })), (error: unknown) => {
    return error instanceof InvalidInput && Array.isArray(error.details.issues) && /\/spec\/containers/.test(error.message);
  });
});

test('an unknown profile is a NotFound naming it', async () => {
  assert.throws(() => getProfile('acme/nope'), (e: unknown) => e instanceof NotFound && /acme\/nope/.test(e.message));
  await assert.rejects(renderWorkload({ ...request(basic), module: { profile: 'acme/nope', spec: basic } }), NotFound);
  assert.equal(getProfile(undefined).id, 'humanitec/default-module');
});

test('default-job renders a Job whose name changes with its pod template and never restarts in place', async () => {
  const spec = { containers: { migrate: { image: 'tool:1', args: ['migrate'] } }, job: { backoffLimit: 2 } };
  const objects = await renderWorkload({ ...request(spec), module: { profile: 'humanitec/default-job', spec } });
  const job = find(objects, 'Job');
  assert.match(job.metadata.name, /^web-[0-9a-f]{10}$/);
  assert.equal(job.spec.backoffLimit, 2);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  const spec2 = { ...spec, containers: { migrate: { image: 'tool:2', args: ['migrate'] } } };
  const other = await renderWorkload({ ...request(spec2), module: { profile: 'humanitec/default-job', spec: spec2 } });
  assert.notEqual(find(other, 'Job').metadata.name, job.metadata.name);
  objects.forEach(validateK8sObject);
});

test('default-cronjob renders one CronJob per schedule with per-schedule container overrides', async () => {
  const spec: ResolvedObject = {
    containers: { worker: { image: 'w:1', args: ['run'], variables: { MODE: 'full' } } },
    schedules: {
      nightly: { schedule: '0 2 * * *' },
      hourly: { schedule: '0 * * * *', containers: { worker: { variables: { MODE: 'quick' } } } },
    },
  };
  const objects = await renderWorkload({ ...request(spec), module: { profile: 'humanitec/default-cronjob', spec } });
  assert.deepEqual(objects.map((o) => o.metadata.name), ['web-hourly', 'web-nightly']);
  const hourly = find(objects, 'CronJob', 'web-hourly');
  const nightly = find(objects, 'CronJob', 'web-nightly');
  assert.equal(hourly.spec.schedule, '0 * * * *');
  assert.deepEqual(hourly.spec.jobTemplate.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'quick' }]);
  assert.deepEqual(nightly.spec.jobTemplate.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'full' }]);
  objects.forEach(validateK8sObject);
  assert.ok(validateModuleSpec('humanitec/default-cronjob', { containers: spec.containers! }).some((i) => i.path === '/spec/schedules'));
});

test('baton/statefulset renders a StatefulSet governed by a headless Service, plus the regular Service', async () => {
  const spec: ResolvedObject = { containers: { db: { image: 'pg:16' } }, replicas: 3, service: { ports: { pg: { service_port: 5432 } } } };
  const objects = await renderWorkload({ ...request(spec), module: { profile: 'baton/statefulset', spec } });
  const set = find(objects, 'StatefulSet', 'web');
  const headless = find(objects, 'Service', 'web-headless');
  assert.equal(set.spec.serviceName, 'web-headless');
  assert.equal(set.spec.replicas, 3);
  assert.equal(headless.spec.clusterIP, 'None');
  assert.equal(find(objects, 'Service', 'web').spec.clusterIP, undefined);
  objects.forEach(validateK8sObject);
});
