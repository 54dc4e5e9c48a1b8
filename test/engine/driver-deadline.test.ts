/**
 * Driver deadlines through the real API: a custom HTTP driver (a real HTTP server on 127.0.0.1) that never
 * answers, or answers 202 forever, is stopped by its definition's `baton_timeout_seconds` although the global
 * deadline (BATON_DRIVER_TIMEOUT_MS) is ten minutes; the deployment fails naming driver, definition and deadline.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

void describe('driver deadlines', () => {
  let h: EngineHarness;
  let server: Server;
  const bodies: unknown[] = [];
  const app = 'deadlines';
  const envPath = `/orgs/local/apps/${app}/envs/development`;

  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        if (text !== '') bodies.push(JSON.parse(text));
        if (req.url?.startsWith('/pending/')) res.writeHead(202).end();
        else if (req.url?.startsWith('/ok/')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"resource":{"values":{"ok":true}}}');
        // /hang/: never answers.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startEngineHarness({ engine: { driverTimeoutMs: 600_000 } });
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: app })).status, 201);
    for (const [id, path] of [['hang', 'hang'], ['pending', 'pending'], ['fine', 'ok']] as const) {
      const registered = await h.api('POST', '/orgs/local/resources/drivers', { id, type: 'config', target: `${base}/${path}/`, account_types: [], inputs_schema: {} });
      assert.ok(registered.status < 300, JSON.stringify(registered.body));
    }
    const def = (id: string, driver: string, resId: string, values: object) =>
      h.api('POST', '/orgs/local/resources/defs', { id, name: id, type: 'config', driver_type: driver, driver_inputs: { values }, criteria: [{ app_id: app, res_id: resId }] });
    for (const [id, driver, res, seconds] of [['hang-config', 'local/hang', 'hang', 1], ['pending-config', 'local/pending', 'pending', 1], ['ok-config', 'local/fine', 'ok', 30]] as const) {
      const created = await def(id, driver, `modules.web.externals.${res}`, { region: 'eu', baton_timeout_seconds: seconds });
      assert.equal(created.status, 200, JSON.stringify(created.body));
    }
  });
  after(async () => {
    await h.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function deploy(externals: Record<string, { type: string }>): Promise<{ status: number; body: { id: string } }> {
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: { add: { web: { profile: 'humanitec/default-module', externals, spec: { containers: { main: { id: 'main', image: 'nginx:1' } } } } } },
    });
    return h.api('POST', `${envPath}/deploys`, { delta_id: delta.body.id, comment: 'deadline' });
  }

  for (const kind of ['hang', 'pending'] as const) {
    it(`a driver that ${kind === 'hang' ? 'never answers' : 'answers 202 forever'} is stopped at its definition's deadline, the error names driver, definition and deadline`, async () => {
      const created = await deploy({ [kind]: { type: 'config' } });
      assert.equal(created.status, 201);
      // The global deadline is ten minutes: ending within two (room for a loaded machine) and with the error naming
      // the definition's 1 s deadline shows that one stopped the call.
      const done = await waitForDeployment(h, app, 'development', created.body.id, 120_000);
      assert.equal(done.status, 'failed');
      const errors = (await h.api<{ message: string }[]>('GET', `${envPath}/deploys/${created.body.id}/errors`)).body;
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0]!.message, new RegExp(`definition "${kind}-config"`));
      assert.match(errors[0]!.message, new RegExp(`driver "local/${kind}"`));
      assert.match(errors[0]!.message, /deadline of 1 s/);
    });
  }

  it('the deadline field is Baton\'s: never sent to the driver, and a bad value is refused with 400', async () => {
    const created = await deploy({ ok: { type: 'config' } });
    assert.equal((await waitForDeployment(h, app, 'development', created.body.id)).status, 'succeeded');
    assert.ok(bodies.length > 0);
    for (const body of bodies) {
      const values = (body as { driver: { values: Record<string, unknown> } }).driver.values;
      assert.equal(values.region, 'eu');
      assert.ok(!('baton_timeout_seconds' in values), JSON.stringify(values));
    }
    const bad = await h.api<{ message: string }>('POST', '/orgs/local/resources/defs', {
      id: 'bad-deadline', name: 'x', type: 'config', driver_type: 'local/fine', driver_inputs: { values: { baton_timeout_seconds: 'soon' } }, criteria: [{ app_id: 'other' }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /baton_timeout_seconds/);
  });
});

void describe('the global driver deadline (BATON_DRIVER_TIMEOUT_MS)', () => {
  it('stops a custom HTTP driver that never answers when the definition sets no deadline of its own', async () => {
    const server = createServer((req) => req.resume()); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const h = await startEngineHarness({ engine: { driverTimeoutMs: 1_500 } });
    try {
      const app = 'global-deadline';
      assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: app })).status, 201);
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      assert.ok((await h.api('POST', '/orgs/local/resources/drivers', { id: 'silent', type: 'config', target, account_types: [], inputs_schema: {} })).status < 300);
      assert.equal((await h.api('POST', '/orgs/local/resources/defs', { id: 'silent-config', name: 's', type: 'config', driver_type: 'local/silent', driver_inputs: { values: {} }, criteria: [{ app_id: app }] })).status, 200);
      const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
        modules: { add: { web: { profile: 'humanitec/default-module', externals: { cfg: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'nginx:1' } } } } } },
      });
      const created = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/development/deploys`, { delta_id: delta.body.id });
      assert.equal(created.status, 201);
      assert.equal((await waitForDeployment(h, app, 'development', created.body.id, 15_000)).status, 'failed');
      const errors = (await h.api<{ message: string }[]>('GET', `/orgs/local/apps/${app}/envs/development/deploys/${created.body.id}/errors`)).body;
      assert.match(errors[0]?.message ?? '', /definition "silent-config".*driver "local\/silent".*deadline of 1500 ms/s);
    } finally {
      await h.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
