import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { nodeFetch } from './http.js';
import type { Fetch } from './http.js';

// The global fetch fits the same type, so ApiClient can be given either.
const _globalFetchFits: Fetch = fetch;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('nodeFetch (the CLI transport over node:http)', () => {
  let server: Server;
  let base: string;
  const streams = new Set<ServerResponse>();

  before(async () => {
    server = createServer((request, response) => {
      void (async () => {
        const body = await readBody(request);
        if (request.url === '/echo') {
          response.writeHead(201, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ method: request.method, body, headers: request.headers }));
        } else if (request.url === '/empty') {
          response.writeHead(204).end();
        } else if (request.url === '/events') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: one\n\n');
          streams.add(response);
          response.on('close', () => streams.delete(response));
        } else {
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"nope"}');
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const response of streams) response.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends method, headers and a string body, and answers with status, headers and text', async () => {
    const response = await nodeFetch(`${base}/echo`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"a":"é"}' });
    assert.equal(response.status, 201);
    assert.equal(response.ok, true);
    const echoed = JSON.parse(await response.text()) as { method: string; body: string; headers: Record<string, string> };
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.body, '{"a":"é"}');
    assert.equal(echoed.headers.authorization, 'Bearer t');
    assert.equal(echoed.headers['content-length'], String(Buffer.byteLength('{"a":"é"}')));
  });

  it('gives a non-2xx status as a response (not an error), and a 204 without a body', async () => {
    const missing = await nodeFetch(`${base}/missing`, { method: 'GET', headers: {} });
    assert.equal(missing.status, 404);
    assert.equal(missing.ok, false);
    assert.equal(await missing.text(), '{"message":"nope"}');
    const empty = await nodeFetch(`${base}/empty`, { method: 'DELETE', headers: {} });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    assert.equal(await empty.text(), '');
  });

  it('streams the body as it arrives and stops on abort', async () => {
    const abort = new AbortController();
    const response = await nodeFetch(`${base}/events`, { method: 'GET', headers: { accept: 'text/event-stream' }, signal: abort.signal });
    const chunks = (response.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await chunks.next();
    assert.equal(Buffer.from(first.value as Uint8Array).toString('utf8'), 'data: one\n\n');
    abort.abort();
    // The body ends in an error (ApiClient.stream sees its signal aborted and returns quietly).
    await assert.rejects(chunks.next());
  });

  it('fails like fetch when the server cannot be reached: TypeError "fetch failed" with the network error as cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(nodeFetch(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {} }), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      assert.match((error.cause as Error).message, /ECONNREFUSED/);
      return true;
    });
  });

  it('rejects with the abort reason when aborted before the answer', async () => {
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(nodeFetch(`${base}/echo`, { method: 'GET', headers: {}, signal: abort.signal }), (error: unknown) => (error as Error).name === 'AbortError');
  });
});
