/**
 * PostgreSQL going away under a running Baton (child processes on a fresh schema):
 * - its connections terminated (`pg_terminate_backend`) while it serves and deploys: it stays up and the
 *   deployment ends exactly once, succeeded;
 * - the database unreachable (a TCP proxy in between, paused): requests answer 503 with the error body within a
 *   bounded time, /healthz stays 200, /readyz is 503, and Baton recovers by itself when the proxy resumes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, TEST_POSTGRES_URL } from '../../src/store/testing.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import { api, startSlowDriver, submitSlowDeployment, waitForDeployment } from '../helpers/deploy-scenario.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

function withUrl(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

test('terminating Baton\'s PostgreSQL connections while it serves and deploys: it stays up and the deployment ends exactly once', async () => {
  const database = await createTestDatabase('postgres');
  const applicationName = `baton-test-${randomBytes(4).toString('hex')}`;
  const databaseUrl = withUrl(database.databaseUrl!, (u) => u.searchParams.set('application_name', applicationName));
  const driver = await startSlowDriver(1_500);
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const terminate = async (): Promise<number> =>
    (await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = 'test' and pid <> pg_backend_pid() and application_name = $1`, [applicationName])).rowCount ?? 0;
  const baton = await startBatonProcess({ database: { ...database, databaseUrl }, env: { BATON_ENGINE_LEASE_MS: '3000', BATON_ENGINE_POLL_MS: '100' } });
  try {
    const deployId = await submitSlowDeployment(baton, driver, 'term');
    await driver.firstCall;
    let terminated = 0;
    // Kill its connections repeatedly: during the driver call, while it writes the result, while it idles.
    for (let i = 0; i < 8; i++) {
      terminated += await terminate();
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    assert.ok(terminated > 0, 'the test found Baton\'s connections by application_name');
    const health = await fetch(`${baton.url}/healthz`);
    assert.equal(health.status, 200, `Baton is still up:\n${baton.output()}`);

    const end = await waitForDeployment(() => [baton], 'term', deployId);
    assert.equal(end.status, 'succeeded', JSON.stringify(end.errors));
    assert.equal(end.logs.filter((m) => m === 'deployment succeeded').length, 1, 'it finished exactly once');
    assert.equal((await api(baton, 'GET', '/orgs/local/apps/term')).status, 200, 'it still serves');
  } finally {
    await baton.stop();
    await admin.end();
    driver.close();
    await database.cleanup();
  }
});

test('with the database unreachable requests answer 503 with the error body in bounded time, /healthz 200, /readyz 503, and Baton recovers by itself', async () => {
  const database = await createTestDatabase('postgres');
  const proxy = await startTcpProxy(Number(new URL(TEST_POSTGRES_URL).port || 5432), new URL(TEST_POSTGRES_URL).hostname);
  const databaseUrl = withUrl(database.databaseUrl!, (u) => (u.port = String(proxy.port)));
  const baton = await startBatonProcess({
    database: { ...database, databaseUrl },
    env: { BATON_DATABASE_CONNECT_TIMEOUT_MS: '1000', BATON_DATABASE_STATEMENT_TIMEOUT_MS: '2000' },
  });
  const timed = async (path: string, auth = true) => {
    const started = Date.now();
    const res = await fetch(baton.url + path, { headers: auth ? { authorization: `Bearer ${baton.token}` } : {}, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as { error?: string; message?: string; status?: string }, ms: Date.now() - started };
  };
  try {
    assert.equal((await timed('/orgs/local/apps')).status, 200);
    assert.equal((await timed('/readyz', false)).status, 200);

    proxy.pause();
    // With the proxy paused a request waits for the database until a timeout (1 s connect, 2 s statement) ends it;
    // without those it would wait until the proxy resumes, i.e. for ever (the 30 s abort above). 20 s leaves a
    // loaded machine room.
    for (const path of ['/orgs/local/apps', '/orgs/local/apps', '/orgs/local/envs', '/current-user']) {
      const res = await timed(path);
      assert.equal(res.status, 503, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'STORE_UNAVAILABLE');
      assert.equal(typeof res.body.message, 'string');
      assert.ok(res.ms < 20_000, `${path} answered in ${res.ms} ms`);
    }
    // /healthz does not ask the database: asked while a request is still waiting for it, it answers first (order
    // of events, not a duration: the waiting request cannot end before its 1 s connect timeout).
    let waitingEnded = false;
    const waiting = timed('/orgs/local/apps').finally(() => (waitingEnded = true));
    const health = await timed('/healthz', false);
    assert.equal(health.status, 200);
    assert.equal(waitingEnded, false, `/healthz answered only after a request waiting for the database (${health.ms} ms)`);
    assert.equal((await waiting).status, 503);
    const ready = await timed('/readyz', false);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.error, 'STORE_UNAVAILABLE');
    assert.ok(ready.ms < 20_000, `/readyz answered in ${ready.ms} ms`);

    proxy.resume();
    const deadline = Date.now() + 15_000;
    let last = await timed('/orgs/local/apps');
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      last = await timed('/orgs/local/apps');
    }
    assert.equal(last.status, 200, `recovered: ${JSON.stringify(last.body)}`);
    assert.equal((await timed('/readyz', false)).status, 200);
    assert.equal((await api(baton, 'POST', '/orgs/local/apps', { id: 'after', name: 'After' })).status, 201);
  } finally {
    await baton.stop();
    await proxy.close();
    await database.cleanup();
  }
});
