import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthenticated } from '../shared/errors.js';
import { ApiClient, RequestFailed, errorForResponse, isMissingRoute, serverMessage } from './client.js';
import { EXIT, exitCodeFor } from './errors.js';

describe('errorForResponse maps HTTP statuses to domain errors and exit codes', () => {
  const cases: [number, abstract new (...args: never[]) => Error, number][] = [
    [400, InvalidInput, EXIT.usage],
    [401, Unauthenticated, EXIT.auth],
    [403, Forbidden, EXIT.auth],
    [404, NotFound, EXIT.notFound],
    [409, Conflict, EXIT.conflict],
    [429, TooManyAttempts, EXIT.auth],
    [500, RequestFailed, EXIT.failed],
    [502, RequestFailed, EXIT.failed],
  ];
  for (const [status, errorClass, exit] of cases) {
    it(`HTTP ${status} → ${errorClass.name} → exit ${exit}, message has the server's words and the status`, () => {
      const error = errorForResponse('GET', '/orgs/x', status, JSON.stringify({ error: 'E', message: 'the server says no' }));
      assert.ok(error instanceof errorClass);
      assert.equal(exitCodeFor(error), exit);
      assert.match(error.message, /the server says no/);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
      assert.doesNotMatch(error.message, /\n\s+at /);
    });
  }

  it('uses the raw text when the body is not Humanitec JSON', () => {
    assert.equal(serverMessage('Bad Gateway'), 'Bad Gateway');
    assert.equal(serverMessage(''), 'no message');
  });

  it('tells a missing endpoint from a missing object', () => {
    assert.equal(isMissingRoute(JSON.stringify({ error: 'NOT_FOUND', message: 'route "GET /x" not found', details: { kind: 'route' } })), true);
    assert.equal(isMissingRoute(JSON.stringify({ error: 'NOT_FOUND', message: 'application "a" not found', details: { kind: 'application' } })), false);
  });
});

describe('ApiClient against a real HTTP server', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: body ? (JSON.parse(body) as unknown) : null }));
        if (req.url === '/empty') return res.writeHead(204).end();
        if (req.url?.startsWith('/paged')) {
          // Three pages of two, then one; `Link` names the next page (absolute on the second, to be cut to its path).
          const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '0');
          const link = page === 0 ? '</paged?page=1&per_page=2>; rel="next"' : page === 1 ? `<http://elsewhere.invalid/paged?page=2&per_page=2>; rel="next"` : undefined;
          return res.writeHead(200, { 'content-type': 'application/json', ...(link ? { link } : {}) }).end(JSON.stringify(page === 2 ? [5] : [page * 2 + 1, page * 2 + 2]));
        }
        if (req.url === '/endless') return res.writeHead(200, { 'content-type': 'application/json', link: '</endless>; rel="next"' }).end('[1]');
        if (req.url === '/conflict') return res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'CONFLICT', message: 'already exists' }));
        if (req.url?.startsWith('/events')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': comment\n\nevent: log\ndata: {"message":"one"}\n\n');
          res.write('data: two\ndata: lines\n\n');
          return res.end('data: {"message":"three"}\n\n');
        }
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'NOT_FOUND', message: 'nothing here' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the bearer token and JSON body, and parses the JSON answer', async () => {
    const client = new ApiClient({ url, token: 't0k' });
    const body = await client.post<{ echoed: unknown }>('/ok', { a: 1 });
    assert.deepEqual(body.echoed, { a: 1 });
    const last = seen.at(-1)!;
    assert.equal(last.auth, 'Bearer t0k');
    assert.equal(last.method, 'POST');
  });

  it('returns undefined for an empty body and throws Conflict on 409', async () => {
    const client = new ApiClient({ url });
    assert.equal(await client.delete('/empty'), undefined);
    await assert.rejects(client.get('/conflict'), (error: unknown) => error instanceof Conflict && /already exists \(HTTP 409/.test(error.message));
  });

  it('getAllPages follows Link rel="next" on the same server until the last page, and stops an endless chain', async () => {
    const client = new ApiClient({ url });
    seen.length = 0;
    assert.deepEqual(await client.getAllPages<number>('/paged'), [1, 2, 3, 4, 5]);
    assert.deepEqual(seen.map((r) => r.url), ['/paged', '/paged?page=1&per_page=2', '/paged?page=2&per_page=2']);
    await assert.rejects(client.getAllPages('/endless', 3), RequestFailed);
    await assert.rejects(client.getAllPages('/missing'), NotFound);
  });

  it('getOptional gives undefined on 404 only', async () => {
    const client = new ApiClient({ url });
    assert.equal(await client.getOptional('/missing'), undefined);
    await assert.rejects(client.getOptional('/conflict'), Conflict);
  });

  it('reads Server-Sent Events with names and multi-line data', async () => {
    const client = new ApiClient({ url });
    const events: [string, string][] = [];
    await client.stream('/events', (event, data) => events.push([event, data]));
    assert.deepEqual(events, [
      ['log', '{"message":"one"}'],
      ['message', 'two\nlines'],
      ['message', '{"message":"three"}'],
    ]);
  });

  it('an unreachable server is a RequestFailed naming the URL (exit 1)', async () => {
    const client = new ApiClient({ url: 'http://127.0.0.1:1' });
    await assert.rejects(client.get('/x'), (error: unknown) => error instanceof RequestFailed && error.message.includes('127.0.0.1:1') && exitCodeFor(error) === EXIT.failed);
  });
});
