import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deriveTokenHashKey } from '../org/tokens.js';
import { deriveManifestHashKey, MANIFEST_HASH_KEY_LABEL } from './derived-keys.js';

test('the manifest hash key is HKDF-SHA-256 of the secret key under its own purpose label, never the secret key itself', () => {
  const secretKey = randomBytes(32);
  const derived = deriveManifestHashKey(secretKey);
  assert.equal(derived.length, 32);
  assert.ok(!derived.equals(secretKey));
  assert.ok(derived.equals(deriveManifestHashKey(Buffer.from(secretKey))), 'the same secret key gives the same key (every replica hashes alike)');
  assert.ok(!derived.equals(deriveManifestHashKey(randomBytes(32))));
  assert.ok(!derived.equals(deriveTokenHashKey(secretKey)), 'another purpose, another key');
  assert.equal(MANIFEST_HASH_KEY_LABEL, 'baton/manifest-hash/v1');
  // RFC 5869 with an empty salt, one block: PRK = HMAC(0^32, IKM); OKM = HMAC(PRK, info ‖ 0x01).
  const prk = createHmac('sha256', Buffer.alloc(32)).update(secretKey).digest();
  const okm = createHmac('sha256', prk).update(Buffer.concat([Buffer.from(MANIFEST_HASH_KEY_LABEL), Buffer.from([1])])).digest();
  assert.ok(derived.equals(okm));
});
