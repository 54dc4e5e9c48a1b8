import assert from 'node:assert/strict';
import { it } from 'node:test';
import { requestIdFor } from '../api/observability.js';
import { createEchoDriver } from '../drivers/echo.js';
import type { Driver } from '../drivers/contract.js';
import { createJobsRepo } from '../store/jobs-repo.js';
import { createMetricsRepo } from '../store/metrics-repo.js';
import { forEachDialect } from '../store/testing.js';
import { createMetrics } from './index.js';

const emptySource = { deploymentsByStatus: () => Promise.resolve([]), queuedJobs: () => Promise.resolve([]) };

it('times driver calls by driver, operation and outcome; a failing call is counted as an error and still throws', async () => {
  const metrics = createMetrics(emptySource, { defaultMetrics: false });
  const failing: Driver = { id: 'local/broken', provision: () => Promise.reject(new Error('boom')), deprovision: () => Promise.resolve() };
  const wrapped = metrics.instrumentDriver(failing);
  assert.equal(metrics.instrumentDriver(failing), wrapped, 'one wrapper per driver');
  await assert.rejects(wrapped.provision({} as never), /boom/);
  await wrapped.deprovision({} as never);
  const echo = metrics.instrumentDriver(createEchoDriver());
  assert.equal(echo.id, 'humanitec/echo');
  const { body } = await metrics.scrape();
  assert.match(body, /baton_driver_duration_seconds_count\{driver="local\/broken",operation="provision",outcome="error"\} 1/);
  assert.match(body, /baton_driver_duration_seconds_count\{driver="local\/broken",operation="deprovision",outcome="ok"\} 1/);
  assert.match(body, /baton_queue_depth\{kind="deploy"\} 0/);
  assert.doesNotMatch(body, /baton_process_/, 'default metrics off when asked');
});

it('request ids: a safe x-request-id is kept, anything else becomes a UUID', () => {
  assert.equal(requestIdFor('abc-123_x.y:z'), 'abc-123_x.y:z');
  assert.equal(requestIdFor(['first', 'second']), 'first');
  for (const bad of [undefined, '', 'a b', 'x'.repeat(129), 'inject\n{"level":60}', '<script>']) {
    assert.match(requestIdFor(bad), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, JSON.stringify(bad));
  }
});

forEachDialect('metrics from the store', (getStore) => {
  it('counts queued jobs by kind with the age of the oldest, and deployments by status', async () => {
    const store = getStore();
    const jobs = createJobsRepo(store.db);
    await jobs.enqueue({ id: 'job-1', kind: 'deploy', queueKey: 'a', payload: {} });
    await jobs.enqueue({ id: 'job-2', kind: 'deploy', queueKey: 'b', payload: {} });
    const repo = createMetricsRepo(store.db);
    const [deploy] = await repo.queuedJobs(new Date(Date.now() + 60_000));
    assert.equal(deploy?.kind, 'deploy');
    assert.equal(deploy?.depth, 2);
    assert.ok(deploy.oldestAgeSeconds >= 59 && deploy.oldestAgeSeconds < 120, String(deploy.oldestAgeSeconds));
    const metrics = createMetrics(repo, { defaultMetrics: false });
    const { body } = await metrics.scrape();
    assert.match(body, /baton_queue_depth\{kind="deploy"\} 2/);
    assert.deepEqual(await repo.deploymentsByStatus(), []);
  });
});
