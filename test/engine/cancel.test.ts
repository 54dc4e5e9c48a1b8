/**
 * `POST .../deploys/{id}/baton/cancel` through the real API, with a custom HTTP driver that is a real HTTP server
 * on 127.0.0.1 and never answers (the global driver deadline is ten minutes): the cancelled deployment ends
 * `failed` with a DEP-CANCELLED error naming who cancelled, the hung driver request is aborted, and the env
 * accepts (201) and runs a new deployment at once. On PostgreSQL the cancel goes to a replica that does not run
 * the job: the running one learns it from the database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

/** A driver server whose `/hang/` requests never get an answer; counts requests received and requests aborted. */
async function hangingDriver(): Promise<{ server: Server; url: string; received: () => number; aborted: () => number }> {
  let received = 0;
  let aborted = 0;
  const server = createServer((req, res) => {
    received++;
    req.resume();
    res.on('close', () => {
      if (!res.writableEnded) aborted++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang/`, received: () => received, aborted: () => aborted };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setUp(h: EngineHarness, app: string, driverUrl: string): Promise<void> {
  assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: app })).status, 201);
  const registered = await h.api('POST', '/orgs/local/resources/drivers', { id: 'hang', type: 'config', target: driverUrl, account_types: [], inputs_schema: {} });
  assert.ok(registered.status < 300, JSON.stringify(registered.body));
  const def = await h.api('POST', '/orgs/local/resources/defs', { id: 'hang-config', name: 'hang', type: 'config', driver_type: 'local/hang', driver_inputs: { values: {} }, criteria: [{ app_id: app, res_id: 'modules.web.externals.stuck' }] });
  assert.equal(def.status, 200, JSON.stringify(def.body));
}

async function deploy(h: EngineHarness, app: string, externals: Record<string, { type: string }>, query = ''): Promise<{ status: number; body: { id: string; status: string } }> {
  const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
    modules: { add: { web: { profile: 'humanitec/default-module', externals, spec: { containers: { main: { id: 'main', image: 'nginx:1' } } } } } },
  });
  return h.api('POST', `/orgs/local/apps/${app}/envs/development/deploys${query}`, { delta_id: delta.body.id });
}

async function assertCancelled(h: EngineHarness, app: string, deployId: string): Promise<void> {
  const envPath = `/orgs/local/apps/${app}/envs/development`;
  assert.equal((await h.api<{ status: string }>('GET', `${envPath}/deploys/${deployId}`)).body.status, 'failed');
  const errors = (await h.api<{ code: string; message: string; scope: string }[]>('GET', `${envPath}/deploys/${deployId}/errors`)).body;
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.code, 'DEP-CANCELLED');
  assert.equal(errors[0]!.scope, 'deployment');
  assert.match(errors[0]!.message, /cancelled by \S+/);
}

void describe('cancelling a deployment (SQLite, one replica)', () => {
  let h: EngineHarness;
  let driver: Awaited<ReturnType<typeof hangingDriver>>;
  const app = 'cancels';
  const envPath = `/orgs/local/apps/${app}/envs/development`;

  before(async () => {
    driver = await hangingDriver();
    h = await startEngineHarness({ engine: { driverTimeoutMs: 600_000 } });
    await setUp(h, app, driver.url);
  });
  after(async () => {
    await h.stop();
    driver.server.closeAllConnections();
    await new Promise<void>((resolve) => driver.server.close(() => resolve()));
  });

  it('a deployment blocked in a hanging HTTP driver is cancelled: failed with DEP-CANCELLED, driver call aborted, the env takes a new deployment at once', async () => {
    const blocked = await deploy(h, app, { stuck: { type: 'config' } });
    assert.equal(blocked.status, 201);
    await until('the driver to be called', () => driver.received() === 1);
    // Queued behind the blocked one: cancelled while still pending.
    const queued = await deploy(h, app, { stuck: { type: 'config' } }, '?queue=true');
    assert.equal(queued.status, 201);

    // The queued one first (it cannot start while the blocked one holds the env), then the running one.
    const pending = await h.api<{ status: string }>('POST', `${envPath}/deploys/${queued.body.id}/baton/cancel`);
    assert.equal(pending.status, 200);
    await assertCancelled(h, app, queued.body.id);

    const cancelled = await h.api<{ status: string }>('POST', `${envPath}/deploys/${blocked.body.id}/baton/cancel`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'failed');
    await assertCancelled(h, app, blocked.body.id);
    await until('the hung driver request to be aborted', () => driver.aborted() === 1, 5_000);

    const next = await deploy(h, app, {});
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal((await waitForDeployment(h, app, 'development', next.body.id)).status, 'succeeded');
    // The cancelled ones stay cancelled and their driver was never called again.
    await assertCancelled(h, app, blocked.body.id);
    await assertCancelled(h, app, queued.body.id);
    assert.equal(driver.received(), 1);

    const again = await h.api<{ error: string; message: string }>('POST', `${envPath}/deploys/${next.body.id}/baton/cancel`);
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already succeeded/);
    assert.equal((await h.api('POST', `${envPath}/deploys/0123456789abcdef/baton/cancel`)).status, 404);
  });
});

void describe('cancelling a deployment (PostgreSQL, two replicas)', () => {
  it('a cancel sent to the replica that does not run the job stops the one that does', { timeout: 60_000 }, async () => {
    const driver = await hangingDriver();
    const database = await createTestDatabase('postgres');
    const secretKey = randomBytes(32).toString('hex');
    const bDataDir = mkdtempSync(join(tmpdir(), 'baton-replica-'));
    const runner = await startEngineHarness({ database, secretKey, engine: { workerId: 'runner', driverTimeoutMs: 600_000 } });
    const other = await startEngineHarness({ database, secretKey, token: runner.token, engine: { workerId: 'other', dataDir: bDataDir, driverTimeoutMs: 600_000 } });
    try {
      await other.engine.stop(); // this replica only answers the API
      const app = 'cancels-pg';
      await setUp(runner, app, driver.url);
      const blocked = await deploy(runner, app, { stuck: { type: 'config' } });
      assert.equal(blocked.status, 201);
      await until('the driver to be called', () => driver.received() === 1);
      const cancelled = await other.api<{ status: string }>('POST', `/orgs/local/apps/${app}/envs/development/deploys/${blocked.body.id}/baton/cancel`);
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      await until('the running replica to abort the hung driver call', () => driver.aborted() === 1, 10_000);
      await assertCancelled(runner, app, blocked.body.id);
      const next = await deploy(runner, app, {});
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.equal((await waitForDeployment(runner, app, 'development', next.body.id)).status, 'succeeded');
      await assertCancelled(runner, app, blocked.body.id);
    } finally {
      await other.stop();
      await runner.stop();
      await database.cleanup();
      rmSync(bDataDir, { recursive: true, force: true });
      driver.server.closeAllConnections();
      await new Promise<void>((resolve) => driver.server.close(() => resolve()));
    }
  });
});
