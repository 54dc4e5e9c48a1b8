/**
 * Real resource definitions (public libraries + the orchestrator-semantics examples, in fixtures/definitions/)
 * rendered unchanged through testDefinition, each with its expected result worked out by hand from the
 * template text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DriverFailed } from '../shared/errors.js';
import { testDefinition, type TestDefinitionInputs } from './test-definition.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/definitions/${name}`, import.meta.url), 'utf8');
}

const GURESID = 'f00dfeed'.repeat(5);

function run(name: string, inputs: TestDefinitionInputs) {
  return testDefinition(fixture(name), {
    ...inputs,
    placeholders: { 'context.res.guresid': GURESID, ...inputs.placeholders },
  });
}

describe('public definitions render unchanged', () => {
  it('example-library custom-namespace: placeholders in init, cluster-scoped Namespace', async () => {
    const result = await run('custom-namespace.yaml', { placeholders: { 'context.env.id': 'dev', 'context.app.id': 'shop' } });
    assert.deepEqual(result, {
      values: { namespace: 'dev-shop' },
      secrets: {},
      manifests: [
        {
          name: 'namespace.yaml',
          location: 'cluster',
          data: {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' }, name: 'dev-shop' },
          },
        },
      ],
    });
  });

  it('example-library short-namespace: trunc inside a template after placeholder substitution', async () => {
    const result = await run('short-namespace.yaml', {
      placeholders: { 'context.env.id': 'development-long', 'context.app.id': 'my-application' },
    });
    assert.deepEqual(result.values, { namespace: 'developm-my-appli' });
    assert.equal(result.manifests[0]?.data.metadata && (result.manifests[0].data.metadata as { name: string }).name, 'developm-my-appli');
  });

  it('example-library otel-sidecar: range over containers and the map form of manifests with templated data', async () => {
    const result = await run('otel-sidecar.yaml', {
      resource: { spec: { containers: { worker: { image: 'w' }, main: { image: 'm' } } } },
    });
    assert.deepEqual(result.values, {
      update: [
        { op: 'add', path: '/spec/containers/main/variables/OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://localhost:4317' },
        { op: 'add', path: '/spec/containers/worker/variables/OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://localhost:4317' },
      ],
    });
    assert.deepEqual(
      result.manifests.map((m) => [m.name, m.location]),
      [
        ['otel-config-map.yaml', 'namespace'],
        ['sidecar-volume.yaml', 'volumes'],
        ['sidecar.yaml', 'containers'],
      ],
    );
    const [configMap, volume, sidecar] = result.manifests;
    assert.deepEqual(volume?.data, {
      configMap: { name: `otel-agent-conf-${GURESID}`, items: [{ key: 'otel-agent-config', path: 'otel-agent-config.yaml' }] },
      name: 'otel-agent-config-vol',
    });
    assert.deepEqual(sidecar?.data, {
      command: ['/otelcol', '--config=/conf/otel-agent-config.yaml'],
      image: 'otel/opentelemetry-collector:0.94.0',
      name: 'otel-agent',
      resources: { limits: { cpu: '500m', memory: '500Mi' }, requests: { cpu: '100m', memory: '100Mi' } },
      ports: [{ containerPort: 55679 }, { containerPort: 4317 }, { containerPort: 8888 }],
      env: [
        { name: 'MY_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
        { name: 'GOMEMLIMIT', value: '400MiB' },
      ],
      volumeMounts: [{ name: 'otel-agent-config-vol', mountPath: '/conf' }],
    });
    const cm = configMap?.data as { metadata: unknown; data: Record<string, string> };
    assert.deepEqual(cm.metadata, {
      name: `otel-agent-conf-${GURESID}`,
      labels: { app: 'opentelemetry', component: 'otel-agent-conf' },
    });
    // `${env:...}` is the collector's own syntax, not an Orchestrator placeholder: it must survive untouched.
    assert.match(cm.data['otel-agent-config']!, /^receivers:\n {2}otlp:\n/);
    assert.match(cm.data['otel-agent-config']!, /endpoint: \$\{env:MY_POD_IP\}:4317\n/);
    assert.match(cm.data['otel-agent-config']!, /exporters: \[otlp\]\n$/);
  });

  it('example-library affinity: a static JSON-patch output', async () => {
    const result = await run('affinity.yaml', {});
    assert.deepEqual(result, {
      values: {
        update: [
          {
            op: 'add',
            path: '/spec/affinity',
            value: {
              nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 1,
                    preference: {
                      matchExpressions: [{ key: 'another-node-label-key', operator: 'In', values: ['another-node-label-value'] }],
                    },
                  },
                ],
              },
            },
          },
        ],
      },
      secrets: {},
      manifests: [],
    });
  });

  it('example-library tolerations: a static JSON-patch output', async () => {
    const result = await run('tolerations.yaml', {});
    assert.deepEqual(result.values, {
      update: [{ op: 'add', path: '/spec/tolerations', value: [{ key: 'example-key', operator: 'Exists', effect: 'NoSchedule' }] }],
    });
  });

  it('example-library dynamic labels: range over resource labels plus context and resource placeholders', async () => {
    const result = await run('workload-dynamic-labels.yaml', {
      placeholders: { 'context.env.id': 'dev', "resources['config.default#app-config'].outputs.substream_id": 'sub-42' },
      resource: { spec: { labels: { tier: 'web', team: 'checkout' }, service: { labels: { exposed: 'true' } } } },
    });
    assert.deepEqual(result.values, {
      update: [
        { op: 'add', path: '/spec/labels', value: { team: 'checkout', tier: 'web', env_type: 'dev', substream_id: 'sub-42' } },
        { op: 'add', path: '/spec/service/labels', value: { exposed: 'true', env_type: 'dev', substream_id: 'sub-42' } },
      ],
    });
  });

  it('example-library hpa: defaults, min, regexMatch and an HPA manifest for a private dependency', async () => {
    const result = await run('hpa.yaml', {
      placeholders: { 'context.res.id': 'modules.checkout.externals.autoscale' },
      resource: { maxReplicas: 20, minReplicas: 3 },
    });
    assert.deepEqual(result, {
      values: {},
      secrets: {},
      manifests: [
        {
          name: 'hpa.yaml',
          location: 'namespace',
          data: {
            apiVersion: 'autoscaling/v2',
            kind: 'HorizontalPodAutoscaler',
            metadata: { name: 'checkout-hpa' },
            spec: {
              maxReplicas: 10,
              metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 80, type: 'Utilization' } }, type: 'Resource' }],
              minReplicas: 3,
              scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
            },
          },
        },
      ],
    });
  });

  it('example-library hpa: `fail` in the template becomes a driver error with the template message', async () => {
    await assert.rejects(run('hpa.yaml', { placeholders: { 'context.res.id': 'shared.autoscale' } }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /humanitec\/template/);
      assert.match(error.message, /A horizontal-pod-autoscaler must be added as a private resource dependency\. ID: shared\.autoscale/);
      return true;
    });
  });

  const ingressPlaceholders = {
    'resources.dns.outputs.host': 'shop.example.com',
    'resources.dns<route.outputs.path': ['/', '/api'],
    'resources.dns<route.outputs.port': [8080, 9090],
    'resources.dns<route.outputs.service': ['web', 'api'],
    'resources.tls-cert.outputs.tls_secret_name': 'shop-tls',
  };

  it('example-library ingress-default: selector arrays, hasKey/default/toRawJson, TLS from a referenced resource', async () => {
    const result = await run('ingress-default.yaml', { placeholders: ingressPlaceholders });
    assert.deepEqual(result, {
      values: { no_tls: false, id: `${GURESID}-ingress`, tls_secret_name: 'shop-tls' },
      secrets: {},
      manifests: [
        {
          name: 'ingress.yaml',
          location: 'namespace',
          data: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: `${GURESID}-ingress` },
            spec: {
              rules: [
                {
                  host: 'shop.example.com',
                  http: {
                    paths: [
                      { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } },
                      { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 9090 } } } },
                    ],
                  },
                },
              ],
              tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
            },
          },
        },
      ],
    });
  });

  it('example-library ingress-default: no routes means no Ingress manifest', async () => {
    const result = await run('ingress-default.yaml', {
      placeholders: {
        ...ingressPlaceholders,
        'resources.dns<route.outputs.path': [],
        'resources.dns<route.outputs.port': [],
        'resources.dns<route.outputs.service': [],
      },
    });
    assert.deepEqual(result.manifests, []);
    assert.equal(result.values.id, `${GURESID}-ingress`);
  });

  it('example-library echo dns-template: echo driver with embedded placeholders', async () => {
    const result = await run('echo-dns-template.yaml', { placeholders: { 'context.app.id': 'shop', 'context.env.id': 'pr-12' } });
    assert.deepEqual(result, { values: { host: 'preview-shop-pr-12.my-test-domain.com' }, secrets: {}, manifests: [] });
  });

  it('example-library base-env resource quota: bracket-form resource placeholders inside a manifest template', async () => {
    const result = await run('base-env-resourcequota.yaml', {
      placeholders: {
        "resources['config#quota'].outputs.limits-cpu": '2',
        "resources['config#quota'].outputs.limits-memory": '4Gi',
      },
    });
    assert.deepEqual(result.manifests, [
      {
        name: 'quota.yaml',
        location: 'namespace',
        data: {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'compute-resources' },
          // The placeholder is text inside the template, so YAML reads "2" back as a number, as Humanitec does.
          spec: { hard: { 'limits.cpu': 2, 'limits.memory': '4Gi' } },
        },
      },
    ]);
  });

  it('resource-packs-in-cluster redis: per-workload name trimmed to 20+20 characters (repo test input)', async () => {
    const result = await run('in-cluster-redis.yaml', {
      cookie: null,
      placeholders: { 'context.res.id': 'modules.test-very-long-workload-name.externals.test-very-long-redis-name' },
      resource: {},
      secretRefs: {},
    });
    const name = 'redis-test-very-long-workl-test-very-long-redis';
    assert.deepEqual(result.values, { host: name, port: 6379 });
    assert.deepEqual(result.secrets, { username: '', password: '' });
    assert.deepEqual(result.cookie, { port: 6379, name });
    assert.deepEqual(result.manifests, [
      {
        name: 'deployment.yaml',
        location: 'namespace',
        data: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                automountServiceAccountToken: false,
                securityContext: { fsGroup: 65532, runAsGroup: 65532, runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name,
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ['ALL'] },
                      privileged: false,
                      readOnlyRootFilesystem: true,
                    },
                    image: 'redis:7-alpine',
                    ports: [{ name: 'tcp-redis', containerPort: 6379 }],
                    volumeMounts: [{ mountPath: '/data', name: 'redis-data' }],
                  },
                ],
                volumes: [{ name: 'redis-data', emptyDir: {} }],
              },
            },
          },
        },
      },
      {
        name: 'service.yaml',
        location: 'namespace',
        data: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name },
          spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'tcp-redis', port: 6379, targetPort: 'tcp-redis' }] },
        },
      },
    ]);
  });

  it('resource-packs-in-cluster redis: a shared resource is named after its id', async () => {
    const result = await run('in-cluster-redis.yaml', { placeholders: { 'context.res.id': 'shared.cache' } });
    assert.deepEqual(result.values, { host: 'redis-cache', port: 6379 });
  });

  it('resource-packs-in-cluster postgres: the cookie from a previous run fixes name, user, password and database', async () => {
    const cookie = { name: 'postgres-orders', port: 5432, user: 'abcdefgh', password: 'Pa55word0123456x', database: 'ordersdb' };
    const result = await run('in-cluster-postgres.yaml', { cookie, placeholders: { 'context.res.id': 'shared.orders' } });
    assert.deepEqual(result.values, { host: 'postgres-orders', port: 5432, name: 'ordersdb' });
    assert.deepEqual(result.secrets, { username: 'abcdefgh', password: 'Pa55word0123456x' });
    assert.deepEqual(result.cookie, cookie);
    assert.deepEqual(
      result.manifests.map((m) => m.name),
      ['secret.yaml', 'service.yaml', 'statefulset.yaml'],
    );
    assert.deepEqual(result.manifests[0]?.data, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'postgres-orders' },
      type: 'Opaque',
      data: { POSTGRES_PASSWORD: 'UGE1NXdvcmQwMTIzNDU2eA==' },
    });
    assert.deepEqual(result.manifests[1]?.data, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'postgres-orders' },
      spec: { ports: [{ port: 5432 }], selector: { app: 'postgres-orders' }, clusterIP: 'None' },
    });
    const container = (result.manifests[2]?.data as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec
      .template.spec.containers[0];
    assert.deepEqual(container?.env, [
      { name: 'POSTGRES_USER', value: 'abcdefgh' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-orders', key: 'POSTGRES_PASSWORD' } } },
      { name: 'POSTGRES_DB', value: 'ordersdb' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      { name: 'PGPORT', value: '5432' },
    ]);
    assert.deepEqual(container?.ports, [{ containerPort: 5432, name: 'postgres' }]);
  });

  it('resource-packs-in-cluster postgres: generated credentials stay the same on the next deployment', async () => {
    const placeholders = { 'context.res.id': 'modules.checkout.externals.orders-db' };
    const first = await run('in-cluster-postgres.yaml', { placeholders });
    assert.equal(first.values.host, 'postgres-checkout-orders-db');
    assert.match(String(first.secrets.username), /^[a-z]{8}$/);
    assert.match(String(first.secrets.password), /^[A-Za-z0-9]{16}$/);
    assert.match(String(first.values.name), /^[a-z]{8}$/);

    const second = await run('in-cluster-postgres.yaml', { placeholders, cookie: first.cookie });
    assert.deepEqual(second.values, first.values);
    assert.deepEqual(second.secrets, first.secrets);
    assert.deepEqual(second.cookie, first.cookie);
    assert.deepEqual(second.manifests, first.manifests);

    const fresh = await run('in-cluster-postgres.yaml', { placeholders });
    assert.notEqual(fresh.secrets.password, first.secrets.password, 'without the cookie a new password is generated');
  });

  it('resource-packs-in-cluster mongodb: connection string secret built from the cookie', async () => {
    const cookie = { rootUsername: 'rootuser', name: 'mongo-catalog', rootPassword: 'R00tPassw0rdXyZ1', port: 27017 };
    const result = await run('in-cluster-mongodb.yaml', { cookie, placeholders: { 'context.res.id': 'shared.catalog' } });
    assert.deepEqual(result.values, { host: 'mongo-catalog', port: 27017 });
    assert.deepEqual(result.secrets, { connection: 'mongodb://rootuser:R00tPassw0rdXyZ1@mongo-catalog:27017/' });
    assert.deepEqual(
      result.manifests.map((m) => `${m.name}:${String(m.data.kind)}`),
      ['deployment.yaml:Deployment', 'pvc.yaml:PersistentVolumeClaim', 'secret.yaml:Secret', 'service.yaml:Service'],
    );
    assert.deepEqual(result.manifests[3]?.data.spec, {
      type: 'ClusterIP',
      selector: { app: 'mongo-catalog' },
      ports: [{ name: 'tcp-mongodb', port: 27017, targetPort: 27017 }],
    });
  });
});

describe('orchestrator-semantics §9 examples render unchanged', () => {
  it('§9.3 default-ingress builds one Ingress from the dns<route selectors', async () => {
    const result = await run('semantics-9-3-ingress.yaml', {
      placeholders: {
        'resources.dns.outputs.host': 'api.example.com',
        'resources.dns<route.outputs.path': ['/'],
        'resources.dns<route.outputs.port': [8080],
        'resources.dns<route.outputs.service': ['hello-world'],
        'resources.tls-cert.outputs.tls_secret_name': 'api-tls',
      },
    });
    assert.deepEqual(result, {
      values: { id: `${GURESID}-ingress` },
      secrets: {},
      manifests: [
        {
          name: 'ingress.yaml',
          location: 'namespace',
          data: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: `${GURESID}-ingress` },
            spec: {
              rules: [
                {
                  host: 'api.example.com',
                  http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'hello-world', port: { number: 8080 } } } }] },
                },
              ],
            },
          },
        },
      ],
    });
  });

  it('§9.6 k8s-service-account derives the name from the workload res_id', async () => {
    const result = await run('semantics-9-6-k8s-service-account.yaml', { placeholders: { 'context.res.id': 'modules.w1' } });
    assert.deepEqual(result, {
      values: { name: 'w1-sa' },
      secrets: {},
      manifests: [
        { name: 'service-account.yaml', location: 'namespace', data: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'w1-sa' } } },
      ],
    });
  });

  it('§9.6 workload patches serviceAccountName from the referenced service account', async () => {
    const result = await run('semantics-9-6-workload.yaml', {
      placeholders: { 'context.res.id': 'modules.w1', 'resources.k8s-service-account.outputs.name': 'w1-sa' },
    });
    assert.deepEqual(result.values, { update: [{ op: 'add', path: '/spec/serviceAccountName', value: 'w1-sa' }] });
  });

  it('§9.3 postgres through echo: values and secrets come back as outputs', async () => {
    const result = await run('semantics-9-3-postgres-echo.yaml', {});
    assert.deepEqual(result, {
      values: { host: 'dev-postgres.example.com', port: 5432, name: 'postgres' },
      secrets: { dbcredentials: { username: 'postgres', password: '53cr3t' } },
      manifests: [],
    });
  });
});
