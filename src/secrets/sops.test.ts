import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateAgeIdentity, parseAgeKeyFile } from './age.js';
import { SopsError, isSopsDocument, sopsAgeRecipients, sopsDecryptText, sopsEncrypt, sopsYaml } from './sops.js';

// Real `sops` output (see test/fixtures/sops/SOURCES.md) and the SOPS project's published test identity.
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sops');
const sopsTestIdentities = parseAgeKeyFile(readFileSync(join(fixtures, 'age-keys.txt'), 'utf8'));

test('a YAML file encrypted by the real sops tool decrypts with its age test key, MAC verified', () => {
  const { tree, recipients } = sopsDecryptText(readFileSync(join(fixtures, 'example.yaml'), 'utf8'), sopsTestIdentities);
  assert.ok(recipients.includes('age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw'));
  assert.equal(tree.myapp1, 't00m4nys3cr3tzupdated');
  assert.deepEqual((tree.app2 as { db: unknown }).db, { user: 'eve', password: 'c4r1b0u' });
  assert.match((tree.app2 as { key: string }).key, /^-----BEGIN RSA PRIVATE KEY-----/);
  assert.equal(tree.number, 1234568000); // type:float
  assert.deepEqual((tree.this as { is: { a: { nested: unknown } } }).is.a.nested, { value: 'with something secret in it' });
  assert.deepEqual(tree.somebooleans, [true, false]);
  assert.deepEqual(tree.somelist_unencrypted, ['all elements of this list', 'remain in clear text', 'because of the _encrypted suffix in the key']);
  assert.ok(!('sops' in tree));
});

test('a JSON file encrypted by the real sops tool decrypts (float type, nested lists, empty value)', () => {
  const { tree } = sopsDecryptText(readFileSync(join(fixtures, 'example.json'), 'utf8'), sopsTestIdentities);
  assert.equal(tree.firstName, 'John');
  assert.equal(tree.lastName, 'Smith');
  assert.equal(tree.age, 25.4); // type:float
  assert.deepEqual(tree.address, { city: 'New York', postalCode: '10021-3100', state: 'NY', streetAddress: '21 2nd Street' });
  assert.equal(tree.anEmptyValue, '');
  assert.equal((tree.phoneNumbers as unknown[]).length, 2);
});

test('a sops fixture with one value changed fails the MAC; one with a value swapped fails decryption', () => {
  const text = readFileSync(join(fixtures, 'example.yaml'), 'utf8');
  // An unencrypted value is covered by the MAC only.
  const edited = text.replace('remain in clear text', 'remain in clear text!');
  assert.notEqual(edited, text);
  assert.throws(() => sopsDecryptText(edited, sopsTestIdentities), /MAC does not match/);
  // An encrypted value moved to another key fails its additional data (the key path).
  const lines = text.split('\n');
  const myapp1 = lines.findIndex((l) => l.startsWith('myapp1: '));
  const user = lines.findIndex((l) => l.trim().startsWith('user: ENC['));
  const swapped = [...lines];
  swapped[myapp1] = `myapp1: ${(lines[user] as string).trim().slice('user: '.length)}`;
  assert.throws(() => sopsDecryptText(swapped.join('\n'), sopsTestIdentities), SopsError);
  assert.throws(() => sopsDecryptText(text, [generateAgeIdentity().identity]), /none of the age identities/);
});

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop-dev', labels: { app: 'shop' } },
  type: 'Opaque',
  stringData: { password: 'Sup3r-S3cret-Passw0rd', port: '5432', empty: '' },
  data: { token: Buffer.from('t0ken-value-123').toString('base64') },
};

test('a Kubernetes Secret encrypts data and stringData only, for every recipient, and round-trips through YAML', () => {
  const a = generateAgeIdentity();
  const b = generateAgeIdentity();
  const encrypted = sopsEncrypt(secret, { recipients: [a.recipient, b.recipient], now: new Date('2026-01-02T03:04:05.678Z') });
  assert.ok(isSopsDocument(encrypted));
  assert.deepEqual(sopsAgeRecipients(encrypted), [a.recipient, b.recipient]);
  assert.equal(encrypted.sops.lastmodified, '2026-01-02T03:04:05Z');
  assert.equal(encrypted.sops.encrypted_regex, '^(data|stringData)$');
  assert.deepEqual(encrypted.metadata, secret.metadata);
  const stringData = encrypted.stringData as Record<string, string>;
  assert.match(stringData.password as string, /^ENC\[AES256_GCM,data:[^,]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/);
  assert.equal(stringData.empty, '');
  const text = sopsYaml(encrypted);
  assert.match(text, /^ {2}lastmodified: "2026-01-02T03:04:05Z"$/m, 'quoted as sops writes it');
  assert.match(text, /^sops:\n/m);
  assert.ok(!text.includes('Sup3r-S3cret'));
  assert.ok(!text.includes(secret.data.token));
  assert.ok(Object.keys(encrypted).at(-1) === 'sops');
  for (const identity of [a.identity, b.identity]) {
    assert.deepEqual(sopsDecryptText(text, [identity]).tree, secret);
  }
  // JSON works as well (same MAC order).
  assert.deepEqual(sopsDecryptText(JSON.stringify(encrypted), [a.identity]).tree, secret);
});

test('two encryptions of the same content differ (fresh data key and IVs), values stay bound to their paths', () => {
  const { recipient, identity } = generateAgeIdentity();
  const one = sopsEncrypt(secret, { recipients: [recipient] });
  const two = sopsEncrypt(secret, { recipients: [recipient] });
  assert.notEqual((one.stringData as Record<string, string>).password, (two.stringData as Record<string, string>).password);
  const moved = structuredClone(one);
  (moved.stringData as Record<string, string>).port = (one.stringData as Record<string, string>).password as string;
  assert.throws(() => sopsDecryptText(stringify(moved), [identity]), /failed to decrypt/);
  assert.throws(() => sopsEncrypt(secret, { recipients: [] }), SopsError);
  assert.throws(() => sopsEncrypt({ ...secret, sops: {} }, { recipients: [recipient] }), /already has/);
});
