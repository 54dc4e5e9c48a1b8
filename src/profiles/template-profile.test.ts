import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { ProfileRegistry, SecretString, renderWorkload } from './index.js';
import { templateProfile } from './template-profile.js';
import { TEST_HASHER, validateK8sObject } from './testing.js';

const template = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .id }}
spec:
  replicas: {{ .spec.replicas | default 1 }}
  selector:
    matchLabels: {app: {{ .id }}}
  template:
    metadata:
      labels: {app: {{ .id }}}
    spec:
      containers:
      {{- range $name, $c := .spec.containers }}
      - name: {{ $name }}
        image: {{ $c.image | quote }}
      {{- end }}
---
{{- if .spec.port }}
apiVersion: v1
kind: Service
metadata:
  name: {{ .id }}
  annotations: {env: {{ .context.env.id | quote }}}
spec:
  selector: {app: {{ .id }}}
  ports: [{port: {{ .spec.port }}}]
{{- end }}
`;

const context = { orgId: 'o', appId: 'shop', envId: 'dev', deploymentId: 'd1', namespace: 'shop-dev', hasher: TEST_HASHER };

test('a Go template profile renders its YAML stream into stamped, valid objects', async () => {
  const registry = new ProfileRegistry();
  registry.add(templateProfile({ id: 'acme/simple', template, specSchema: { type: 'object', required: ['containers'] } }));
  const objects = await renderWorkload(
    { workloadId: 'web', module: { profile: 'acme/simple', spec: { replicas: 2, port: 80, containers: { main: { image: new SecretString('reg/app:1') } } } }, context },
    registry,
  );
  assert.deepEqual(objects.map((o) => o.kind), ['Service', 'Deployment']);
  const deployment = objects[1] as unknown as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; metadata: { namespace: string; labels: Record<string, string> } };
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.template.spec.containers[0]?.image, 'reg/app:1');
  assert.equal(deployment.metadata.namespace, 'shop-dev');
  assert.equal(deployment.metadata.labels['app.kubernetes.io/managed-by'], 'baton');
  assert.equal(objects[0]!.metadata.annotations!.env, 'dev');
  objects.forEach(validateK8sObject);

  const withoutPort = await renderWorkload({ workloadId: 'web', module: { profile: 'acme/simple', spec: { containers: { main: { image: 'x' } } } }, context }, registry);
  assert.deepEqual(withoutPort.map((o) => o.kind), ['Deployment']);
  await assert.rejects(renderWorkload({ workloadId: 'web', module: { profile: 'acme/simple', spec: {} }, context }, registry), InvalidInput);
});

test('a template profile whose output is not a Kubernetes object is a clear error', async () => {
  const profile = templateProfile({ id: 'acme/broken', template: 'just: text\n' });
  await assert.rejects(
    profile.render({ workloadId: 'w', module: { spec: {} }, context }),
    (e: unknown) => e instanceof InvalidInput && /acme\/broken/.test(e.message) && /apiVersion/.test(e.message),
  );
});
