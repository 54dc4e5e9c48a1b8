/**
 * The little ASN.1 DER that sprig's certificate functions need: node:crypto signs and parses keys and
 * certificates but cannot build an X.509 certificate, and the npm libraries that can (node-forge: RSA only;
 * @peculiar/x509: asynchronous WebCrypto) do not fit a synchronous engine that must also sign with EC and
 * Ed25519 keys. So the TBSCertificate is encoded here and signed with node:crypto.
 */

export type Der = Buffer;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Der {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const sequence = (...items: Der[]): Der => tlv(0x30, Buffer.concat(items));
export const set = (...items: Der[]): Der => tlv(0x31, Buffer.concat(items));
export const nullDer = (): Der => Buffer.from([0x05, 0x00]);
export const octetString = (content: Buffer): Der => tlv(0x04, content);
export const explicit = (n: number, content: Der): Der => tlv(0xa0 + n, content);
export const bool = (value: boolean): Der => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);

/** A non-negative INTEGER from big-endian bytes or a bigint. */
export function integer(value: bigint | Buffer): Der {
  let bytes: Buffer;
  if (typeof value === 'bigint') {
    let hex = value.toString(16);
    if (hex.length % 2 === 1) hex = '0' + hex;
    bytes = Buffer.from(hex, 'hex');
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Der {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let n = part;
    do {
      chunk.unshift(n & 0x7f);
      n = Math.floor(n / 128);
    } while (n > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** BIT STRING holding `bytes` with `unused` trailing bits. */
export function bitString(bytes: Buffer, unused = 0): Der {
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** PrintableString when the text allows it, else UTF8String (as Go's asn1 marshals a pkix.Name). */
export function directoryString(text: string): Der {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/.test(text);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(text, 'utf8'));
}

/** UTCTime before 2050, GeneralizedTime after (RFC 5280), whole seconds. */
export function time(date: Date): Der {
  const y = date.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest = two(date.getUTCMonth() + 1) + two(date.getUTCDate()) + two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + 'Z';
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(two(y % 100) + rest, 'ascii'));
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + rest, 'ascii'));
}

export interface DerNode {
  tag: number;
  /** the whole element, header included */
  raw: Buffer;
  content: Buffer;
}

/** Reads the elements of a constructed value's content (one level). */
export function children(content: Buffer): DerNode[] {
  const out: DerNode[] = [];
  let i = 0;
  while (i < content.length) {
    const tag = content[i]!;
    let length = content[i + 1]!;
    let header = 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 4) throw new Error('asn1: unsupported length');
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + content[i + 2 + k]!;
      header += n;
    }
    if (i + header + length > content.length) throw new Error('asn1: data truncated');
    out.push({ tag, raw: content.subarray(i, i + header + length), content: content.subarray(i + header, i + header + length) });
    i += header + length;
  }
  return out;
}

/** The single element `der` holds. */
export function parseOne(der: Buffer): DerNode {
  const nodes = children(der);
  if (nodes.length !== 1) throw new Error('asn1: trailing data');
  return nodes[0]!;
}
