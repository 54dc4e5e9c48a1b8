/**
 * A small HTTP client for Baton's (Humanitec-compatible) REST API. It maps failed responses to the domain
 * errors of src/shared/errors.ts, so the CLI's single exit-code mapping applies; each error message carries the
 * server's own message and the HTTP status (never a stack trace).
 */
import { BatonError, Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthenticated } from '../shared/errors.js';
import { nodeFetch } from './http.js';
import type { Fetch, HttpRequest, HttpResponse } from './http.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Any failure that is not one of the specific domain errors: 5xx, unreachable server, unreadable response. */
export class RequestFailed extends BatonError {
  readonly code = 'REQUEST_FAILED';
}

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  /** For tests; defaults to nodeFetch (src/cli/http.ts), which starts much faster than the global fetch. */
  fetch?: Fetch;
  /** `-v`: called with one line per request (method, URL, status, duration). */
  trace?: (line: string) => void;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** The message the server gave: Humanitec's `{error, message}` body, else the raw text. */
export function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { message, error } = parsed as { message?: unknown; error?: unknown };
      if (typeof message === 'string' && message !== '') return message;
      if (typeof error === 'string' && error !== '') return error;
    }
  } catch {
    // not JSON: fall through to the text itself
  }
  return text.trim() || 'no message';
}

/** Whether a 404 says "no such endpoint" (Baton's or Fastify's route-not-found) rather than "no such object". */
export function isMissingRoute(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; details?: { kind?: unknown } };
    if (parsed.details?.kind === 'route') return true;
    return typeof parsed.message === 'string' && /^route\b/i.test(parsed.message);
  } catch {
    return false;
  }
}

/** Turns a failed HTTP response into the domain error the CLI maps to an exit code. */
export function errorForResponse(method: string, path: string, status: number, text: string): BatonError {
  const message = `${serverMessage(text)} (HTTP ${status} on ${method} ${path})`;
  const details = { status, method, path, routeMissing: status === 404 && isMissingRoute(text) };
  if (status === 400 || status === 422) return new InvalidInput(message, details);
  if (status === 401) return new Unauthenticated(message, details);
  if (status === 403) return new Forbidden(message, details);
  if (status === 404) return new NotFound('path', path, message, details);
  if (status === 409) return new Conflict(message, details);
  if (status === 429) {
    // The server's body names the wait (details.retry_after_seconds), as does its message.
    let seconds = 60;
    try {
      const parsed = JSON.parse(text) as { details?: { retry_after_seconds?: unknown } };
      if (typeof parsed.details?.retry_after_seconds === 'number') seconds = parsed.details.retry_after_seconds;
    } catch {
      // not JSON: keep the default
    }
    return new TooManyAttempts(message, seconds, details);
  }
  return new RequestFailed(message, details);
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: Fetch;
  private readonly trace: ((line: string) => void) | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? nodeFetch;
    this.trace = options.trace;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  private async send(method: HttpMethod, path: string, body?: unknown, signal?: AbortSignal, accept?: string): Promise<HttpResponse> {
    const url = this.baseUrl + (path.startsWith('/') ? path : `/${path}`);
    const init: HttpRequest = {
      method,
      headers: this.headers({ ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(accept ? { accept } : {}) }),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    };
    const started = Date.now();
    try {
      const response = await this.fetchImpl(url, init);
      // -v: one line per request; never the token or the body (either may hold secrets).
      this.trace?.(`${method} ${url} → ${response.status} (${Date.now() - started} ms)`);
      return response;
    } catch (error) {
      this.trace?.(`${method} ${url} → ${error instanceof Error ? error.message : 'failed'} (${Date.now() - started} ms)`);
      if (signal?.aborted) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new RequestFailed(`cannot reach Baton at ${this.baseUrl}${cause} (is \`baton serve\` running? set --url or BATON_URL)`, {
        url,
      });
    }
  }

  /** Sends a request and returns status and parsed JSON body (undefined for an empty body); throws on non-2xx. */
  async request<T = unknown>(method: HttpMethod, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    if (!response.ok) throw errorForResponse(method, path, response.status, text);
    if (text === '') return { status: response.status, body: undefined as T };
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      return { status: response.status, body: text as T };
    }
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }

  /**
   * GET of a paged list (`per_page`/`page`, the next page's URL in `Link: <…>; rel="next"`): every page, in order.
   * At most `maxPages` requests, so a server whose `Link` never ends cannot keep the CLI looping.
   */
  async getAllPages<T = unknown>(path: string, maxPages = 1000): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next !== undefined; pages++) {
      if (pages === maxPages) throw new RequestFailed(`GET ${path}: still more pages after ${maxPages} (per_page is at most 100)`, { path });
      const response = await this.send('GET', next);
      const text = await response.text();
      if (!response.ok) throw errorForResponse('GET', next, response.status, text);
      let body: unknown;
      try {
        body = JSON.parse(text === '' ? '[]' : text);
      } catch {
        body = undefined;
      }
      if (!Array.isArray(body)) throw new RequestFailed(`GET ${next}: expected a JSON array (HTTP ${response.status})`, { path: next });
      items.push(...(body as T[]));
      next = nextPageLink(response.headers.get('link'));
    }
    return items;
  }
  async post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('POST', path, body ?? {})).body;
  }
  async put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('PUT', path, body ?? {})).body;
  }
  async patch<T = unknown>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, body ?? {})).body;
  }
  async delete<T = unknown>(path: string): Promise<T> {
    return (await this.request<T>('DELETE', path)).body;
  }

  /** GET that returns undefined on 404 instead of throwing (for "does it exist?" questions). */
  async getOptional<T = unknown>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof NotFound) return undefined;
      throw error;
    }
  }

  /**
   * Reads a Server-Sent Events stream until the server closes it or `signal` aborts; `onEvent` gets each
   * event's name (default "message") and data (the joined `data:` lines).
   */
  async stream(path: string, onEvent: (event: string, data: string) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.send('GET', path, undefined, signal, 'text/event-stream');
    if (!response.ok) throw errorForResponse('GET', path, response.status, await response.text());
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const flush = (block: string) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    };
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          flush(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    if (buffer.trim() !== '') flush(buffer);
  }
}

/**
 * The path (and query) of a `Link` header's `rel="next"` target; the server names it relative to its root, an
 * absolute URL is cut to its path so the request goes to the same server with the same token.
 */
export function nextPageLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match || !/\brel="?next"?/.test(match[2] ?? '')) continue;
    const target = new URL(match[1] ?? '', 'http://baton.invalid');
    return `${target.pathname}${target.search}`;
  }
  return undefined;
}

/** Encodes one path segment (ids are already URL-safe by Humanitec's id rule, but user input may not be). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
