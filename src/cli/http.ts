/**
 * The CLI's HTTP transport, over node:http and node:https. Node 20's global fetch (undici) spends ~200 ms of CPU
 * on its first request (it compiles its WebAssembly HTTP parser), and merely creating undici's Headers or Response
 * loads a bundle costing ~60 ms more: together more than the CLI's whole start-up budget. This costs a few
 * milliseconds. It covers what ApiClient sends (method, headers, a string body, an abort signal) and answers with
 * the part of a fetch Response that ApiClient reads, the body streaming as it arrives (Server-Sent Events); the
 * global fetch fits the same `Fetch` type. Failures look like fetch's: a TypeError "fetch failed" whose `cause` is
 * the network error; an abort rejects with the abort error.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What ApiClient reads from a response (a fetch Response has all of it). */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  /** Reads the whole body as UTF-8 (once). */
  text(): Promise<string>;
  /** The body as it arrives (async-iterable chunks); null when there is none. */
  readonly body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null;
  /** Response headers (names case-insensitive), e.g. `Link` of a paged list. */
  readonly headers: { get(name: string): string | null };
}

export type Fetch = (url: string, init: HttpRequest) => Promise<HttpResponse>;

/** Statuses that never carry a body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

class NodeResponse implements HttpResponse {
  readonly ok: boolean;
  readonly body: AsyncIterable<Uint8Array> | null;
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    message: IncomingMessage,
    hasBody: boolean,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const value = message.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
    this.body = hasBody ? (message as AsyncIterable<Uint8Array>) : null;
    if (!hasBody) message.resume();
  }

  async text(): Promise<string> {
    if (this.body === null) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
}

export const nodeFetch: Fetch = (url, init) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (send === undefined) {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${target.protocol}`) }));
      return;
    }
    const headers = { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) };
    const request = send(target, { method: init.method, headers, ...(init.signal ? { signal: init.signal } : {}) }, (message) => {
      const status = message.statusCode ?? 502;
      resolve(new NodeResponse(status, message, init.method !== 'HEAD' && !NULL_BODY_STATUSES.has(status)));
    });
    request.on('error', (error) => reject(init.signal?.aborted ? error : new TypeError('fetch failed', { cause: error })));
    request.end(init.body);
  });
