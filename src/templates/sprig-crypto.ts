/**
 * sprig's crypto functions (sprig v3 crypto.go): hashes, bcrypt/htpasswd, derivePassword, AES, private keys and
 * certificates. Keys, signatures, scrypt and AES come from node:crypto; bcrypt from bcryptjs (a maintained pure-JS
 * bcrypt; node:crypto has none); the X.509 encoding from der.ts. The slow ones (key generation, scrypt, bcrypt)
 * run on the sync worker, bounded by the render's time limit.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { allocateString } from './budget.js';
import * as der from './der.js';
import type { TemplateFunc } from './exec.js';
import { runOnWorker } from './sync-worker.js';

type Str = (value: unknown) => string;
type Int = (value: unknown) => bigint;

const pemLines = (b64: string): string => (b64.match(/.{1,64}/g) ?? []).join('\n');

function pemEncode(type: string, bytes: Buffer): string {
  return `-----BEGIN ${type}-----\n${pemLines(bytes.toString('base64'))}\n-----END ${type}-----\n`;
}

/** encoding/pem.Decode: the first block of `text`. */
function pemDecode(text: string): { type: string; bytes: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (m === null) return undefined;
  const body = m[2]!
    .split(/\r?\n/)
    .filter((line) => !line.includes(':'))
    .join('');
  return { type: m[1]!, bytes: Buffer.from(body, 'base64') };
}

// ---------------------------------------------------------------- keys

/** Go's pemBlockForKey: PKCS#1 for RSA, SEC 1 for EC, Go's DSA layout, PKCS#8 for the rest. */
function keyToPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key.export({ type: 'pkcs1', format: 'pem' }).toString();
    case 'ec':
      return key.export({ type: 'sec1', format: 'pem' }).toString();
    case 'dsa':
      return pemEncode('DSA PRIVATE KEY', dsaPrivateKeyDer(key));
    default:
      return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const bigFrom = (bytes: Buffer): bigint => BigInt('0x' + (bytes.toString('hex') || '0'));

/** Go's DSAKeyFormat {Version, P, Q, G, Y, X} (the OpenSSL traditional layout), from the PKCS#8 node exports. */
function dsaPrivateKeyDer(key: KeyObject): Buffer {
  const info = der.children(der.parseOne(key.export({ type: 'pkcs8', format: 'der' })).content);
  const params = der.children(der.children(info[1]!.content)[1]!.content);
  const [p, q, g] = params.map((n) => bigFrom(n.content)) as [bigint, bigint, bigint];
  const x = bigFrom(der.parseOne(info[2]!.content).content);
  const y = modPow(g, x, p);
  return der.sequence(der.integer(0n), der.integer(p), der.integer(q), der.integer(g), der.integer(y), der.integer(x));
}

/** sprig's parsePrivateKeyPEM, with its error texts. */
function parsePrivateKeyPem(text: string): KeyObject {
  const block = pemDecode(text);
  if (block === undefined) throw new Error('no PEM data in input');
  if (block.type !== 'PRIVATE KEY' && !block.type.endsWith(' PRIVATE KEY')) throw new Error(`no private key data in PEM block of type ${block.type}`);
  const kind = block.type === 'PRIVATE KEY' ? 'PKCS#8' : block.type.slice(0, -12);
  if (!['PKCS#8', 'RSA', 'EC', 'DSA'].includes(kind)) throw new Error(`invalid private key type ${block.type}`);
  try {
    return createPrivateKey({ key: pemEncode(block.type, block.bytes), format: 'pem' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (kind === 'PKCS#8') throw new Error(`decoding PEM as PKCS#8: ${reason}`, { cause: error });
    throw new Error(`parsing ${kind} private key from PEM: ${reason}`, { cause: error });
  }
}

function generateKey(type: 'rsa' | 'dsa' | 'ec' | 'ed25519', bits?: number): KeyObject {
  const options =
    type === 'rsa' ? { modulusLength: bits ?? 2048 } : type === 'dsa' ? { modulusLength: 2048, divisorLength: 256 } : type === 'ec' ? { namedCurve: 'prime256v1' } : {};
  const pem = runOnWorker({ op: 'generateKeyPair', type, ...options }) as string;
  return createPrivateKey(pem);
}

function genPrivateKey(typ: unknown, str: Str): string {
  const t = str(typ);
  switch (t) {
    case '':
    case 'rsa':
      return keyToPem(generateKey('rsa', 4096)); // sprig's size
    case 'dsa':
      return keyToPem(generateKey('dsa'));
    case 'ecdsa':
      return keyToPem(generateKey('ec'));
    case 'ed25519':
      return keyToPem(generateKey('ed25519'));
    default:
      return 'Unknown type ' + t;
  }
}

// ---------------------------------------------------------------- certificates

interface CertTemplate {
  cn: string;
  ips: Buffer[];
  dnsNames: string[];
  days: bigint;
  isCA: boolean;
}

const OID = {
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

function nameDer(cn: string): Buffer {
  if (cn === '') return der.sequence();
  return der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.directoryString(cn))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? der.sequence(der.oid(id), der.bool(true), der.octetString(value)) : der.sequence(der.oid(id), der.octetString(value));
}

/** The signature algorithm Go's x509 picks for a signing key. */
function signatureAlgorithm(key: KeyObject): { algorithm: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: der.sequence(der.oid('1.2.840.113549.1.1.11'), der.nullDer()), digest: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { algorithm: der.sequence(der.oid('1.2.840.10045.4.3.3')), digest: 'sha384' };
      if (curve === 'secp521r1') return { algorithm: der.sequence(der.oid('1.2.840.10045.4.3.4')), digest: 'sha512' };
      return { algorithm: der.sequence(der.oid('1.2.840.10045.4.3.2')), digest: 'sha256' };
    }
    case 'ed25519':
      return { algorithm: der.sequence(der.oid('1.3.101.112')), digest: null };
    default:
      throw new Error('error creating certificate: x509: certificate private key does not implement crypto.Signer');
  }
}

interface Issuer {
  name: Buffer;
  subjectKeyId: Buffer | undefined;
}

/** Go's x509.CreateCertificate for sprig's templates, then PEM of the certificate and of the signee key. */
function certAndKey(template: CertTemplate, signee: KeyObject, issuer: Issuer | undefined, signer: KeyObject): { Cert: string; Key: string } {
  const spki = createPublicKey(signee).export({ type: 'spki', format: 'der' });
  const publicKeyBits = der.children(der.parseOne(spki).content)[1]!.content.subarray(1);
  const { algorithm, digest } = signatureAlgorithm(signer);
  const subject = nameDer(template.cn);
  const subjectKeyId = template.isCA ? createHash('sha1').update(publicKeyBits).digest() : undefined;
  const issuerName = issuer?.name ?? subject;
  const now = new Date();
  const notAfter = new Date(now.getTime() + Number(template.days) * 86_400_000);
  // KeyUsage bits, reversed into a BIT STRING as Go does: digitalSignature(0) keyEncipherment(2) [keyCertSign(5)]
  const usage = template.isCA ? der.bitString(Buffer.from([0xa4]), 2) : der.bitString(Buffer.from([0xa0]), 5);
  const extensions: Buffer[] = [
    extension(OID.keyUsage, true, usage),
    extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
    extension(OID.basicConstraints, true, template.isCA ? der.sequence(der.bool(true)) : der.sequence()),
  ];
  if (subjectKeyId !== undefined) extensions.push(extension(OID.subjectKeyId, false, der.octetString(subjectKeyId)));
  if (issuer?.subjectKeyId !== undefined) extensions.push(extension(OID.authorityKeyId, false, der.sequence(der.tlv(0x80, issuer.subjectKeyId))));
  if (template.dnsNames.length > 0 || template.ips.length > 0) {
    const names = [...template.dnsNames.map((n) => der.tlv(0x82, Buffer.from(n, 'ascii'))), ...template.ips.map((ip) => der.tlv(0x87, ip))];
    extensions.push(extension(OID.subjectAltName, false, der.sequence(...names)));
  }
  const serial = BigInt('0x' + randomBytes(16).toString('hex'));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2n)),
    der.integer(serial),
    algorithm,
    issuerName,
    der.sequence(der.time(now), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign(digest, tbs, signer);
  const certificate = der.sequence(tbs, algorithm, der.bitString(signature));
  return { Cert: pemEncode('CERTIFICATE', certificate), Key: keyToPem(signee) };
}

/** net.ParseIP, as the 4- or 16-byte form Go marshals into a SAN (IPv4 as 4 bytes). */
function parseIp(text: string): Buffer | undefined {
  const kind = isIP(text);
  if (kind === 4) return Buffer.from(text.split('.').map(Number));
  if (kind !== 6) return undefined;
  let s = text;
  let v4: number[] | undefined;
  const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (embedded !== null) {
    v4 = embedded[2]!.split('.').map(Number);
    s = embedded[1]! + '0:0';
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (v4 !== undefined) Buffer.from(v4).copy(out, 12);
  return out;
}

function stringList(value: unknown, what: 'ip' | 'dns'): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`wrong type for value; expected []interface {}`);
  return value.map((v) => {
    if (typeof v !== 'string') {
      throw new Error(what === 'ip' ? `error parsing ip: ${String(v)} is not a string` : `error processing alternate dns name: ${String(v)} is not a string`);
    }
    return v;
  });
}

function baseTemplate(cn: unknown, ips: unknown, dns: unknown, days: unknown, str: Str, int: Int): CertTemplate {
  const ipList = stringList(ips, 'ip').map((ip) => {
    const parsed = parseIp(ip as string);
    if (parsed === undefined) throw new Error(`error parsing ip: ${ip as string}`);
    return parsed;
  });
  return { cn: str(cn), ips: ipList, dnsNames: stringList(dns, 'dns') as string[], days: int(days), isCA: false };
}

function caIssuer(ca: unknown): { issuer: Issuer; key: KeyObject } {
  const fields = typeof ca === 'object' && ca !== null ? (ca as Record<string, unknown>) : {};
  const certPem = typeof fields.Cert === 'string' ? fields.Cert : '';
  const keyPem = typeof fields.Key === 'string' ? fields.Key : '';
  const block = pemDecode(certPem);
  if (block === undefined) throw new Error('unable to decode certificate');
  let tbs: der.DerNode[];
  try {
    new X509Certificate(block.bytes);
    tbs = der.children(der.children(der.parseOne(block.bytes).content)[0]!.content);
  } catch (error) {
    throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const offset = tbs[0]!.tag === 0xa0 ? 1 : 0;
  const name = tbs[offset + 4]!.raw;
  let subjectKeyId: Buffer | undefined;
  const exts = tbs.find((n) => n.tag === 0xa3);
  if (exts !== undefined) {
    for (const ext of der.children(der.parseOne(exts.content).content)) {
      const parts = der.children(ext.content);
      if (parts[0]!.raw.equals(der.oid(OID.subjectKeyId))) subjectKeyId = der.parseOne(parts[parts.length - 1]!.content).content;
    }
  }
  let key: KeyObject;
  try {
    key = parsePrivateKeyPem(keyPem);
  } catch (error) {
    throw new Error(`error parsing private key: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { issuer: { name, subjectKeyId }, key };
}

function withPemKey(pem: unknown, str: Str): KeyObject {
  try {
    return parsePrivateKeyPem(str(pem));
  } catch (error) {
    throw new Error(`parsing private key: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

// ---------------------------------------------------------------- derivePassword (Master Password algorithm)

const passwordTemplates: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const templateCharacters: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function derivePassword(counter: unknown, passwordType: unknown, password: unknown, user: unknown, site: unknown, str: Str, int: Int): string {
  const templates = passwordTemplates[str(passwordType)];
  if (templates === undefined || !Object.prototype.hasOwnProperty.call(passwordTemplates, str(passwordType))) return `cannot find password template ${str(passwordType)}`;
  const seed = Buffer.from('com.lyndir.masterpassword', 'utf8');
  const userBytes = Buffer.from(str(user), 'utf8');
  const siteBytes = Buffer.from(str(site), 'utf8');
  const salt = Buffer.concat([seed, uint32(userBytes.length), userBytes]);
  const key = Buffer.from(runOnWorker({ op: 'scrypt', password: str(password), salt: salt.toString('base64'), keyLength: 64, N: 32768, r: 8, p: 2 }) as string, 'base64');
  const message = Buffer.concat([seed, uint32(siteBytes.length), siteBytes, uint32(Number(BigInt.asUintN(32, int(counter))))]);
  const digest = createHmac('sha256', key).update(message).digest();
  const template = templates[digest[0]! % templates.length]!;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const chars = templateCharacters[template[i]!]!;
    out += chars[digest[i + 1]! % chars.length]!;
  }
  return out;
}

// ---------------------------------------------------------------- AES (sprig's encryptAES/decryptAES: AES-256-CBC, PKCS#7, IV first)

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password, 'utf8').copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: unknown, plaintext: unknown, str: Str): string {
  const text = str(plaintext);
  if (text === '') return '';
  allocateString(Math.ceil((Buffer.byteLength(text) + 32) / 3) * 4);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(str(password)), iv);
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

function decryptAES(password: unknown, crypt64: unknown, str: Str): string {
  const text = str(crypt64);
  if (text === '') return '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('illegal base64 data at input byte 0');
  const crypt = Buffer.from(text, 'base64');
  if (crypt.length < 16) throw new Error('runtime error: slice bounds out of range');
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  if (body.length === 0) throw new Error('runtime error: index out of range [-1]');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(str(password)), crypt.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  const cut = plain.length - plain[plain.length - 1]!;
  if (cut < 0) throw new Error(`runtime error: slice bounds out of range [:${cut}]`);
  return plain.subarray(0, cut).toString('utf8');
}

// ---------------------------------------------------------------- bcrypt

/** golang.org/x/crypto/bcrypt at DefaultCost (10); Go writes the `$2a$` prefix. */
function bcrypt(input: unknown, str: Str): string {
  const password = str(input);
  if (Buffer.byteLength(password, 'utf8') > 72) return 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes';
  const hash = runOnWorker({ op: 'bcrypt', password, cost: 10 }) as string;
  return hash.replace(/^\$2b\$/, '$2a$');
}

function hashHex(algorithm: string, value: string): string {
  return createHash(algorithm).update(value, 'utf8').digest('hex');
}

export function sprigCryptoFuncs(str: Str, int: Int): Record<string, TemplateFunc> {
  return {
    sha1sum: (s: unknown) => hashHex('sha1', str(s)),
    sha256sum: (s: unknown) => hashHex('sha256', str(s)),
    sha512sum: (s: unknown) => hashHex('sha512', str(s)),
    bcrypt: (s: unknown) => bcrypt(s, str),
    htpasswd: (username: unknown, password: unknown, algorithm?: unknown) => {
      const user = str(username);
      if (user.includes(':')) return `invalid username: ${user}`;
      if (str(algorithm) === 'sha') return `${user}:{SHA}${createHash('sha1').update(str(password), 'utf8').digest('base64')}`;
      return `${user}:${bcrypt(password, str)}`;
    },
    randBytes: (count: unknown) => {
      const n = Number(int(count));
      if (n < 0) throw new Error('runtime error: makeslice: len out of range');
      allocateString(Math.ceil(n / 3) * 4);
      return randomBytes(n).toString('base64');
    },
    derivePassword: (counter: unknown, passwordType: unknown, password: unknown, user: unknown, site: unknown) => derivePassword(counter, passwordType, password, user, site, str, int),
    genPrivateKey: (typ: unknown) => genPrivateKey(typ, str),
    encryptAES: (password: unknown, plaintext: unknown) => encryptAES(password, plaintext, str),
    decryptAES: (password: unknown, crypt: unknown) => decryptAES(password, crypt, str),
    buildCustomCert: (b64cert: unknown, b64key: unknown) => {
      const decode = (value: unknown, what: string): string => {
        const text = str(value);
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error(`unable to decode base64 ${what}`);
        return Buffer.from(text, 'base64').toString('utf8');
      };
      const cert = decode(b64cert, 'certificate');
      const key = decode(b64key, 'private key');
      const block = pemDecode(cert);
      if (block === undefined) throw new Error('unable to decode certificate');
      try {
        new X509Certificate(block.bytes);
      } catch (error) {
        throw new Error(`error parsing certificate: decodedCert.Bytes: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      try {
        parsePrivateKeyPem(key);
      } catch (error) {
        throw new Error(`error parsing private key: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      return { Cert: cert, Key: key };
    },
    genCA: (cn: unknown, days: unknown) => {
      const key = generateKey('rsa', 2048);
      return certAndKey({ ...baseTemplate(cn, null, null, days, str, int), isCA: true }, key, undefined, key);
    },
    genCAWithKey: (cn: unknown, days: unknown, pem: unknown) => {
      const key = withPemKey(pem, str);
      return certAndKey({ ...baseTemplate(cn, null, null, days, str, int), isCA: true }, key, undefined, key);
    },
    genSelfSignedCert: (cn: unknown, ips: unknown, dns: unknown, days: unknown) => {
      const template = baseTemplate(cn, ips, dns, days, str, int);
      const key = generateKey('rsa', 2048);
      return certAndKey(template, key, undefined, key);
    },
    genSelfSignedCertWithKey: (cn: unknown, ips: unknown, dns: unknown, days: unknown, pem: unknown) => {
      const template = baseTemplate(cn, ips, dns, days, str, int);
      const key = withPemKey(pem, str);
      return certAndKey(template, key, undefined, key);
    },
    genSignedCert: (cn: unknown, ips: unknown, dns: unknown, days: unknown, ca: unknown) => {
      const template = baseTemplate(cn, ips, dns, days, str, int);
      const signer = caIssuer(ca);
      const key = generateKey('rsa', 2048);
      return certAndKey(template, key, signer.issuer, signer.key);
    },
    genSignedCertWithKey: (cn: unknown, ips: unknown, dns: unknown, days: unknown, ca: unknown, pem: unknown) => {
      const template = baseTemplate(cn, ips, dns, days, str, int);
      const signer = caIssuer(ca);
      const key = withPemKey(pem, str);
      return certAndKey(template, key, signer.issuer, signer.key);
    },
  };
}
