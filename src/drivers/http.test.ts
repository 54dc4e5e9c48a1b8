import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DriverFailed } from '../shared/errors.js';
import { callDriver, callDriverDeprovision, type DriverCallRequest } from './registry.js';
import { createHttpDriver } from './http.js';
import { MAX_DRIVER_ANSWER_BYTES } from './contract.js';

/**
 * A driver implementing Humanitec's protocol on 127.0.0.1. Each GUResID's behaviour is chosen by the test
 * through `scenarios`; every received request is recorded so the tests can check what Baton sent.
 */
interface Received {
  method: string;
  path: string;
  cookie: string | undefined;
  body: unknown;
}
type Scenario = (req: Received, count: number, res: ServerResponse) => void;

const scenarios = new Map<string, Scenario>();
const received = new Map<string, Received[]>();
let server: Server;
let target: string;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

before(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const id = (req.url ?? '').split('/').pop() ?? '';
      const cookieHeader = req.headers['humanitec-driver-cookie'];
      const entry: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        cookie: typeof cookieHeader === 'string' ? cookieHeader : undefined,
        body: text === '' ? undefined : JSON.parse(text),
      };
      const list = received.get(id) ?? [];
      list.push(entry);
      received.set(id, list);
      const scenario = scenarios.get(id);
      if (scenario === undefined) {
        res.writeHead(404).end();
        return;
      }
      scenario(entry, list.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/drivers/s3/`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function newGuresid(): string {
  return randomBytes(20).toString('hex');
}

function request(guresid: string, extra: Partial<DriverCallRequest> = {}): DriverCallRequest {
  return {
    guresid,
    type: 's3',
    class: 'default',
    resId: 'modules.api.externals.bucket',
    resource: { region_hint: 'eu' },
    driver: { values: { region: 'eu-central-1' }, secrets: { token: 's3cr3t' } },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', envType: 'development' },
    log: () => undefined,
    ...extra,
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const driver = () => createHttpDriver({ id: 'acme/s3', target, type: 's3', pollIntervalMs: 20, maxPollIntervalMs: 50 });

describe('custom HTTP driver', () => {
  it('sends InputData with PUT to {target}{GUResID}, re-sends after 202 and returns the 200 outputs', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, count, res) => {
      if (count < 3) {
        json(res, 202, { status: 'creating' });
        return;
      }
      json(res, 200, {
        id,
        type: 's3',
        resource: { values: { bucket: `bucket-${id.slice(0, 8)}`, region: 'eu-central-1' }, secrets: { aws_secret_access_key: 'k' } },
        manifests: [{ location: 'namespace', data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } }],
      });
    });
    const result = await callDriver(driver(), request(id), { timeoutMs: 5_000 });

    const calls = received.get(id)!;
    assert.equal(calls.length, 3, 'two 202 answers then a 200 means three PUTs');
    for (const call of calls) {
      assert.equal(call.method, 'PUT');
      assert.equal(call.path, `/drivers/s3/${id}`);
      assert.deepEqual(call.body, {
        type: 's3',
        resource: { region_hint: 'eu' },
        driver: { values: { region: 'eu-central-1' }, secrets: { token: 's3cr3t' } },
      });
    }
    assert.deepEqual(result.values, { bucket: `bucket-${id.slice(0, 8)}`, region: 'eu-central-1' });
    assert.deepEqual(result.secrets, { aws_secret_access_key: 'k' });
    assert.deepEqual(result.manifests, [
      { name: 'manifest-0', location: 'namespace', data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } },
    ]);
    assert.equal(result.cookie, undefined, 'no Set-Humanitec-Driver-Cookie header means no cookie');
  });

  it('sends the previous cookie and stores the one the driver sets, including one set during polling', async () => {
    const id = newGuresid();
    scenarios.set(id, (req, count, res) => {
      if (count === 1) {
        json(res, 202, {}, { 'Set-Humanitec-Driver-Cookie': 'c2' });
        return;
      }
      json(res, 200, { id, type: 's3', resource: { values: { seen: req.cookie ?? null }, secrets: {} }, manifests: [] }, {
        'Set-Humanitec-Driver-Cookie': 'c3',
      });
    });
    const result = await callDriver(driver(), request(id, { cookie: 'c1' }), { timeoutMs: 5_000 });
    assert.deepEqual(
      received.get(id)!.map((r) => r.cookie),
      ['c1', 'c2'],
      'first PUT carries the stored cookie, the re-sent PUT the one set by the 202',
    );
    assert.equal(result.cookie, 'c3');
    assert.deepEqual(result.values, { seen: 'c2' });

    // Round trip: the stored cookie goes out on the next deployment.
    const second = await callDriver(driver(), request(id, { cookie: result.cookie }), { timeoutMs: 5_000 });
    assert.equal(received.get(id)!.at(-1)!.cookie, 'c3');
    assert.equal(second.cookie, 'c3');
  });

  it('turns an empty Set-Humanitec-Driver-Cookie into "no cookie"', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) => {
      json(res, 200, { id, type: 's3', resource: { values: {}, secrets: {} }, manifests: [] }, { 'Set-Humanitec-Driver-Cookie': '' });
    });
    const result = await callDriver(driver(), request(id, { cookie: 'old' }), { timeoutMs: 5_000 });
    assert.equal(result.cookie, undefined);
  });

  it('reports a 400 as a non-retryable DriverFailed carrying the driver message', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) => json(res, 400, { error: 'BAD_INPUT', message: 'region "mars-1" is not supported' }));
    await assert.rejects(callDriver(driver(), request(id), { timeoutMs: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /acme\/s3/);
      assert.match(error.message, /400/);
      assert.match(error.message, /region "mars-1" is not supported/);
      assert.equal(error.retryable, false);
      assert.equal(error.details.status, 400);
      return true;
    });
  });

  it('reports a 5xx as retryable', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('backend down'));
    await assert.rejects(callDriver(driver(), request(id), { timeoutMs: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /503.*backend down/);
      assert.equal(error.retryable, true);
      return true;
    });
  });

  // The error names the deadline, so the deadline ended the polling (without it the 202s would go on forever and
  // the test's own timeout fails it); then the PUT count must stay put. No clock on how soon: a loaded machine
  // decides that.
  it('fails with a retryable timeout when the driver keeps answering 202', { timeout: 60_000 }, async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) => json(res, 202, { status: 'creating' }));
    await assert.rejects(callDriver(driver(), request(id), { timeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /within its deadline of 300 ms/);
      assert.equal(error.retryable, true);
      return true;
    });
    assert.ok(received.get(id)!.length >= 2, `polled more than once before the deadline`);
    // A PUT already on the wire at the deadline may still reach the server a little later on a loaded
    // machine; what must not happen is polling going on. Let stragglers land (a generous second), then watch for
    // several poll intervals (20-50 ms here): the count must stay put.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const settled = received.get(id)!.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(received.get(id)!.length, settled, 'no PUT is sent after the deadline');
  });

  it('aborts a request the driver never answers when the time is up', async () => {
    const id = newGuresid();
    scenarios.set(id, () => undefined); // hangs
    await assert.rejects(callDriver(driver(), request(id), { timeoutMs: 200 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.equal(error.retryable, true);
      return true;
    });
  });

  it('deprovisions with DELETE, polling through 202 until 204, and sends the cookie', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, count, res) => res.writeHead(count === 1 ? 202 : 204).end());
    await callDriverDeprovision(driver(), request(id, { cookie: 'state' }), { timeoutMs: 5_000 });
    const calls = received.get(id)!;
    assert.deepEqual(
      calls.map((c) => [c.method, c.path, c.cookie, c.body]),
      [
        ['DELETE', `/drivers/s3/${id}`, 'state', undefined],
        ['DELETE', `/drivers/s3/${id}`, 'state', undefined],
      ],
    );
  });

  it('treats DELETE of an unknown resource (404) as success and a DELETE error as a failure', async () => {
    const gone = newGuresid(); // no scenario: the server answers 404
    await callDriverDeprovision(driver(), request(gone), { timeoutMs: 5_000 });
    assert.equal(received.get(gone)!.length, 1);

    const broken = newGuresid();
    scenarios.set(broken, (_req, _count, res) => json(res, 500, { message: 'cannot delete bucket: not empty' }));
    await assert.rejects(callDriverDeprovision(driver(), request(broken), { timeoutMs: 5_000 }), /cannot delete bucket: not empty/);
  });

  it('rejects a 200 body that breaks the protocol', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) =>
      json(res, 200, { id, resource: { values: {} }, manifests: [{ location: 'everywhere', data: {} }] }),
    );
    await assert.rejects(callDriver(driver(), request(id), { timeoutMs: 5_000 }), /location "everywhere"/);
  });

  it('delivers the driver account inside driver.secrets.account and joins a target without trailing slash', async () => {
    const id = newGuresid();
    scenarios.set(id, (_req, _count, res) => json(res, 200, { id, resource: { values: {}, secrets: {} }, manifests: [] }));
    const noSlash = createHttpDriver({ id: 'acme/s3', target: target.replace(/\/$/, '') });
    await callDriver(noSlash, request(id, { account: { aws_access_key_id: 'AKIA' } }), { timeoutMs: 5_000 });
    const call = received.get(id)![0]!;
    assert.equal(call.path, `/drivers/s3/${id}`);
    assert.deepEqual((call.body as { driver: unknown }).driver, {
      values: { region: 'eu-central-1' },
      secrets: { token: 's3cr3t', account: { aws_access_key_id: 'AKIA' } },
    });
  });

  it('reports an unreachable driver as retryable', async () => {
    // Port 9 (discard) on loopback is closed on this machine; the connection is refused.
    const unreachable = createHttpDriver({ id: 'acme/nowhere', target: 'http://127.0.0.1:9/' });
    await assert.rejects(callDriver(unreachable, request(newGuresid()), { timeoutMs: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /could not be reached/);
      assert.equal(error.retryable, true);
      return true;
    });
  });
});

describe('custom HTTP driver transport', () => {
  it('fails (retryably) when the driver closes the connection in the middle of a response body', async () => {
    const guresid = newGuresid();
    scenarios.set(guresid, (_req, _count, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"resource":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const driver = createHttpDriver({ id: 'acme/s3', target });
    await assert.rejects(callDriver(driver, request(guresid), { timeoutMs: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.equal(error.retryable, true);
      assert.doesNotMatch(error.message, /deadline/);
      return true;
    });
  });

  it('stops reading an answer larger than any result the engine accepts, and fails naming the limit', async () => {
    const guresid = newGuresid();
    let written = 0;
    scenarios.set(guresid, (_req, _count, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"resource":{"values":{"blob":"');
      // An endless answer: the driver must give up on its own, not buffer it all.
      const chunk = 'x'.repeat(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed && written < 64 * MAX_DRIVER_ANSWER_BYTES) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    await assert.rejects(callDriver(createHttpDriver({ id: 'acme/s3', target }), request(guresid), { timeoutMs: 10_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, new RegExp(`limit of ${MAX_DRIVER_ANSWER_BYTES} bytes`));
      return true;
    });
    assert.ok(written < 16 * MAX_DRIVER_ANSWER_BYTES, `the driver stopped the answer early (${written} bytes written)`);
  });
});
