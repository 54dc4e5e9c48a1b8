import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateAgeIdentity } from '../secrets/age.js';
import { sopsDecryptText } from '../secrets/sops.js';
import { InvalidInput } from '../shared/errors.js';
import { DirectoryTarget } from './directory.js';
import { GitOpsTarget } from './gitops.js';
import { createTarget } from './index.js';
import { PLAINTEXT_WARNING, createSecretsPolicy, parseSecretsConfig } from './secrets.js';
import type { ApplyRequest, K8sObject } from './types.js';
import { InTestSecretStore } from '../../test/helpers/in-test-secret-store.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-target-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PASSWORD = 'gener4ted-DB-passw0rd-xyz';
const TOKEN = 'workload-api-t0ken-abc';

function objects(password = PASSWORD, deploymentId = 'd1'): K8sObject[] {
  const annotations = { 'baton.dev/deployment': deploymentId, 'baton.dev/content-hash': `hash-of-${password}` };
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop-dev', annotations }, type: 'Opaque', stringData: { password } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web', namespace: 'shop-dev', labels: { app: 'web' } }, type: 'Opaque', data: { TOKEN: Buffer.from(TOKEN).toString('base64') } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop-dev' }, data: { GREETING: 'hello' } },
  ];
}

function request(deploymentId: string, list: K8sObject[], orgId = 'acme'): ApplyRequest {
  return { deploymentId, orgId, appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: list };
}

function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

function assertNoClearSecret(text: string): void {
  for (const value of [PASSWORD, TOKEN, 'rotated-passw0rd-123']) {
    assert.ok(!text.includes(value), `clear value found`);
    assert.ok(!text.includes(Buffer.from(value).toString('base64')), `base64 value found`);
  }
}

test('sops mode (the default): Secrets are SOPS files to Baton\'s key and the configured recipients, the rest stays plain', async (t) => {
  const root = tempDir(t);
  const baton = generateAgeIdentity();
  const operator = generateAgeIdentity();
  const target = createTarget({ driverType: 'baton/directory', values: { root, secrets: { age_recipients: [operator.recipient] } }, dataDir: root, ageKey: baton });
  const first = await target.apply(request('d1', objects()));
  assert.deepEqual(first.changed, ['ConfigMap/shop-dev/web', 'Namespace/shop-dev', 'Secret/shop-dev/db', 'Secret/shop-dev/web']);
  assert.equal(first.warnings, undefined);
  const dir = join(root, 'shop', 'dev');
  assertNoClearSecret(allText(dir));
  const dbFile = readFileSync(join(dir, 'secret-shop-dev-db.yaml'), 'utf8');
  const parsed = parse(dbFile) as { sops: { age: { recipient: string }[]; encrypted_regex: string }; metadata: { annotations: Record<string, string> } };
  assert.deepEqual(parsed.sops.age.map((a) => a.recipient), [baton.recipient, operator.recipient]);
  assert.equal(parsed.sops.encrypted_regex, '^(data|stringData)$');
  assert.equal(parsed.metadata.annotations['baton.dev/content-hash'], undefined, 'no unkeyed hash of the values in clear');
  // The operator's key alone opens it (what Flux holds), values and MAC verified.
  assert.deepEqual((sopsDecryptText(dbFile, [operator.identity]).tree as { stringData: unknown }).stringData, { password: PASSWORD });
  const web = sopsDecryptText(readFileSync(join(dir, 'secret-shop-dev-web.yaml'), 'utf8'), [operator.identity]).tree as { data: Record<string, string> };
  assert.equal(Buffer.from(web.data.TOKEN as string, 'base64').toString(), TOKEN);
  assert.match(readFileSync(join(dir, 'configmap-shop-dev-web.yaml'), 'utf8'), /GREETING: hello/);

  // What Baton reads back (plans, staged rollouts) is the decrypted Secret.
  const last = await target.lastApplied('shop', 'dev');
  const db = last.find((o) => o.kind === 'Secret' && o.metadata.name === 'db') as K8sObject & { stringData: unknown };
  assert.deepEqual(db.stringData, { password: PASSWORD });

  // Unchanged content (a later deployment): every file stays byte for byte.
  const before = allText(dir);
  const second = await target.apply(request('d2', objects(PASSWORD, 'd2')));
  assert.deepEqual(second.changed, []);
  assert.equal(allText(dir), before);
  // Re-applying what lastApplied returned (a staged rollout keeps a workload's previous objects) changes nothing either.
  assert.deepEqual((await target.apply(request('d3', last))).changed, []);

  // A rotated value rewrites that Secret only.
  const third = await target.apply(request('d4', objects('rotated-passw0rd-123', 'd4')));
  assert.deepEqual(third.changed, ['Secret/shop-dev/db']);
  assertNoClearSecret(allText(dir));
  assert.deepEqual((sopsDecryptText(readFileSync(join(dir, 'secret-shop-dev-db.yaml'), 'utf8'), [baton.identity]).tree as { stringData: unknown }).stringData, { password: 'rotated-passw0rd-123' });

  // Another recipient list re-encrypts every Secret (the new recipient can open them), other files stay.
  const other = generateAgeIdentity();
  const rekeyed = createTarget({ driverType: 'baton/directory', values: { root, secrets: { mode: 'sops', age_recipients: [other.recipient] } }, dataDir: root, ageKey: baton });
  assert.deepEqual((await rekeyed.apply(request('d5', objects('rotated-passw0rd-123', 'd5')))).changed, ['Secret/shop-dev/db', 'Secret/shop-dev/web']);
  sopsDecryptText(readFileSync(join(dir, 'secret-shop-dev-web.yaml'), 'utf8'), [other.identity]);
  assert.throws(() => sopsDecryptText(readFileSync(join(dir, 'secret-shop-dev-web.yaml'), 'utf8'), [operator.identity]), /none of the age identities/);
});

test('gitops in sops mode: a redeploy of unchanged Secrets makes no commit; a changed one makes one, and no history holds a clear value', async (t) => {
  const workdir = tempDir(t);
  const key = generateAgeIdentity();
  const target = new GitOpsTarget({ workdir, secrets: createSecretsPolicy(parseSecretsConfig(undefined), { ageKey: key }) });
  const first = await target.apply(request('d1', objects()));
  const second = await target.apply(request('d2', objects(PASSWORD, 'd2')));
  assert.equal(second.revision, first.revision, 'no commit for unchanged secrets');
  assert.deepEqual(second.changed, []);
  const third = await target.apply(request('d3', objects('rotated-passw0rd-123', 'd3')));
  assert.notEqual(third.revision, first.revision);
  const count = execFileSync('git', ['-C', workdir, 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim();
  assert.equal(count, '2');
  assertNoClearSecret(execFileSync('git', ['-C', workdir, 'log', '-p', '--all'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
});

test('a file target without a secrets policy refuses a Secret rather than writing it in clear', async (t) => {
  const root = tempDir(t);
  await assert.rejects(new DirectoryTarget(root).apply(request('d1', objects())), (error: Error) => error instanceof InvalidInput && !error.message.includes(PASSWORD));
  assert.deepEqual(readdirSync(root), []);
});

test('plaintext mode only when set explicitly, and then every apply warns', async (t) => {
  const root = tempDir(t);
  const target = createTarget({ driverType: 'baton/directory', values: { root, secrets: { mode: 'plaintext' } }, dataDir: root });
  const first = await target.apply(request('d1', objects()));
  assert.deepEqual(first.warnings, [PLAINTEXT_WARNING]);
  assert.ok(allText(join(root, 'shop', 'dev')).includes(PASSWORD));
  assert.deepEqual((await target.apply(request('d2', objects(PASSWORD, 'd2')))).warnings, [PLAINTEXT_WARNING], 'unchanged deployments warn as well');
  // Without the setting, no age key means no target: sops is the default and never falls back to plaintext.
  assert.throws(() => createTarget({ driverType: 'baton/directory', values: { root }, dataDir: root }), /age key/);
});

test('external-secrets mode: ExternalSecrets that reference the SecretStore, values pushed to the org\'s store only when they change', async (t) => {
  const root = tempDir(t);
  const store = new InTestSecretStore('vault');
  const asked: [string, string | undefined][] = [];
  const target = createTarget({
    driverType: 'baton/directory',
    values: { root, secrets: { mode: 'external-secrets', secret_store: 'vault-backend', secret_store_kind: 'ClusterSecretStore', store: 'vault' } },
    dataDir: root,
    secretStores: (orgId, storeId) => {
      asked.push([orgId, storeId]);
      return Promise.resolve(store);
    },
  });
  const first = await target.apply(request('d1', objects()));
  assert.deepEqual(asked[0], ['acme', 'vault']);
  assert.deepEqual(first.changed, ['ConfigMap/shop-dev/web', 'ExternalSecret.external-secrets.io/shop-dev/db', 'ExternalSecret.external-secrets.io/shop-dev/web', 'Namespace/shop-dev']);
  const dir = join(root, 'shop', 'dev');
  assertNoClearSecret(allText(dir));
  assert.ok(!readdirSync(dir).some((f) => f.startsWith('secret-')));
  const external = parse(readFileSync(join(dir, 'externalsecret-shop-dev-web.yaml'), 'utf8')) as { apiVersion: string; spec: Record<string, unknown> };
  assert.equal(external.apiVersion, 'external-secrets.io/v1beta1');
  assert.deepEqual(external.spec.secretStoreRef, { name: 'vault-backend', kind: 'ClusterSecretStore' });
  assert.deepEqual(external.spec.target, { name: 'web', creationPolicy: 'Owner', template: { type: 'Opaque', metadata: { labels: { app: 'web' } } } });
  assert.deepEqual(external.spec.data, [{ secretKey: 'TOKEN', remoteRef: { key: 'baton/shop/dev/shop-dev/web/TOKEN', decodingStrategy: 'Base64' } }]);
  assert.equal(store.values.get('baton/shop/dev/shop-dev/db/password'), PASSWORD);
  assert.equal(Buffer.from(store.values.get('baton/shop/dev/shop-dev/web/TOKEN') as string, 'base64').toString(), TOKEN);
  assert.equal(store.writes, 2);

  const again = await target.apply(request('d2', objects(PASSWORD, 'd2')));
  assert.deepEqual(again.changed, []);
  assert.equal(store.writes, 2, 'unchanged values are not written again');
  await target.apply(request('d3', objects('rotated-passw0rd-123', 'd3')));
  assert.equal(store.writes, 3);
  assert.equal(store.values.get('baton/shop/dev/shop-dev/db/password'), 'rotated-passw0rd-123');
  assertNoClearSecret(allText(dir));
});

test('the secrets setting is validated: unknown modes, bad recipients, a missing SecretStore name', () => {
  assert.deepEqual(parseSecretsConfig(undefined), { mode: 'sops', ageRecipients: [] });
  const { recipient } = generateAgeIdentity();
  assert.deepEqual(parseSecretsConfig({ age_recipients: `${recipient}, ${recipient}` }), { mode: 'sops', ageRecipients: [recipient] });
  assert.throws(() => parseSecretsConfig({ mode: 'clear' }), InvalidInput);
  assert.throws(() => parseSecretsConfig({ age_recipients: ['age1notakey'] }), /age recipients/);
  assert.throws(() => parseSecretsConfig({ mode: 'external-secrets' }), /secret_store/);
  assert.throws(() => parseSecretsConfig({ mode: 'external-secrets', secret_store: 'x', secret_store_kind: 'Other' }), /secret_store_kind/);
  assert.throws(() => parseSecretsConfig('sops'), InvalidInput);
  assert.throws(() => createTarget({ driverType: 'baton/directory', values: { secrets: { mode: 'external-secrets', secret_store: 's' } }, dataDir: '/tmp/x' }), /secret stores/);
});
