/**
 * The SOPS file format (https://github.com/getsops/sops) with age recipients: what Flux's kustomize-controller and
 * KSOPS decrypt. Written from the format, not from SOPS' code:
 *
 * - a random 32-byte data key, age-encrypted (armored) once per recipient into `sops.age[]`;
 * - every selected leaf value becomes `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str|int|float|bool]`: AES-256-GCM with a
 *   32-byte random IV and the value's key path joined by `:` plus a trailing `:` as additional data (list items
 *   share their list's path); empty strings stay empty;
 * - `sops.mac`: SHA-512 (upper-case hex) over every leaf value in document order (not only the encrypted ones,
 *   unless `mac_only_encrypted`), encrypted like a value with `sops.lastmodified` as additional data;
 * - which values are encrypted: `encrypted_regex` (here `^(data|stringData)$` for Kubernetes Secrets) tested against
 *   every key of the path, or the suffix/regex rules SOPS also knows (default: all but keys ending `_unencrypted`).
 *
 *   const encrypted = sopsEncrypt(secretObject, { recipients: ['age1…'] });   // a plain object, `sops` last
 *   const { tree } = sopsDecryptText(yamlOrJsonText, ['AGE-SECRET-KEY-1…']);  // MAC verified
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Document, isScalar, parse } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { ageDecrypt, ageEncrypt, armorAge, dearmorAge } from './age.js';

/** Kubernetes Secrets: only `data` and `stringData` are encrypted, the rest stays readable for GitOps tooling. */
export const KUBERNETES_ENCRYPTED_REGEX = '^(data|stringData)$';
/** The SOPS format version Baton writes (the metadata layout of SOPS 3.9). */
export const SOPS_FORMAT_VERSION = '3.9.0';
const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';
/** The first 32 bytes hashed when `mac_only_encrypted` is set: SHA-256 of "sops". */
const MAC_ONLY_ENCRYPTED_INIT = createHash('sha256').update('sops').digest();
const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** A file that is not SOPS, uses a feature this implementation lacks, or fails to decrypt/verify. Never holds values. */
export class SopsError extends InvalidInput {}

export interface SopsAgeKey {
  recipient: string;
  enc: string;
}

export interface SopsMetadata {
  age: SopsAgeKey[];
  lastmodified: string;
  mac: string;
  encrypted_regex?: string;
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  mac_only_encrypted?: boolean;
  version: string;
}

type Leaf = string | number | boolean;
type Tree = Record<string, unknown>;

interface Rules {
  encrypted_regex?: string | undefined;
  unencrypted_regex?: string | undefined;
  encrypted_suffix?: string | undefined;
  unencrypted_suffix?: string | undefined;
}

function shouldEncrypt(path: readonly string[], rules: Rules): boolean {
  let encrypted = true;
  if (rules.unencrypted_suffix) {
    if (path.some((p) => p.endsWith(rules.unencrypted_suffix as string))) encrypted = false;
  }
  if (rules.encrypted_suffix) encrypted = path.some((p) => p.endsWith(rules.encrypted_suffix as string));
  if (rules.unencrypted_regex) {
    const re = new RegExp(rules.unencrypted_regex);
    if (path.some((p) => re.test(p))) encrypted = false;
  }
  if (rules.encrypted_regex) {
    const re = new RegExp(rules.encrypted_regex);
    encrypted = path.some((p) => re.test(p));
  }
  return encrypted;
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent. */
function goFloat(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = '', exponentText = '0'] = text.toLowerCase().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const out = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** The bytes SOPS hashes and encrypts for a leaf, and the type it records. */
function leafBytes(value: Leaf, typeHint?: string): { bytes: Buffer; type: string } {
  if (typeof value === 'string') return { bytes: Buffer.from(value, 'utf8'), type: typeHint === 'bytes' ? 'bytes' : 'str' };
  if (typeof value === 'boolean') return { bytes: Buffer.from(value ? 'True' : 'False'), type: 'bool' };
  if (typeHint === 'float' || !Number.isInteger(value)) return { bytes: Buffer.from(goFloat(value)), type: 'float' };
  return { bytes: Buffer.from(String(value)), type: typeHint === 'int64' ? 'int64' : 'int' };
}

function encryptValue(plain: Buffer, type: string, key: Buffer, additionalData: string): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

function decryptValue(text: string, key: Buffer, additionalData: string): { value: Leaf; type: string } {
  if (text === '') return { value: '', type: 'str' };
  const match = ENC.exec(text);
  if (!match) throw new SopsError(`the value at "${additionalData}" is not in the SOPS format`);
  const [, data = '', iv = '', tag = '', type = ''] = match;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SopsError(`the value at "${additionalData}" failed to decrypt (wrong data key or tampered file)`);
  }
  switch (type) {
    case 'str':
    case 'bytes':
    case 'comment':
      return { value: plain, type };
    case 'int':
    case 'int64':
      if (!/^[-+]?\d+$/.test(plain)) throw new SopsError(`the value at "${additionalData}" is not an integer`);
      return { value: Number(plain), type };
    case 'float':
      return { value: Number(plain), type };
    case 'bool':
      if (/^(1|t|T|TRUE|true|True)$/.test(plain)) return { value: true, type };
      if (/^(0|f|F|FALSE|false|False)$/.test(plain)) return { value: false, type };
      throw new SopsError(`the value at "${additionalData}" is not a boolean`);
    default:
      throw new SopsError(`unknown SOPS value type "${type}"`);
  }
}

function isLeaf(value: unknown): value is Leaf {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** RFC 3339 in UTC without fractional seconds, as Go's time.RFC3339 formats it. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface SopsEncryptOptions {
  /** age recipients (`age1…`), each gets the data key; at least one. */
  recipients: readonly string[];
  /** Which keys' values are encrypted; default `^(data|stringData)$` (Kubernetes Secrets). */
  encryptedRegex?: string;
  /** `sops.lastmodified`; default now. */
  now?: Date;
}

/**
 * The SOPS-encrypted form of `tree` (a JSON-like object without a `sops` key): values selected by the regex
 * encrypted, the rest unchanged, `sops` metadata appended last. Serialise it as YAML or JSON without re-ordering keys
 * (the MAC covers values in this object's key order).
 */
export function sopsEncrypt(tree: Tree, options: SopsEncryptOptions): Tree & { sops: SopsMetadata } {
  if (options.recipients.length === 0) throw new SopsError('SOPS encryption needs at least one age recipient');
  if (Object.hasOwn(tree, 'sops')) throw new SopsError('the document already has a "sops" key');
  const rules: Rules = { encrypted_regex: options.encryptedRegex ?? KUBERNETES_ENCRYPTED_REGEX };
  const dataKey = randomBytes(32);
  const mac = createHash('sha512');
  const walk = (value: unknown, path: string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, path));
    if (value !== null && typeof value === 'object') {
      const out: Tree = {};
      for (const [key, child] of Object.entries(value as Tree)) out[key] = walk(child, [...path, key]);
      return out;
    }
    if (!isLeaf(value)) return value; // null: neither hashed nor encrypted
    const { bytes, type } = leafBytes(value);
    mac.update(bytes);
    if (!shouldEncrypt(path, rules)) return value;
    if (bytes.length === 0) return '';
    return encryptValue(bytes, type, dataKey, `${path.join(':')}:`);
  };
  const encrypted = walk(tree, []) as Tree;
  const lastmodified = rfc3339(options.now ?? new Date());
  const sops: SopsMetadata = {
    age: options.recipients.map((recipient) => ({ recipient, enc: armorAge(ageEncrypt(dataKey, [recipient])) })),
    lastmodified,
    mac: encryptValue(Buffer.from(mac.digest('hex').toUpperCase()), 'str', dataKey, lastmodified),
    encrypted_regex: rules.encrypted_regex,
    version: SOPS_FORMAT_VERSION,
  };
  dataKey.fill(0);
  return { ...encrypted, sops };
}

/**
 * A SOPS document as YAML the way the `sops` tool writes it: keys in the object's order (the MAC's), no line
 * folding, `lastmodified` double-quoted (unquoted, a YAML 1.1 parser would read a timestamp, not a string).
 */
export function sopsYaml(document: Tree & { sops: SopsMetadata }): string {
  const doc = new Document(document);
  const lastModified = doc.getIn(['sops', 'lastmodified'], true);
  if (isScalar(lastModified)) lastModified.type = 'QUOTE_DOUBLE';
  return doc.toString({ lineWidth: 0 });
}

/** Whether a parsed document carries SOPS metadata. */
export function isSopsDocument(document: unknown): document is Tree & { sops: SopsMetadata } {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const sops = (document as Tree).sops;
  return sops !== null && typeof sops === 'object' && typeof (sops as Tree).mac === 'string' && typeof (sops as Tree).lastmodified === 'string';
}

/** The age recipients of a SOPS document's metadata (empty when none). */
export function sopsAgeRecipients(document: Tree & { sops: SopsMetadata }): string[] {
  const age = document.sops.age;
  return Array.isArray(age) ? age.map((k) => String(k.recipient)) : [];
}

function toPlain(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Tree = {};
    for (const [key, child] of value) out[String(key)] = toPlain(child);
    return out;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  return value;
}

/**
 * Decrypts a SOPS YAML or JSON file with age identities and verifies its MAC. Values are walked in the file's own
 * key order (the MAC depends on it), so the text is parsed here rather than taken as an object. Comments (which
 * SOPS may encrypt, and never includes in the MAC) are dropped.
 */
export function sopsDecryptText(text: string, identities: readonly string[]): { tree: Tree; recipients: string[]; lastModified: string } {
  let parsed: unknown;
  try {
    parsed = parse(text, { mapAsMap: true, uniqueKeys: true });
  } catch {
    throw new SopsError('the file is neither YAML nor JSON');
  }
  if (!(parsed instanceof Map) || !(parsed.get('sops') instanceof Map)) throw new SopsError('the file has no SOPS metadata');
  const metadata = toPlain(parsed.get('sops')) as Partial<SopsMetadata> & Record<string, unknown>;
  if (Array.isArray(metadata.key_groups) && metadata.key_groups.length > 0) throw new SopsError('SOPS key groups (Shamir) are not supported');
  if (metadata.encrypted_comment_regex || metadata.unencrypted_comment_regex) throw new SopsError('SOPS comment rules are not supported');
  if (typeof metadata.lastmodified !== 'string' || typeof metadata.mac !== 'string') throw new SopsError('the SOPS metadata lacks lastmodified or mac');
  const ageKeys = Array.isArray(metadata.age) ? metadata.age : [];
  let dataKey: Buffer | undefined;
  for (const key of ageKeys) {
    try {
      dataKey = ageDecrypt(dearmorAge(String(key.enc)), identities);
      break;
    } catch {
      // not for these identities: try the next recipient
    }
  }
  if (!dataKey || dataKey.length !== 32) throw new SopsError('none of the age identities opens the SOPS data key');
  const rules: Rules = {
    encrypted_regex: metadata.encrypted_regex,
    unencrypted_regex: metadata.unencrypted_regex,
    encrypted_suffix: metadata.encrypted_suffix,
    unencrypted_suffix: metadata.unencrypted_suffix,
  };
  if (!rules.encrypted_regex && !rules.unencrypted_regex && !rules.encrypted_suffix && !rules.unencrypted_suffix) rules.unencrypted_suffix = DEFAULT_UNENCRYPTED_SUFFIX;
  const onlyEncrypted = metadata.mac_only_encrypted === true;
  const mac = createHash('sha512');
  if (onlyEncrypted) mac.update(MAC_ONLY_ENCRYPTED_INIT);
  const key = dataKey;
  const walk = (value: unknown, path: string[]): unknown => {
    if (value instanceof Map) {
      const out: Tree = {};
      for (const [k, child] of value) {
        if (path.length === 0 && k === 'sops') continue;
        out[String(k)] = walk(child, [...path, String(k)]);
      }
      return out;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, path));
    if (!isLeaf(value)) return value;
    const encrypted = shouldEncrypt(path, rules);
    let plain: Leaf = value;
    let type: string | undefined;
    if (encrypted) {
      if (typeof value !== 'string') throw new SopsError(`the value at "${path.join(':')}:" should be encrypted but is not a string`);
      ({ value: plain, type } = decryptValue(value, key, `${path.join(':')}:`));
    }
    if (!onlyEncrypted || encrypted) mac.update(leafBytes(plain, type).bytes);
    return plain;
  };
  const tree = walk(parsed, []) as Tree;
  const lastModified = metadata.lastmodified.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
  const stored = decryptValue(metadata.mac, key, lastModified).value;
  const computed = Buffer.from(mac.digest('hex').toUpperCase());
  const storedBytes = Buffer.from(String(stored));
  key.fill(0);
  if (storedBytes.length !== computed.length || !timingSafeEqual(storedBytes, computed)) throw new SopsError('the SOPS MAC does not match the values: the file was altered');
  return { tree, recipients: ageKeys.map((k) => String(k.recipient)), lastModified: metadata.lastmodified };
}
