/* eslint-disable @typescript-eslint/no-explicit-any -- the test reads deep into rendered Kubernetes JSON */
/**
 * Issue #19 theme 2: what a Score file says about probes and annotations reaches the rendered pod — an HTTPS probe
 * against a given host stays one (as score-k8s renders it), and the workload's annotations land on the pod template.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertScoreToDelta, parseScoreDocuments } from '../score/index.js';
import { renderWorkload } from './index.js';
import type { ResolvedObject } from './index.js';
import { TEST_HASHER, validateK8sObject } from './testing.js';

test('a Score HTTPS probe with a host and the workload annotations survive conversion and rendering', async () => {
  const delta = convertScoreToDelta(
    parseScoreDocuments(
      `apiVersion: score.dev/v1b1
metadata:
  name: web
  annotations: {example.com/team: blue}
containers:
  main:
    image: nginx:1.27
    livenessProbe:
      httpGet: {scheme: HTTPS, host: 127.0.0.1, path: /healthz, port: 8443, httpHeaders: [{name: X-Probe, value: "1"}]}
    readinessProbe:
      httpGet: {path: /ready, port: 8080}
`,
      'score.yaml',
    ),
    { workloadSourceUrl: 'https://git.example.com/web' },
  );
  const objects = await renderWorkload({
    workloadId: 'web',
    module: { spec: delta.modules.add.web!.spec as ResolvedObject },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd-1', namespace: 'shop-dev', hasher: TEST_HASHER },
    manifests: [],
  });
  const deployment = objects.find((object) => object.kind === 'Deployment') as any;
  const container = deployment.spec.template.spec.containers[0];
  assert.deepEqual(container.livenessProbe, {
    httpGet: { scheme: 'HTTPS', host: '127.0.0.1', path: '/healthz', port: 8443, httpHeaders: [{ name: 'X-Probe', value: '1' }] },
  });
  assert.deepEqual(container.readinessProbe, { httpGet: { path: '/ready', port: 8080 } });
  const annotations = deployment.spec.template.metadata.annotations;
  assert.equal(annotations['example.com/team'], 'blue');
  assert.equal(annotations['humanitec.io/workload-source'], 'https://git.example.com/web');
  objects.forEach(validateK8sObject);
});
