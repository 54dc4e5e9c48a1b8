/**
 * Sends one webhook request: POST with a time limit, no redirects followed, at most MAX_RESPONSE_BYTES of the
 * answer read (then the connection is dropped), and addresses checked after DNS resolution.
 *
 * SSRF: webhook URLs are chosen by API users and requested from Baton's network. Only `http:`/`https:` URLs without
 * credentials are accepted. Link-local addresses (169.254.0.0/16, fe80::/10) — where cloud metadata services
 * answer (169.254.169.254, fd00:ec2::254, `metadata.google.internal`) — are refused, checked on every address the
 * name resolves to at delivery time (the connection goes to the checked address, so DNS rebinding cannot swap it),
 * unless `allowLinkLocal` (BATON_WEBHOOK_ALLOW_LINK_LOCAL) is set. Loopback and private ranges are allowed: Baton is
 * self-hosted and receivers usually sit on the same private network; restrict egress with the network (firewall,
 * Kubernetes NetworkPolicy) where that is not wanted. See docs/ci.md.
 */
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { InvalidInput } from '../shared/errors.js';

export const MAX_RESPONSE_BYTES = 64 * 1024;
export const MAX_URL_LENGTH = 2048;
export const SIGNATURE_HEADER = 'Baton-Signature';

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.internal']);

/** Is this address link-local / a cloud metadata address? */
export function isLinkLocal(address: string): boolean {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  const v4 = dotted ? dotted[1]! : hex ? [parseInt(hex[1]!, 16) >> 8, parseInt(hex[1]!, 16) & 255, parseInt(hex[2]!, 16) >> 8, parseInt(hex[2]!, 16) & 255].join('.') : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    return (a === 169 && b === 254) || v4 === '100.100.100.200';
  }
  const lower = address.toLowerCase();
  return /^fe[89ab][0-9a-f]:/.test(lower) || lower === 'fd00:ec2::254';
}

/** Refuses a URL that is not http(s), carries credentials, or names a link-local/metadata host (unless allowed). */
export function checkWebhookUrl(value: string, allowLinkLocal: boolean): URL {
  if (value.length > MAX_URL_LENGTH) throw new InvalidInput(`url: at most ${MAX_URL_LENGTH} characters`, { field: 'url' });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput('url: not an absolute URL (e.g. https://ci.example.com/hooks/baton)', { field: 'url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInput(`url: only http and https URLs are allowed (got ${url.protocol})`, { field: 'url' });
  if (url.username !== '' || url.password !== '') throw new InvalidInput('url: must not contain credentials; send them in a header instead', { field: 'url' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowLinkLocal && (METADATA_HOSTS.has(host.toLowerCase()) || (isIP(host) !== 0 && isLinkLocal(host)))) {
    throw new InvalidInput(`url: ${host} is a link-local or cloud metadata address; refused unless BATON_WEBHOOK_ALLOW_LINK_LOCAL is set`, { field: 'url' });
  }
  return url;
}

/**
 * `Baton-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. A receiver recomputes v1 over
 * the raw body it received and compares in constant time, and rejects old `t` values to stop replays.
 */
export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowLinkLocal: boolean;
  /** Aborts the request (Baton stopping). */
  signal?: AbortSignal | undefined;
}

export interface DeliveryResult {
  statusCode?: number;
  error?: string;
}

function guardedLookup(allowLinkLocal: boolean) {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const bad = allowLinkLocal ? undefined : addresses.find((a) => isLinkLocal(a.address));
      if (bad) return callback(Object.assign(new Error(`${hostname} resolves to the link-local address ${bad.address}; refused`), { code: 'EBATONREFUSED' }), '');
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/** POSTs once. Resolves with the status code, or with `error` (never rejects). */
export function deliver(request: DeliveryRequest): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = checkWebhookUrl(request.url, request.allowLinkLocal);
    } catch (error) {
      resolve({ error: (error as Error).message });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (result: DeliveryResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      lookup: guardedLookup(request.allowLinkLocal),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    req.on('error', (error) => done({ error: error.message }));
    if (request.signal) {
      const signal = request.signal;
      if (signal.aborted) req.destroy(new Error('aborted'));
      else signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    }
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) {
          // The status is what counts; a receiver that keeps talking is cut off.
          res.destroy();
          done({ statusCode: res.statusCode ?? 0 });
        }
      });
      res.on('end', () => done({ statusCode: res.statusCode ?? 0 }));
      res.on('error', () => done({ statusCode: res.statusCode ?? 0 }));
      res.on('close', () => done({ statusCode: res.statusCode ?? 0 }));
    });
    req.end(request.body);
  });
}
