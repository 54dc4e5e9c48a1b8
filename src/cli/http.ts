/**
 * The CLI's HTTP transport: a `fetch` over node:http and node:https. Node 20's global fetch (undici) spends
 * ~200 ms of CPU on its first request (it compiles its WebAssembly HTTP parser), more than the CLI's whole
 * start-up budget; this costs a few milliseconds. It covers what ApiClient sends (method, headers, a string body,
 * an abort signal) and answers with a standard Response whose body streams (Server-Sent Events). Failures look
 * like fetch's: a TypeError "fetch failed" whose `cause` is the network error; an abort rejects with the abort.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

function responseHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

function requestHeaders(init: RequestInit, body: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return headers;
}

export const nodeFetch: Fetch = (url, init) =>
  new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      reject(new TypeError('nodeFetch sends string bodies only'));
      return;
    }
    const body = init.body ?? undefined;
    if (send === undefined) {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${target.protocol}`) }));
      return;
    }
    const method = init.method ?? 'GET';
    const request = send(target, { method, headers: requestHeaders(init, body), ...(init.signal ? { signal: init.signal } : {}) }, (message) => {
      const status = message.statusCode ?? 502;
      const hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(status);
      if (!hasBody) message.resume();
      const stream = hasBody ? (Readable.toWeb(message) as ReadableStream<Uint8Array>) : null;
      resolve(new Response(stream, { status, statusText: message.statusMessage ?? '', headers: responseHeaders(message) }));
    });
    request.on('error', (error) => reject(init.signal?.aborted ? error : new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
