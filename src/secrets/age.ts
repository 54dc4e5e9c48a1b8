/**
 * age v1 (https://age-encryption.org/v1) with X25519 recipients, on node:crypto alone.
 *
 * Hand-written rather than a dependency: the format is small and fully specified, and every primitive it needs
 * (X25519, HKDF-SHA-256, HMAC-SHA-256, ChaCha20-Poly1305) is in node:crypto, so Baton carries no extra package for
 * the few hundred bytes it encrypts (SOPS data keys). Interoperability is tested against the `age` command.
 *
 *   const { identity, recipient } = generateAgeIdentity();
 *   const armored = armorAge(ageEncrypt(plaintext, [recipient]));
 *   const back = ageDecrypt(dearmorAge(armored), [identity]);
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { InvalidInput } from '../shared/errors.js';

const VERSION_LINE = 'age-encryption.org/v1';
const X25519_INFO = 'age-encryption.org/v1/X25519';
const CHUNK = 64 * 1024;
const TAG = 16;
const RECIPIENT_HRP = 'age';
const IDENTITY_HRP = 'age-secret-key-';

/** A key or file that is not valid age, or that none of the identities opens. The message never holds key material. */
export class AgeError extends InvalidInput {}

// ---------------------------------------------------------------------------------------------------------------
// Bech32 (BIP 173), as age encodes its keys.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i] as number;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

function convertBits(data: Uint8Array | number[], from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (const value of data) {
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & max);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max) !== 0) {
    throw new AgeError('invalid bech32 padding');
  }
  return out;
}

function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true);
  const checksumInput = [...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(checksumInput) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`;
}

function bech32Decode(text: string): { hrp: string; data: Buffer } {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) throw new AgeError('mixed-case bech32 string');
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || separator + 7 > lower.length) throw new AgeError('malformed bech32 string');
  const hrp = lower.slice(0, separator);
  const words = [...lower.slice(separator + 1)].map((c) => {
    const index = CHARSET.indexOf(c);
    if (index === -1) throw new AgeError('invalid bech32 character');
    return index;
  });
  if (polymod([...hrpExpand(hrp), ...words]) !== 1) throw new AgeError('invalid bech32 checksum');
  return { hrp, data: Buffer.from(convertBits(words.slice(0, -6), 5, 8, false)) };
}

// ---------------------------------------------------------------------------------------------------------------
// X25519 keys as node KeyObjects (raw 32-byte keys wrapped in their fixed DER prefixes).

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function privateKeyObject(scalar: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(point: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

function rawPublic(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function rawPrivate(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

function parseRecipient(recipient: string): Buffer {
  const { hrp, data } = bech32Decode(recipient.trim());
  if (hrp !== RECIPIENT_HRP || data.length !== 32) throw new AgeError(`"${recipient}" is not an age X25519 recipient`);
  return data;
}

function parseIdentity(identity: string): Buffer {
  let decoded: { hrp: string; data: Buffer };
  try {
    decoded = bech32Decode(identity.trim());
  } catch {
    throw new AgeError('not an age X25519 identity');
  }
  if (decoded.hrp !== IDENTITY_HRP || decoded.data.length !== 32) throw new AgeError('not an age X25519 identity');
  return decoded.data;
}

export function isAgeRecipient(text: string): boolean {
  try {
    parseRecipient(text);
    return true;
  } catch {
    return false;
  }
}

/** A new X25519 identity (`AGE-SECRET-KEY-1…`) and its recipient (`age1…`). */
export function generateAgeIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { identity: bech32Encode(IDENTITY_HRP, rawPrivate(privateKey)).toUpperCase(), recipient: bech32Encode(RECIPIENT_HRP, rawPublic(publicKey)) };
}

/** The recipient (public key) of an identity. */
export function ageRecipientOf(identity: string): string {
  return bech32Encode(RECIPIENT_HRP, rawPublic(createPublicKey(privateKeyObject(parseIdentity(identity)))));
}

/** The identities of an age key file (`# comments` and blank lines skipped), as `age-keygen` writes it. */
export function parseAgeKeyFile(text: string): string[] {
  const identities = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const identity of identities) parseIdentity(identity);
  return identities;
}

// ---------------------------------------------------------------------------------------------------------------
// The format.

const b64 = (data: Buffer): string => data.toString('base64').replace(/=+$/, '');

function unb64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) throw new AgeError('invalid base64 in age header');
  const data = Buffer.from(text, 'base64');
  if (b64(data) !== text) throw new AgeError('non-canonical base64 in age header');
  return data;
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

function seal(key: Buffer, nonce: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function sharedSecret(scalar: Buffer | KeyObject, point: Buffer): Buffer {
  const privateKey = Buffer.isBuffer(scalar) ? privateKeyObject(scalar) : scalar;
  const shared = diffieHellman({ privateKey, publicKey: publicKeyObject(point) });
  if (shared.every((b) => b === 0)) throw new AgeError('X25519 produced the all-zero shared secret');
  return shared;
}

/** A stanza body: base64 in lines of 64 columns, the last one shorter (empty when the body fills whole lines). */
function wrapBody(data: Buffer): string {
  const text = b64(data);
  const lines: string[] = [];
  for (let i = 0; i <= text.length; i += 64) lines.push(text.slice(i, i + 64));
  return lines.join('\n');
}

/** Encrypts `plaintext` to every recipient (`age1…`); the binary age file. */
export function ageEncrypt(plaintext: Buffer | Uint8Array, recipients: readonly string[]): Buffer {
  if (recipients.length === 0) throw new AgeError('age needs at least one recipient');
  const fileKey = randomBytes(16);
  let header = `${VERSION_LINE}\n`;
  for (const recipient of recipients) {
    const point = parseRecipient(recipient);
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const share = rawPublic(publicKey);
    const wrapKey = hkdf(sharedSecret(privateKey, point), Buffer.concat([share, point]), X25519_INFO);
    header += `-> X25519 ${b64(share)}\n${wrapBody(seal(wrapKey, Buffer.alloc(12), fileKey))}\n`;
  }
  header += '---';
  const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header).digest();
  const nonce = randomBytes(16);
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const data = Buffer.from(plaintext);
  const chunks: Buffer[] = [];
  for (let counter = 0, offset = 0; ; counter++, offset += CHUNK) {
    const last = offset + CHUNK >= data.length;
    chunks.push(seal(payloadKey, streamNonce(counter, last), data.subarray(offset, offset + CHUNK)));
    if (last) break;
  }
  return Buffer.concat([Buffer.from(`${header} ${b64(mac)}\n`), nonce, ...chunks]);
}

function streamNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

function readLine(file: Buffer, offset: number): { line: string; next: number } {
  const end = file.indexOf(0x0a, offset);
  if (end === -1) throw new AgeError('truncated age header');
  return { line: file.subarray(offset, end).toString('latin1'), next: end + 1 };
}

function parseHeader(file: Buffer): { stanzas: Stanza[]; headerText: string; mac: Buffer; payloadOffset: number } {
  let { line, next } = readLine(file, 0);
  if (line !== VERSION_LINE) throw new AgeError('not an age v1 file');
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = next;
    ({ line, next } = readLine(file, next));
    if (line.startsWith('--- ')) {
      const headerText = file.subarray(0, start).toString('latin1') + '---';
      return { stanzas, headerText, mac: unb64(line.slice(4)), payloadOffset: next };
    }
    if (!line.startsWith('-> ')) throw new AgeError('malformed age header');
    const [type, ...args] = line.slice(3).split(' ');
    if (type === undefined || type === '') throw new AgeError('malformed age stanza');
    const parts: Buffer[] = [];
    for (;;) {
      ({ line, next } = readLine(file, next));
      if (line.length > 64) throw new AgeError('age stanza body line too long');
      parts.push(unb64(line));
      if (line.length < 64) break;
    }
    stanzas.push({ type, args, body: Buffer.concat(parts) });
  }
}

/** Decrypts a binary age file with the first identity (`AGE-SECRET-KEY-1…`) that opens one of its X25519 stanzas. */
export function ageDecrypt(file: Buffer, identities: readonly string[]): Buffer {
  const { stanzas, headerText, mac, payloadOffset } = parseHeader(file);
  let fileKey: Buffer | undefined;
  for (const identity of identities) {
    const scalar = parseIdentity(identity);
    const ownPoint = rawPublic(createPublicKey(privateKeyObject(scalar)));
    for (const stanza of stanzas) {
      if (stanza.type !== 'X25519' || stanza.args.length !== 1 || stanza.body.length !== 32) continue;
      const share = unb64(stanza.args[0] as string);
      if (share.length !== 32) continue;
      const wrapKey = hkdf(sharedSecret(scalar, share), Buffer.concat([share, ownPoint]), X25519_INFO);
      fileKey = open(wrapKey, Buffer.alloc(12), stanza.body);
      if (fileKey) break;
    }
    if (fileKey) break;
  }
  if (!fileKey) throw new AgeError('no identity matched any of the age file recipients');
  const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(headerText, 'latin1').digest();
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) throw new AgeError('age header MAC mismatch');
  const nonce = file.subarray(payloadOffset, payloadOffset + 16);
  if (nonce.length !== 16) throw new AgeError('truncated age payload');
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const body = file.subarray(payloadOffset + 16);
  const out: Buffer[] = [];
  for (let counter = 0, offset = 0; ; counter++, offset += CHUNK + TAG) {
    const sealed = body.subarray(offset, offset + CHUNK + TAG);
    const last = offset + CHUNK + TAG >= body.length;
    const chunk = open(payloadKey, streamNonce(counter, last), sealed);
    if (!chunk) throw new AgeError('age payload failed authentication');
    if (last && chunk.length === 0 && counter > 0) throw new AgeError('age payload ends with an empty chunk');
    out.push(chunk);
    if (last) break;
  }
  return Buffer.concat(out);
}

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';

/** ASCII armor: padded base64 in 64-column lines between BEGIN/END lines, ending with a newline. */
export function armorAge(file: Buffer): string {
  const text = file.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 64) lines.push(text.slice(i, i + 64));
  return `${ARMOR_BEGIN}\n${lines.join('\n')}\n${ARMOR_END}\n`;
}

export function dearmorAge(text: string): Buffer {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== ARMOR_BEGIN || lines[lines.length - 1] !== ARMOR_END) throw new AgeError('not an armored age file');
  const body = lines.slice(1, -1).join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new AgeError('invalid base64 in armored age file');
  return Buffer.from(body, 'base64');
}
