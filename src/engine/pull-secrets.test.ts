/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read deep into rendered Kubernetes JSON */
/**
 * The engine's use of the org's registries (src/engine/workloads.ts `withPullSecrets`): one pull Secret per registry
 * and namespace whatever the number of workloads using it, the workloads' pods naming it, and every form of the
 * credentials listed for masking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWorkload } from '../profiles/index.js';
import type { PullRegistry } from '../profiles/index.js';
import { TEST_HASHER } from '../profiles/testing.js';
import type { RenderedWorkload } from './workloads.js';
import { withPullSecrets } from './workloads.js';

const PASSWORD = 'pw-engine-5a4b3c2d1e';
const registries: PullRegistry[] = [
  { id: 'acme', registry: 'registry.acme.test/team', type: 'basic', creds: { username: 'robot', password: PASSWORD } },
  { id: 'ecr', registry: '123.dkr.ecr.eu-west-1.amazonaws.com', type: 'amazon_ecr', creds: { username: 'AKIA', password: 'aws-secret-key-1' } },
];
const context = { orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev', hasher: TEST_HASHER };

async function workload(id: string, image: string): Promise<RenderedWorkload> {
  const objects = await renderWorkload({ workloadId: id, module: { spec: { containers: { main: { image } } } }, context: { ...context, deploymentId: 'd-1' } });
  return { workloadId: id, when: 'deploy', success: 'deploy', objects };
}

describe('withPullSecrets', () => {
  it('renders one Secret per registry for all the workloads using it, names it in their pods, and lists the credentials for masking', async () => {
    const rendered = [await workload('api', 'registry.acme.test/team/api:1'), await workload('web', 'registry.acme.test/team/web:1'), await workload('docs', 'nginx:1.27')];
    const out = withPullSecrets(rendered, registries, context);
    assert.deepEqual(out.secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['shop-dev/baton-registry-acme']);
    const pullSecretsOf = (w: RenderedWorkload): unknown => (w.objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.imagePullSecrets;
    assert.deepEqual(out.rendered.map(pullSecretsOf), [[{ name: 'baton-registry-acme' }], [{ name: 'baton-registry-acme' }], undefined]);
    assert.equal(out.rendered[2], rendered[2], 'a workload without a private image is passed on as it is');
    assert.ok(out.sensitive.includes(PASSWORD));
    const encoded = (out.secrets[0] as any).data['.dockerconfigjson'] as string;
    assert.ok(out.sensitive.includes(encoded), 'the Secret data as written is masked too');
    assert.ok(out.sensitive.includes(Buffer.from(`robot:${PASSWORD}`).toString('base64')));
    assert.deepEqual(out.warnings, []);
  });

  it('renders nothing without registries, and warns for images under an amazon_ecr registry without naming its keys', async () => {
    const rendered = [await workload('api', '123.dkr.ecr.eu-west-1.amazonaws.com/api:1')];
    assert.deepEqual(withPullSecrets(rendered, [], context).secrets, []);
    const out = withPullSecrets(rendered, registries, context);
    assert.deepEqual(out.secrets, []);
    assert.equal(out.warnings.length, 1);
    assert.match(out.warnings[0]!, /workload "api": image "123\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/api:1" is under registry "ecr" of type amazon_ecr/);
    assert.ok(!out.warnings[0]!.includes('aws-secret-key-1'));
  });
});
