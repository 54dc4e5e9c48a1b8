/**
 * Kill -9 of `baton serve` while a slow custom (HTTP) driver is provisioning: after a restart on the same data,
 * the deployment resumes from its last completed step and finishes exactly once; the driver sees at most one
 * extra (idempotent) call.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

test('a deployment interrupted by kill -9 completes exactly once after a restart, repeating at most one driver call', async () => {
  const calls: string[] = [];
  let firstCallStarted!: () => void;
  const firstCall = new Promise<void>((resolve) => (firstCallStarted = resolve));
  const driver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'PUT') {
        res.writeHead(204).end();
        return;
      }
      calls.push(req.url ?? '');
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: { values: { bucket: 'b-1' }, secrets: {} } }));
      if (calls.length === 1) {
        firstCallStarted();
        setTimeout(answer, 4_000); // the process is killed long before this
      } else answer();
    });
  });
  await new Promise<void>((resolve) => driver.listen(0, '127.0.0.1', resolve));
  const driverUrl = `http://127.0.0.1:${(driver.address() as AddressInfo).port}/`;
  const env = { BATON_ENGINE_LEASE_MS: '3000', BATON_ENGINE_POLL_MS: '100' };

  let baton: BatonProcess = await startBatonProcess({ env });
  const database = baton.database;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(baton.url + path, {
      method,
      headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  try {
    assert.equal((await call('POST', '/orgs/local/apps', { id: 'crash', name: 'Crash' })).status, 201);
    const registered = await call('POST', '/orgs/local/resources/drivers', { id: 'slow', type: 'config', target: driverUrl, account_types: [], inputs_schema: {} });
    assert.ok(registered.status < 300, JSON.stringify(registered.body));
    const def = await call('POST', '/orgs/local/resources/defs', { id: 'slow-config', name: 'slow', type: 'config', driver_type: 'local/slow', driver_inputs: { values: {} }, criteria: [{ app_id: 'crash' }] });
    assert.ok(def.status < 300, JSON.stringify(def.body));
    const delta = await call<{ id: string }>('POST', '/orgs/local/apps/crash/deltas', {
      modules: { add: { api: { profile: 'humanitec/default-module', externals: { bucket: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'api:1', variables: { BUCKET: '${externals.bucket.bucket}' } } } } } } },
    });
    const deployment = await call<{ id: string; status: string }>('POST', '/orgs/local/apps/crash/envs/development/deploys', { delta_id: delta.body.id });
    assert.equal(deployment.body.status, 'pending');

    await firstCall;
    baton.kill();
    await new Promise((r) => setTimeout(r, 300));
    baton = await startBatonProcess({ database, token: baton.token, env });

    const path = `/orgs/local/apps/crash/envs/development/deploys/${deployment.body.id}`;
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await call<{ status: string }>('GET', path)).body.status;
      if (status === 'succeeded' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'succeeded', JSON.stringify((await call('GET', `${path}/errors`)).body));
    assert.equal(calls.length, 2, `the driver saw the interrupted call and one repeat (saw ${calls.length})`);
    const logs = (await call<{ message: string }[]>('GET', `${path}/baton/logs`)).body.map((l) => l.message);
    assert.equal(logs.filter((m) => m === 'deployment succeeded').length, 1, 'it finished exactly once');
    assert.ok(logs.some((m) => /resumed/.test(m)), 'the log says it was resumed');
    const resources = (await call<{ res_id: string; resource: { bucket?: string } }[]>('GET', '/orgs/local/apps/crash/envs/development/resources')).body;
    assert.equal(resources.find((r) => r.res_id === 'modules.api.externals.bucket')?.resource.bucket, 'b-1');
    // Nothing more happens later: no third call.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(calls.length, 2);
  } finally {
    await baton.stop();
    await database.cleanup();
    driver.close();
  }
});
