import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAgeIdentity } from '../secrets/age.js';
import { InvalidInput } from '../shared/errors.js';
import { DirectoryTarget, GitOpsTarget, KubernetesTarget, createTarget } from './index.js';

test('createTarget picks the target from the k8s-cluster driver type, with Humanitec aliases', () => {
  const ageKey = generateAgeIdentity();
  assert.ok(createTarget({ driverType: 'baton/directory', values: { root: '/tmp/x' }, dataDir: '/tmp/d', ageKey }) instanceof DirectoryTarget);
  assert.ok(createTarget({ driverType: 'humanitec/k8s-cluster-git', values: { url: '/tmp/r.git', branch: 'b', path: 'p' }, dataDir: '/tmp/d', ageKey }) instanceof GitOpsTarget);
  assert.ok(createTarget({ driverType: 'baton/gitops', dataDir: '/tmp/d', ageKey }) instanceof GitOpsTarget);
  const k8s = createTarget({
    driverType: 'baton/kubernetes',
    values: { cluster_data: { server: 'https://k8s.example' } },
    secrets: { credentials: { token: 't' } },
    dataDir: '/tmp/d',
  });
  assert.ok(k8s instanceof KubernetesTarget);
  assert.throws(() => createTarget({ driverType: 'humanitec/echo', dataDir: '/tmp/d' }), InvalidInput);
  assert.throws(() => createTarget({ driverType: 'baton/gitops', values: { url: 42 }, dataDir: '/tmp/d', ageKey }), InvalidInput);
});
