import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { renderWorkload } from './index.js';
import type { InjectedManifest, ResolvedObject } from './index.js';
import { TEST_HASHER, validateK8sObject, withSecrets } from './testing.js';

const dir = join(import.meta.dirname, 'fixtures', 'golden');
const context = { orgId: 'acme', appId: 'shop', envId: 'development', deploymentId: 'deploy-0001', namespace: 'shop-development', hasher: TEST_HASHER };

interface GoldenInput {
  workloadId: string;
  module: { profile?: string; spec: unknown };
  manifests?: InjectedManifest[];
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.input.json'))
  .map((f) => f.replace('.input.json', ''));

test('there are at least three default-module golden cases', () => {
  assert.ok(cases.length >= 3, `found ${cases.length}`);
});

for (const name of cases) {
  test(`default-module output for ${name} matches its golden file and the Kubernetes schemas`, async () => {
    const input = JSON.parse(readFileSync(join(dir, `${name}.input.json`), 'utf8')) as GoldenInput;
    const objects = await renderWorkload({
      workloadId: input.workloadId,
      module: { ...(input.module.profile ? { profile: input.module.profile } : {}), spec: withSecrets(input.module.spec) as ResolvedObject },
      context,
      manifests: input.manifests ?? [],
    });
    for (const object of objects) validateK8sObject(object);
    const rendered = objects.map((o) => stringify(o, { sortMapEntries: true })).join('---\n');
    const goldenPath = join(dir, `${name}.expected.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, rendered);
    const golden = parseAllDocuments(readFileSync(goldenPath, 'utf8')).map((d) => d.toJS() as unknown);
    assert.deepEqual(JSON.parse(JSON.stringify(objects)), golden);
  });
}
