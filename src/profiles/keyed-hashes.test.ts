/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read deep into rendered Kubernetes JSON */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { KeyedHasher } from '../shared/keyed-hash.js';
import { CONTENT_HASH_ANNOTATION, SecretString, renderWorkload } from './index.js';
import { CONFIG_HASH_ANNOTATION } from './metadata.js';
import type { K8sObject } from './index.js';
import { TEST_HASHER } from './testing.js';

const OTHER_HASHER = new KeyedHasher(Buffer.alloc(32, 0x17));
const PASSWORD = 'hunter2-correct-horse';

async function render(password: string, hasher: KeyedHasher = TEST_HASHER, profile?: string): Promise<K8sObject[]> {
  return renderWorkload({
    workloadId: 'web',
    module: {
      ...(profile ? { profile } : {}),
      spec: { containers: { main: { image: 'nginx:1', variables: { DB_PASSWORD: new SecretString(password) }, files: { '/etc/app.conf': { value: 'plain: 1' } } } } },
    },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd-1', namespace: 'shop-dev', hasher },
  });
}

function configHash(objects: K8sObject[]): string {
  const workload = objects.find((o) => o.kind === 'Deployment' || o.kind === 'Job' || o.kind === 'StatefulSet') as any;
  const hash = workload?.spec?.template?.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] as string | undefined;
  assert.ok(hash, 'the pod template has a config hash');
  return hash;
}

function secretObject(objects: K8sObject[]): K8sObject {
  const secret = objects.find((o) => o.kind === 'Secret');
  assert.ok(secret);
  return secret;
}

test('the config hash changes when a secret value changes, so the pods still roll', async () => {
  assert.notEqual(configHash(await render(PASSWORD)), configHash(await render(`${PASSWORD}!`)));
  assert.notEqual(secretObject(await render(PASSWORD)).metadata.annotations?.[CONTENT_HASH_ANNOTATION], secretObject(await render(`${PASSWORD}!`)).metadata.annotations?.[CONTENT_HASH_ANNOTATION]);
});

test('config and content hashes are stable for the same key and content', async () => {
  const first = await render(PASSWORD);
  const again = await render(PASSWORD, new KeyedHasher(Buffer.alloc(32, 0x42)));
  assert.equal(configHash(first), configHash(again));
  assert.deepEqual(
    first.map((o) => o.metadata.annotations?.[CONTENT_HASH_ANNOTATION]),
    again.map((o) => o.metadata.annotations?.[CONTENT_HASH_ANNOTATION]),
  );
});

test('two keys give different config and content hashes for the same content', async () => {
  const one = await render(PASSWORD);
  const other = await render(PASSWORD, OTHER_HASHER);
  assert.notEqual(configHash(one), configHash(other));
  for (const [index, object] of one.entries()) {
    assert.notEqual(object.metadata.annotations?.[CONTENT_HASH_ANNOTATION], other[index]!.metadata.annotations?.[CONTENT_HASH_ANNOTATION], `${object.kind}/${object.metadata.name}`);
  }
});

test('a reader of the manifests cannot confirm a guess of the secret with an unkeyed hash, and the raw secret appears nowhere but in the Secret', async () => {
  for (const profile of ['humanitec/default-module', 'humanitec/default-job', 'baton/statefulset']) {
    const objects = await render(PASSWORD, TEST_HASHER, profile);
    const configObjects = objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret');
    // What the hash used to be: SHA-256 of the generated ConfigMap/Secret, computable from a guessed password.
    const strip = (o: K8sObject): K8sObject => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name }, ...(o.type !== undefined ? { type: o.type } : {}), data: o.data });
    const guess = sha256Hex(canonicalJson(configObjects.map(strip))).slice(0, 16);
    assert.notEqual(configHash(objects), guess, profile);
    const secret = secretObject(objects);
    const { [CONTENT_HASH_ANNOTATION]: secretHash, ...otherAnnotations } = secret.metadata.annotations ?? {};
    assert.notEqual(secretHash, sha256Hex(canonicalJson({ ...secret, metadata: { ...secret.metadata, annotations: { ...otherAnnotations } } })), profile);
    const rest = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    assert.ok(!rest.includes(PASSWORD), profile);
    assert.ok(!rest.includes(Buffer.from(PASSWORD).toString('base64')), profile);
  }
});

test('the hasher in the context never shows its key', () => {
  const key = Buffer.alloc(32, 0x61); // 32 × "a"
  const hasher = new KeyedHasher(key);
  assert.equal(JSON.stringify({ hasher }), '{"hasher":"[keyed hasher]"}');
  assert.ok(!inspect({ hasher }, { depth: 5, showHidden: true }).includes('aaaa'));
  assert.ok(!inspect({ hasher }, { depth: 5, showHidden: true }).includes('61, 61'));
  assert.throws(() => new KeyedHasher(Buffer.alloc(16)), /at least 32 bytes/);
});
