import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sObject } from '../types.js';
import { planPods, pullAuthsByImage } from './plan.js';

const labels = { 'baton.dev/workload': 'web' };

function deployment(spec: Record<string, unknown>): K8sObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels }, spec: { template: { metadata: { labels }, spec } } };
}

const configMap: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-files' }, data: { 'file.a': 'plain text', MODE: 'dev' } };
const secret: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-secrets' }, data: { PASSWORD: Buffer.from('s3cr3t-value').toString('base64') }, stringData: { TOKEN: 'tok' } };
const service: K8sObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: labels, ports: [{ name: 'www', port: 80, targetPort: 8080 }, { port: 53, targetPort: 'dns', protocol: 'UDP' }] } };

const podSpec = {
  containers: [
    {
      name: 'main',
      image: 'localhost/app:1',
      command: ['/bin/app'],
      args: ['--serve'],
      ports: [{ name: 'dns', containerPort: 5353 }],
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'PASSWORD' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'web-files', key: 'MODE' } } },
      ],
      envFrom: [{ secretRef: { name: 'web-secrets' }, prefix: 'S_' }],
      volumeMounts: [
        { name: 'files', mountPath: '/etc/app/a.txt', subPath: 'a.txt' },
        { name: 'scratch', mountPath: '/tmp/scratch' },
        { name: 'data', mountPath: '/data' },
      ],
      readinessProbe: { httpGet: { port: 8080, path: '/ready', scheme: 'HTTPS' }, periodSeconds: 2 },
    },
  ],
  volumes: [
    { name: 'files', configMap: { name: 'web-files', items: [{ key: 'file.a', path: 'a.txt' }] } },
    { name: 'scratch', emptyDir: {} },
    { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
  ],
};

describe('planning Podman pods from rendered Kubernetes objects', () => {
  it('resolves env vars from Secrets and ConfigMaps, files from volumes, ports from Services and probes', () => {
    const [pod] = planPods([configMap, secret, service, deployment(podSpec)], 'shop', 'dev');
    assert.ok(pod);
    assert.equal(pod.workload, 'web');
    const main = pod.containers[0]!;
    assert.deepEqual(main.command, ['/bin/app']);
    assert.deepEqual(main.args, ['--serve']);
    assert.deepEqual(main.env, { S_PASSWORD: 's3cr3t-value', S_TOKEN: 'tok', PLAIN: 'x', PASSWORD: 's3cr3t-value', MODE: 'dev' });
    assert.deepEqual(pod.files.map((f) => [f.relativePath, f.content.toString()]), [['volumes/files/a.txt', 'plain text']]);
    assert.deepEqual(main.mounts, [
      { source: { kind: 'file', relativePath: 'volumes/files/a.txt' }, containerPath: '/etc/app/a.txt', readOnly: true },
      { source: { kind: 'file', relativePath: 'empty/scratch' }, containerPath: '/tmp/scratch', readOnly: false },
      { source: { kind: 'volume', name: 'baton-shop-dev-web-data' }, containerPath: '/data', readOnly: false },
    ]);
    assert.deepEqual(pod.ports, [
      { name: 'www', servicePort: 80, containerPort: 8080, protocol: 'tcp' },
      { name: '53', servicePort: 53, containerPort: 5353, protocol: 'udp' },
    ]);
    assert.deepEqual(pod.serviceNames, ['web']);
    assert.deepEqual(main.readiness, { kind: 'http', port: 8080, path: '/ready', scheme: 'HTTPS', periodSeconds: 2 });
  });

  it('gives the same content hash for the same content and a new one when a file or secret changes', () => {
    const hash = (objects: K8sObject[]): string => planPods(objects, 'shop', 'dev')[0]!.contentHash;
    const base = hash([configMap, secret, service, deployment(podSpec)]);
    assert.equal(hash([configMap, secret, service, deployment(podSpec)]), base);
    assert.notEqual(hash([{ ...configMap, data: { 'file.a': 'changed', MODE: 'dev' } }, secret, service, deployment(podSpec)]), base);
    assert.notEqual(hash([configMap, { ...secret, data: { PASSWORD: Buffer.from('rotated').toString('base64') } }, service, deployment(podSpec)]), base);
  });

  it('refuses what one local pod cannot honour, naming the workload', () => {
    assert.throws(() => planPods([deployment({ containers: [{ name: 'm', image: 'i', env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }] })], 'a', 'b'), /workload "web": environment variable "IP" uses a valueFrom/);
    assert.throws(() => planPods([deployment({ containers: [{ name: 'm', image: 'i' }], volumes: [{ name: 'h', hostPath: { path: '/' } }] })], 'a', 'b'), /volume "h" is of a kind the local runtime cannot provide/);
    assert.throws(() => planPods([deployment({ containers: [{ name: 'm', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }] })], 'a', 'b'), /refers to Secret "nope", which is not rendered/);
    assert.throws(() => planPods([{ ...configMap, data: { x: '1' } }, deployment({ containers: [{ name: 'm', image: 'i' }], volumes: [{ name: 'f', configMap: { name: 'web-files', items: [{ key: 'x', path: '../escape' }] } }] })], 'a', 'b'), /must be relative and stay inside its volume/);
    assert.throws(() => planPods([deployment({ containers: [] })], 'a', 'b'), /has no containers/);
  });

  it('ignores objects that are not workload controllers', () => {
    assert.deepEqual(planPods([configMap, secret, service], 'a', 'b'), []);
  });
});

describe('pull credentials of the pods', () => {
  const config = (auths: Record<string, unknown>): string => Buffer.from(JSON.stringify({ auths })).toString('base64');
  const pullSecret = (name: string, auths: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': config(auths) } });

  it('gives each image of a pod the auths of the dockerconfigjson Secrets the pod names, and nothing to other images', () => {
    const objects = [
      pullSecret('baton-registry-a', { 'reg.test/a': { username: 'u', password: 'p-a' } }),
      pullSecret('baton-registry-b', { 'reg.test/b': { username: 'v', password: 'p-b' } }),
      secret,
      deployment({ imagePullSecrets: [{ name: 'baton-registry-a' }, { name: 'baton-registry-b' }, { name: 'web-secrets' }, { name: 'absent' }], initContainers: [{ name: 'i', image: 'reg.test/b/init:1' }], containers: [{ name: 'm', image: 'reg.test/a/app:1' }] }),
      { ...deployment({ containers: [{ name: 'm', image: 'reg.test/a/other:1' }] }), metadata: { name: 'other', labels: { 'baton.dev/workload': 'other' } } },
    ];
    const auths = pullAuthsByImage(objects);
    const both = { auths: { 'reg.test/a': { username: 'u', password: 'p-a' }, 'reg.test/b': { username: 'v', password: 'p-b' } } };
    assert.deepEqual(Object.fromEntries(auths), { 'reg.test/b/init:1': both, 'reg.test/a/app:1': both });
  });

  it('keeps a "__proto__" key of a hostile Secret a plain key', () => {
    const hostile: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'evil' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":{"__proto__":{"polluted":true}}}').toString('base64') } };
    const auths = pullAuthsByImage([hostile, deployment({ imagePullSecrets: [{ name: 'evil' }], containers: [{ name: 'm', image: 'x/y' }] })]);
    const merged = auths.get('x/y')!.auths;
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.ok(Object.hasOwn(merged, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
