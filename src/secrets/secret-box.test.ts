import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, SecretDecryptionFailed, generateSecretKeyText, parseSecretKey } from './secret-box.js';
import { loadOrCreateSecretKey } from './key-file.js';

const key = parseSecretKey(generateSecretKeyText());

test('a sealed value opens with the same key and AAD and does not contain the plaintext', () => {
  const box = new SecretBox(key);
  const sealed = box.seal({ password: 'hunter2-very-secret' }, 'org/app/env/db/password');
  assert.ok(!sealed.includes('hunter2'));
  assert.ok(!Buffer.from(sealed).toString('base64').includes(Buffer.from('hunter2').toString('base64')));
  assert.deepEqual(box.open(sealed, 'org/app/env/db/password'), { password: 'hunter2-very-secret' });
  assert.ok(SecretBox.isSealed(sealed));
});

test('sealing the same value twice gives different ciphertexts', () => {
  const box = new SecretBox(key);
  assert.notEqual(box.seal('x', 'a'), box.seal('x', 'a'));
});

test('a sealed value moved to another place (different AAD) does not open', () => {
  const box = new SecretBox(key);
  const sealed = box.seal('s3cr3t', 'org/app/env/a');
  assert.throws(() => box.open(sealed, 'org/app/env/b'), SecretDecryptionFailed);
});

test('a tampered ciphertext does not open', () => {
  const box = new SecretBox(key);
  const sealed = box.seal('s3cr3t', 'aad');
  const parts = sealed.split('.');
  const payload = Buffer.from(parts[3]!, 'base64url');
  payload[payload.length - 1] = payload[payload.length - 1]! ^ 1;
  parts[3] = payload.toString('base64url');
  assert.throws(() => box.open(parts.join('.'), 'aad'), SecretDecryptionFailed);
});

test('after a key rotation, values sealed with the previous key still open', () => {
  const oldBox = new SecretBox(key);
  const sealed = oldBox.seal(42, 'aad');
  const rotated = new SecretBox(parseSecretKey(generateSecretKeyText()), [key]);
  assert.equal(rotated.open(sealed, 'aad'), 42);
  const withoutOld = new SecretBox(parseSecretKey(generateSecretKeyText()));
  assert.throws(() => withoutOld.open(sealed, 'aad'), /which this Baton does not have/);
});

test('a key in hex or base64 is accepted; a short key is refused naming the variable', () => {
  assert.equal(parseSecretKey('ab'.repeat(32)).material.length, 32);
  assert.throws(() => parseSecretKey('c2hvcnQ='), /BATON_SECRET_KEY must be 32 bytes/);
});

test('the key file is created once with mode 0600 and reused on the next start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-secrets-'));
  const first = loadOrCreateSecretKey({ dataDir });
  const second = loadOrCreateSecretKey({ dataDir });
  assert.equal(first.id, second.id);
  assert.equal(statSync(join(dataDir, 'secret.key')).mode & 0o777, 0o600);
  assert.ok(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim().length > 0);
  const fromEnv = loadOrCreateSecretKey({ dataDir, secretKey: 'cd'.repeat(32) });
  assert.notEqual(fromEnv.id, first.id);
});
