/**
 * Replicas (child processes) on one PostgreSQL schema:
 * - SIGTERM during a deployment: the process exits within BATON_SHUTDOWN_GRACE_MS (plus a little) and another
 *   replica finishes the job; a deployment that ends within the grace period is finished by the stopping process;
 * - a poison job (its attempts spent: every process that ran it died) ends `failed` at claim time, with an error
 *   saying so, and is never run again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../../src/store/testing.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { startSlowDriver, submitSlowDeployment, waitForDeployment } from '../helpers/deploy-scenario.js';

const ENGINE = { BATON_ENGINE_LEASE_MS: '3000', BATON_ENGINE_POLL_MS: '100' };

test('SIGTERM during a deployment: the process exits within the grace period and another replica finishes the job', async () => {
  const database = await createTestDatabase('postgres');
  const env = { ...ENGINE, BATON_SHUTDOWN_GRACE_MS: '1000' };
  // started before the driver: should the start fail (a very loaded machine), no listening driver keeps the file alive
  const first = await startBatonProcess({ database, env });
  const driver = await startSlowDriver(500, 60_000); // the first call outlasts the test
  let second: BatonProcess | undefined;
  try {
    const deployId = await submitSlowDeployment(first, driver, 'term');
    await driver.firstCall;
    second = await startBatonProcess({ database, token: first.token, env });
    const started = Date.now();
    first.signal('SIGTERM');
    const code = await first.exited();
    const tookMs = Date.now() - started;
    // The driver call runs 60 s; a process that waited for it instead of ending at its 1 s grace would take that.
    // 20 s leaves a loaded machine room for the stop itself.
    assert.ok(tookMs < 20_000, `exited ${tookMs} ms after SIGTERM (grace 1000 ms, driver call 60 s)`);
    assert.equal(code, 0, first.output());

    const replica = second;
    const end = await waitForDeployment(() => [replica], 'term', deployId);
    assert.equal(end.status, 'succeeded', JSON.stringify(end.errors));
    assert.equal(end.logs.filter((m) => m === 'deployment succeeded').length, 1, 'it finished exactly once');
    assert.equal(driver.calls.length, 2, `the interrupted driver call and one repeat by the other replica: ${JSON.stringify(driver.calls)} ${end.logs.join(' / ')}`);
  } finally {
    await second?.stop();
    await first.stop();
    driver.close();
    await database.cleanup();
  }
});

test('SIGTERM during a deployment that ends within the grace period: the stopping process finishes it and then exits', async () => {
  const database = await createTestDatabase('postgres');
  // A grace period far longer than the 1 s driver call: exiting well before its end shows the process left as soon
  // as the deployment finished, instead of sitting out the grace period.
  const baton = await startBatonProcess({ database, env: { ...ENGINE, BATON_SHUTDOWN_GRACE_MS: '60000' } });
  const driver = await startSlowDriver(1_000);
  try {
    const deployId = await submitSlowDeployment(baton, driver, 'grace');
    await driver.firstCall;
    const started = Date.now();
    baton.signal('SIGTERM');
    assert.equal(await baton.exited(), 0, baton.output());
    assert.ok(Date.now() - started < 20_000, `it did not wait for the whole grace period (60 s): exited after ${Date.now() - started} ms`);
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      const row = (await client.query<{ status: string }>('select status from deployments where id = $1', [deployId])).rows[0];
      assert.equal(row?.status, 'succeeded', 'finished before exiting');
      const job = (await client.query<{ state: string }>('select state from jobs')).rows[0];
      assert.equal(job?.state, 'succeeded');
    } finally {
      await client.end();
    }
    assert.equal(driver.calls.length, 1);
  } finally {
    await baton.stop();
    driver.close();
    await database.cleanup();
  }
});

test('a poison deployment whose attempts are spent ends failed at claim time with an error saying so, and is never run again', async () => {
  const database = await createTestDatabase('postgres');
  const driver = await startSlowDriver(2_000);
  let baton = await startBatonProcess({ database, env: ENGINE });
  try {
    const deployId = await submitSlowDeployment(baton, driver, 'poison');
    await driver.firstCall;
    // Its process dies during the driver call; every earlier attempt did the same (as a template bomb would).
    baton.kill();
    await baton.exited();
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      const updated = await client.query('update jobs set attempts = max_attempts');
      assert.equal(updated.rowCount, 1);
    } finally {
      await client.end();
    }
    baton = await startBatonProcess({ database, token: baton.token, env: ENGINE });
    const current = baton;
    const end = await waitForDeployment(() => [current], 'poison', deployId);
    assert.equal(end.status, 'failed');
    const errors = end.errors as { message: string; code: string }[];
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.message, /attempts are spent/);
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // longer than the lease: nobody runs it again
    assert.equal(driver.calls.length, 1, 'the driver was never called again');
    assert.equal((await fetch(`${baton.url}/healthz`)).status, 200);
  } finally {
    await baton.stop();
    driver.close();
    await database.cleanup();
  }
});
