/**
 * A deployment that takes a while, for tests that break things while it runs: a custom HTTP driver (an in-test
 * server) that answers each provisioning call after `delayMs`, a definition using it for one app, and helpers to
 * call Baton's API (retrying on 503 while the database is away) and wait for the deployment's end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowDriver {
  url: string;
  /** Paths of the PUT (provision) calls seen. */
  calls: string[];
  /** Resolves when the first provisioning call arrives. */
  firstCall: Promise<void>;
  close(): void;
}

/** `firstDelayMs` (default `delayMs`) applies to the first provisioning call only. */
export async function startSlowDriver(delayMs: number, firstDelayMs = delayMs): Promise<SlowDriver> {
  const calls: string[] = [];
  let started!: () => void;
  const firstCall = new Promise<void>((resolve) => (started = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method !== 'PUT') {
        res.writeHead(204).end();
        return;
      }
      calls.push(req.url ?? '');
      started();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: { values: { bucket: 'b-1' }, secrets: {} } })), calls.length === 1 ? firstDelayMs : delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    firstCall,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export interface ApiTarget {
  url: string;
  token: string;
}

export async function api<T>(baton: ApiTarget, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(baton.url + path, {
    method,
    headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Creates app `appId` whose `config` resource `bucket` is provisioned by the slow driver, and submits a deployment. */
export async function submitSlowDeployment(baton: ApiTarget, driver: SlowDriver, appId: string): Promise<string> {
  const must = async (method: string, path: string, body: unknown) => {
    const r = await api<{ id: string }>(baton, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must('POST', '/orgs/local/apps', { id: appId, name: appId });
  await must('POST', '/orgs/local/resources/drivers', { id: `slow-${appId}`, type: 'config', target: driver.url, account_types: [], inputs_schema: {} });
  await must('POST', '/orgs/local/resources/defs', { id: `slow-${appId}`, name: 'slow', type: 'config', driver_type: `local/slow-${appId}`, driver_inputs: { values: {} }, criteria: [{ app_id: appId }] });
  const delta = await must('POST', `/orgs/local/apps/${appId}/deltas`, {
    modules: { add: { api: { profile: 'humanitec/default-module', externals: { bucket: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'api:1', variables: { BUCKET: '${externals.bucket.bucket}' } } } } } } },
  });
  return (await must('POST', `/orgs/local/apps/${appId}/envs/development/deploys`, { delta_id: delta.id })).id;
}

/** Polls the deployment (through whichever Baton answers) until it ends; 503s while the database is away are retried. */
export async function waitForDeployment(batons: () => ApiTarget[], appId: string, deployId: string, timeoutMs = 60_000): Promise<{ status: string; errors: unknown; logs: string[] }> {
  const path = `/orgs/local/apps/${appId}/envs/development/deploys/${deployId}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const baton of batons()) {
      try {
        const r = await api<{ status: string }>(baton, 'GET', path);
        if (r.status === 200 && (r.body.status === 'succeeded' || r.body.status === 'failed')) {
          const errors = (await api(baton, 'GET', `${path}/errors`)).body;
          const logs = (await api<{ message: string }[]>(baton, 'GET', `${path}/baton/logs`)).body.map((l) => l.message);
          return { status: r.body.status, errors, logs };
        }
      } catch {
        // that Baton is not answering (stopped or restarting); try the other or again
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`deployment ${deployId} did not end within ${timeoutMs} ms`);
}
