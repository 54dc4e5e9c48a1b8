/**
 * The three-replica Kubernetes example of docs/operations.md, validated offline against the Kubernetes schemas
 * (kubernetes-models): every `yaml` block of its "Three replicas on Kubernetes" section, plus what the section
 * promises (3 replicas, probes on /healthz and /readyz, the shared keys and the database from a Secret, a PDB that
 * selects the Deployment's pods, a Service onto the container port).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'operations.md'), 'utf8');

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `section "${heading}" in docs/operations.md`);
  const next = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start, next < 0 ? undefined : next);
}

const yamlBlocks = [...section(doc, 'Three replicas on Kubernetes').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const objects = yamlBlocks.flatMap((block) => loadAll(block)).filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);

it('every manifest of the Kubernetes section is a valid Deployment, Service or PodDisruptionBudget', () => {
  assert.deepEqual(objects.map((o) => `${String(o.apiVersion)}/${String(o.kind)}`).sort(), ['apps/v1/Deployment', 'policy/v1/PodDisruptionBudget', 'v1/Service']);
  for (const o of objects) {
    const Model = { Deployment, Service, PodDisruptionBudget }[o.kind as 'Deployment' | 'Service' | 'PodDisruptionBudget'];
    assert.doesNotThrow(() => new Model(o).validate(), `${String(o.kind)} validates`);
  }
});

it('a validation that can fail: a broken copy is refused', () => {
  const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment')!) as { spec: { replicas: unknown } };
  deployment.spec.replicas = 'three';
  assert.throws(() => new Deployment(deployment as never).validate());
});

it('runs three replicas on PostgreSQL with shared keys, probes on /healthz and /readyz, a PDB and a Service that match them', () => {
  const deployment = new Deployment(objects.find((o) => o.kind === 'Deployment'));
  const spec = deployment.spec!;
  assert.equal(spec.replicas, 3);
  const labels = spec.template.metadata!.labels!;
  assert.deepEqual(spec.selector.matchLabels, labels);
  const container = spec.template.spec!.containers[0]!;
  assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  const env = new Map((container.env ?? []).map((e) => [e.name, e]));
  for (const name of ['BATON_DATABASE_URL', 'BATON_SECRET_KEY', 'BATON_AGE_KEY']) {
    assert.ok(env.get(name)?.valueFrom?.secretKeyRef, `${name} comes from a Secret, the same for every replica`);
  }
  assert.equal(env.get('BATON_HOST')?.value, '0.0.0.0');
  assert.ok(env.get('BATON_GITOPS_URL')?.value, 'replicas share a gitops remote');
  const grace = Number(env.get('BATON_SHUTDOWN_GRACE_MS')?.value) / 1000;
  assert.ok(grace < (spec.template.spec!.terminationGracePeriodSeconds ?? 30), 'the pod outlives the shutdown grace');

  const pdb = new PodDisruptionBudget(objects.find((o) => o.kind === 'PodDisruptionBudget'));
  assert.deepEqual(pdb.spec!.selector!.matchLabels, labels);
  assert.ok(Number(pdb.spec!.minAvailable) >= 2);
  const service = new Service(objects.find((o) => o.kind === 'Service'));
  assert.deepEqual(service.spec!.selector, labels);
  assert.equal(service.spec!.ports![0]!.targetPort, container.ports![0]!.name);
});
