/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- the tests read deep into rendered Kubernetes JSON */
/**
 * Issue 18 item 2: the built-in profiles accept every field of Humanitec's default profiles (pod-spec fields at
 * the top of the spec as the example library's workload definitions patch them, Kubernetes container fields,
 * `imagePullSecrets`, `volumes`, the cronjob profile's `job`) and render them; each result validates offline
 * against the Kubernetes schemas (kubernetes-models).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderWorkload, validateModuleSpec } from './index.js';
import type { K8sObject, RenderRequest, ResolvedObject } from './index.js';
import { TEST_HASHER, validateK8sObject } from './testing.js';

const context = { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd-1', namespace: 'shop-dev', hasher: TEST_HASHER };

function request(spec: ResolvedObject, profile?: string): RenderRequest {
  return { workloadId: 'web', module: { spec, ...(profile ? { profile } : {}) }, context, manifests: [] };
}

function find(objects: K8sObject[], kind: string): any {
  const found = objects.find((o) => o.kind === kind);
  assert.ok(found, `no ${kind} in ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

// The values the example library's definitions patch in (template-driver/tolerations, affinity, node-selector,
// imagepullsecrets, security-context, environment-variables, initcontainers).
const tolerations: ResolvedObject[] = [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }, { key: 'azure.com/aci', effect: 'NoSchedule' }];
const affinity = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 1, preference: { matchExpressions: [{ key: 'another-node-label-key', operator: 'In', values: ['another-node-label-value'] }] } },
    ],
  },
};
const nodeSelector = { 'kubernetes.io/role': 'agent', 'beta.kubernetes.io/os': 'linux', type: 'virtual-kubelet' };
const podSecurity = { fsGroup: 1000, runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };
const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true };

const humanitecSpec: ResolvedObject = {
  containers: {
    main: {
      image: 'nginx:1.27',
      variables: { A: 'from-variables' },
      env: [{ name: 'MY_ENV_VAR_A', value: 'my env value A' }, { name: 'A', value: 'ignored: the variable wins' }],
      securityContext: containerSecurity,
      ports: [{ containerPort: 8080, name: 'http' }],
      imagePullPolicy: 'IfNotPresent',
    },
  },
  tolerations,
  affinity,
  nodeSelector,
  securityContext: podSecurity,
  imagePullSecrets: [{ name: 'regcred' }, 'other-cred'],
  volumes: { cache: { emptyDir: {} } },
  pod: { initContainers: [{ name: 'init-myservice', image: 'busybox', command: ['sh', '-c', 'true'] }] },
};

for (const [profile, kind, podSpecOf] of [
  ['humanitec/default-module', 'Deployment', (o: any) => o.spec.template.spec],
  ['humanitec/default-job', 'Job', (o: any) => o.spec.template.spec],
  ['humanitec/default-cronjob', 'CronJob', (o: any) => o.spec.jobTemplate.spec.template.spec],
] as const) {
  test(`${profile} accepts Humanitec's pod and container fields and renders them into a valid ${kind}`, async () => {
    const spec: ResolvedObject = profile === 'humanitec/default-cronjob' ? { ...humanitecSpec, schedules: { nightly: { schedule: '0 3 * * *' } } } : humanitecSpec;
    assert.deepEqual(validateModuleSpec(profile, spec), []);
    const objects = await renderWorkload(request(spec, profile));
    const workload = find(objects, kind);
    const pod = podSpecOf(workload);
    assert.deepEqual(pod.tolerations, tolerations);
    assert.deepEqual(pod.affinity, affinity);
    assert.deepEqual(pod.nodeSelector, nodeSelector);
    assert.deepEqual(pod.securityContext, podSecurity);
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }, { name: 'other-cred' }]);
    assert.deepEqual(pod.volumes, [{ name: 'cache', emptyDir: {} }]);
    assert.deepEqual(pod.initContainers, [{ name: 'init-myservice', image: 'busybox', command: ['sh', '-c', 'true'] }]);
    const [main] = pod.containers;
    assert.deepEqual(main.env, [{ name: 'A', value: 'from-variables' }, { name: 'MY_ENV_VAR_A', value: 'my env value A' }]);
    assert.deepEqual(main.securityContext, containerSecurity);
    assert.deepEqual(main.ports, [{ containerPort: 8080, name: 'http' }]);
    assert.equal(main.imagePullPolicy, 'IfNotPresent');
    objects.forEach(validateK8sObject);
  });
}

test("default-cronjob's `job` shapes the Job template of every schedule and `cronjob` the CronJob", async () => {
  const spec: ResolvedObject = {
    containers: { main: { image: 'busybox', command: ['echo', 'hi'] } },
    cronjob: { concurrencyPolicy: 'Forbid', labels: { team: 'a' } },
    job: { backoffLimit: 2, ttlSecondsAfterFinished: 600, annotations: { note: 'x' } },
    schedules: { hourly: { schedule: '0 * * * *', containers: { main: { args: ['--hourly'] } } } },
  };
  const objects = await renderWorkload(request(spec, 'humanitec/default-cronjob'));
  const cron = find(objects, 'CronJob');
  assert.equal(cron.metadata.name, 'web-hourly');
  assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
  assert.equal(cron.metadata.labels.team, 'a');
  assert.equal(cron.spec.jobTemplate.spec.backoffLimit, 2);
  assert.equal(cron.spec.jobTemplate.spec.ttlSecondsAfterFinished, 600);
  assert.deepEqual(cron.spec.jobTemplate.metadata, { annotations: { note: 'x' } });
  assert.deepEqual(cron.spec.jobTemplate.spec.template.spec.containers[0].args, ['--hourly']);
  objects.forEach(validateK8sObject);
});

test('a wrongly typed Humanitec field is still refused (the schemas stay strict where a typo would do nothing)', () => {
  const issues = (spec: ResolvedObject): string => validateModuleSpec('humanitec/default-module', spec).map((i) => `${i.path} ${i.message}`).join('; ');
  assert.match(issues({ ...humanitecSpec, tolerations: { key: 'x' } }), /\/spec\/tolerations/);
  assert.match(issues({ containers: { main: { image: 'x', imagePullPolicy: 'Sometimes' } } }), /imagePullPolicy/);
  assert.match(issues({ containers: { main: { image: 'x', securtyContext: {} } } }), /securtyContext/);
});
