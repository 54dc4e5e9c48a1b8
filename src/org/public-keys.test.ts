import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseRsaPublicKey } from './public-keys.js';

describe('org public keys', () => {
  const rsa4096 = generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey;
  const pem = rsa4096.export({ type: 'spki', format: 'pem' }).toString();

  it('accepts an RSA key of 4096 bits, in PEM or as the single line with literal \\n, with the SHA-256 of its DER as fingerprint', () => {
    const expected = createHash('sha256').update(rsa4096.export({ type: 'spki', format: 'der' })).digest('hex');
    assert.deepEqual(parseRsaPublicKey(pem), { pem, fingerprint: expected });
    assert.equal(parseRsaPublicKey(pem.trim().replace(/\n/g, '\\n')).fingerprint, expected);
  });

  it('refuses a shorter RSA key, another key type, a private key and garbage', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => parseRsaPublicKey(short), /at least 4096 bits \(got rsa, 2048 bits\)/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => parseRsaPublicKey(ec), /RSA key/);
    assert.throws(() => parseRsaPublicKey('-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----'), /not a readable PEM/);
    assert.throws(() => parseRsaPublicKey('hello'), /must be a PEM public key/);
    assert.throws(() => parseRsaPublicKey('x'.repeat(20_000)), /longer than/);
  });
});
