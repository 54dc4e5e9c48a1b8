import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderWorkload } from '../profiles/index.js';
import { TEST_HASHER } from '../profiles/testing.js';
import { diffObjects, unifiedDiff } from './diff.js';
import type { K8sObject } from './types.js';

async function web(image: string, deploymentId: string, extra: Record<string, unknown> = {}): Promise<K8sObject[]> {
  return renderWorkload({
    workloadId: 'web',
    module: { spec: { containers: { main: { image } }, ...extra } },
    context: { orgId: 'o', appId: 'a', envId: 'e', deploymentId, namespace: 'a-e', hasher: TEST_HASHER },
  });
}

test('diffObjects reports added, changed (with a unified diff) and removed objects, ignoring the deployment id', async () => {
  const before = await web('nginx:1', 'd1', { service: { ports: { http: { service_port: 80 } } } });
  const after = [...(await web('nginx:2', 'd2')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'a-e' } }];
  const diff = diffObjects(before, after);
  assert.deepEqual(diff.added.map((d) => d.key), ['ConfigMap/a-e/extra']);
  assert.deepEqual(diff.removed.map((d) => d.key), ['Service/a-e/web']);
  assert.deepEqual(diff.changed.map((d) => d.key), ['Deployment.apps/a-e/web']);
  const text = diff.changed[0]!.diff;
  assert.match(text, /^--- a\/Deployment\.apps\/a-e\/web\n\+\+\+ b\/Deployment\.apps\/a-e\/web\n@@ /);
  assert.match(text, /\n-[ -]+image: nginx:1\n\+[ -]+image: nginx:2\n/);
  assert.ok(!text.includes('baton.dev/deployment'), 'the deployment id is not a change');

  const same = diffObjects(await web('nginx:1', 'd1'), await web('nginx:1', 'd9'));
  assert.deepEqual(same.changed, []);
  assert.deepEqual(same.unchanged, ['Deployment.apps/a-e/web']);
});

test('unifiedDiff produces hunks with correct line numbers and context', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
  const b = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11'].join('\n') + '\n';
  assert.equal(
    unifiedDiff(a, b, 'x', 1),
    ['--- a/x', '+++ b/x', '@@ -4,3 +4,3 @@', ' 4', '-5', '+five', ' 6', '@@ -10,1 +10,2 @@', ' 10', '+11', ''].join('\n'),
  );
});
