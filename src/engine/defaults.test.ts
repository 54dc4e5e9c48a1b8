import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAgeIdentity } from '../secrets/age.js';
import { PLAINTEXT_WARNING } from '../targets/index.js';
import type { K8sObject } from '../targets/index.js';
import { createTargetResolver } from './defaults.js';

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop-dev' }, stringData: { password: 'resolver-t3st-passw0rd' } } as K8sObject;
const request = { deploymentId: 'd1', orgId: 'acme', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [secret] };

test('the cluster\'s secrets setting reaches the file target, also when a non-target cluster driver names the target', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-resolver-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const resolve = createTargetResolver(dataDir, {}, { ageKey: generateAgeIdentity() });

  // No setting: the embedded repository, Secrets SOPS-encrypted.
  const embedded = resolve({ driverType: 'humanitec/echo', values: {}, secrets: {} });
  assert.equal((await embedded.apply(request)).warnings, undefined);
  const file = readFileSync(join(dataDir, 'gitops', 'shop', 'dev', 'secret-shop-dev-db.yaml'), 'utf8');
  assert.ok(!file.includes('resolver-t3st-passw0rd'));
  assert.match(file, /ENC\[AES256_GCM,/);

  // An echo cluster that names a directory target and plaintext: the setting is not dropped with the other values.
  const plain = resolve({ driverType: 'humanitec/echo', values: { target: 'baton/directory', secrets: { mode: 'plaintext' } }, secrets: {} });
  assert.deepEqual((await plain.apply(request)).warnings, [PLAINTEXT_WARNING]);
  assert.notEqual(plain, embedded);
  // The same configuration gives the same (cached) target: a gitops work tree has one writer.
  assert.equal(resolve({ driverType: 'humanitec/echo', values: { target: 'baton/directory', secrets: { mode: 'plaintext' } }, secrets: {} }), plain);
});
