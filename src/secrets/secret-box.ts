import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidInput } from '../shared/errors.js';

/**
 * Envelope encryption for secrets at rest.
 *
 * Every sealed value gets its own random data key (DEK). The DEK encrypts the value with AES-256-GCM,
 * and the key-encryption key (KEK) wraps the DEK, also with AES-256-GCM. Rotating the KEK therefore
 * only means re-wrapping DEKs, never re-encrypting payloads. The associated data (AAD) binds a sealed
 * value to where it belongs (e.g. `org/app/env/resource/name`): a ciphertext copied to another row fails
 * to open instead of silently revealing another object's secret.
 *
 * Sealed format (ASCII, safe in a text column): `v1.<kid>.<wrapped DEK>.<payload>` where both binary
 * parts are base64url of `iv(12) ‖ tag(16) ‖ ciphertext`.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretDecryptionFailed extends InvalidInput {}

export interface SecretKey {
  /** Short, non-secret identifier of the KEK, stored with each value so old keys can still open it. */
  id: string;
  material: Buffer;
}

export function secretKeyFromBytes(material: Buffer): SecretKey {
  if (material.length !== 32) {
    throw new InvalidInput(`a secret key must be 32 bytes (got ${material.length})`, { field: 'BATON_SECRET_KEY' });
  }
  const id = createHash('sha256').update(material).digest('hex').slice(0, 8);
  return { id, material };
}

/** Accepts 32 bytes as 64 hex characters or as base64/base64url (44/43 characters). */
export function parseSecretKey(text: string): SecretKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    throw new InvalidInput('BATON_SECRET_KEY must be 32 bytes, written as 64 hex characters or base64', {
      field: 'BATON_SECRET_KEY',
    });
  }
  return secretKeyFromBytes(bytes);
}

export function generateSecretKeyText(): string {
  return randomBytes(32).toString('base64');
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

function gcmDecrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = sealed.subarray(IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export class SecretBox {
  private readonly current: SecretKey;
  private readonly byId: Map<string, SecretKey>;

  /** `current` seals new values; `previous` keys can still open values sealed before a rotation. */
  constructor(current: SecretKey, previous: readonly SecretKey[] = []) {
    this.current = current;
    this.byId = new Map([...previous, current].map((key) => [key.id, key]));
  }

  /** Seals any JSON value. */
  seal(value: unknown, aad: string): string {
    const dek = randomBytes(32);
    const aadBytes = Buffer.from(aad, 'utf8');
    const wrapped = gcmEncrypt(this.current.material, dek, aadBytes);
    const payload = gcmEncrypt(dek, Buffer.from(JSON.stringify(value ?? null), 'utf8'), aadBytes);
    return [VERSION, this.current.id, wrapped.toString('base64url'), payload.toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): unknown {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new SecretDecryptionFailed('sealed secret has an unknown format');
    }
    const [, keyId, wrapped, payload] = parts as [string, string, string, string];
    const key = this.byId.get(keyId);
    if (!key) {
      throw new SecretDecryptionFailed(`sealed secret uses key "${keyId}", which this Baton does not have`, { keyId });
    }
    const aadBytes = Buffer.from(aad, 'utf8');
    try {
      const dek = gcmDecrypt(key.material, Buffer.from(wrapped, 'base64url'), aadBytes);
      const plaintext = gcmDecrypt(dek, Buffer.from(payload, 'base64url'), aadBytes);
      return JSON.parse(plaintext.toString('utf8')) as unknown;
    } catch (error) {
      throw new SecretDecryptionFailed('sealed secret could not be opened: wrong key or it belongs elsewhere', {}, {
        cause: error,
      });
    }
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(`${VERSION}.`) && value.split('.').length === 4;
  }
}
