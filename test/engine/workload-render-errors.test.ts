/**
 * Issue #23: a promotion to an environment that lacks a shared value the workload reads (the value was created in
 * the source environment only) fails with an error that names the workload and the unresolved placeholder, not
 * `workload : Workload could not be rendered` with an empty workload name. Through the real API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

interface DeployError {
  scope: string;
  object_id: string;
  code: string;
  summary: string;
  message: string;
}

void describe('workload render errors name the workload and the cause', () => {
  let h: EngineHarness;
  const app = 'promo';
  const appPath = `/orgs/local/apps/${app}`;

  before(async () => {
    h = await startEngineHarness();
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Promotion' })).status, 201);
    assert.equal((await h.api('POST', `${appPath}/envs`, { id: 'staging', name: 'Staging', type: 'development' })).status, 201);
  });
  after(() => h.stop());

  it('a promotion to an env without the value fails naming workload "web" and ${values.GREETING}', async () => {
    // The value exists in development only (what `create value` did when it followed the context's env).
    assert.equal((await h.api('POST', `${appPath}/envs/development/values`, { key: 'GREETING', value: 'hello', description: '' })).status, 201);
    const delta = await h.api<{ id: string }>('POST', `${appPath}/deltas`, {
      // In a file: an unset value there stays an error whatever is decided for container variables.
      modules: { add: { web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'busybox:1', files: { '/etc/greeting.txt': { mode: '0644', value: 'Greeting: ${values.GREETING}' } } } } } } } },
    });
    const dev = await h.api<{ id: string }>('POST', `${appPath}/envs/development/deploys`, { delta_id: delta.body.id, comment: 'first' });
    const devDone = await waitForDeployment(h, app, 'development', dev.body.id);
    assert.equal(devDone.status, 'succeeded');

    const promoted = await h.api<{ id: string }>('POST', `${appPath}/envs/staging/deploys`, { set_id: devDone.set_id, comment: 'promote' });
    assert.equal(promoted.status, 201, JSON.stringify(promoted.body));
    assert.equal((await waitForDeployment(h, app, 'staging', promoted.body.id)).status, 'failed');
    const errors = (await h.api<DeployError[]>('GET', `${appPath}/envs/staging/deploys/${promoted.body.id}/errors`)).body;
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const [error] = errors;
    assert.equal(error!.scope, 'workload');
    assert.equal(error!.object_id, 'web');
    assert.match(error!.message, /values\.GREETING/);
    assert.match(error!.message, /workload "web"/);
    assert.match(error!.message, /"GREETING" is not set for this environment .*\(environment "staging"; a value set in another environment only does not follow a promotion\)/);
  });

  it('any other render failure (here a placeholder naming no workload) also carries the workload as object id and in the message', async () => {
    const delta = await h.api<{ id: string }>('POST', `${appPath}/deltas`, {
      modules: { add: { api: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'busybox:1', variables: { URL: '${modules.nobody.service.name}' } } } } } } },
    });
    const deploy = await h.api<{ id: string }>('POST', `${appPath}/envs/development/deploys`, { delta_id: delta.body.id, comment: 'broken' });
    assert.equal((await waitForDeployment(h, app, 'development', deploy.body.id)).status, 'failed');
    const errors = (await h.api<DeployError[]>('GET', `${appPath}/envs/development/deploys/${deploy.body.id}/errors`)).body;
    assert.deepEqual(errors.map((e) => [e.scope, e.object_id]), [['workload', 'api']], JSON.stringify(errors));
    assert.match(errors[0]!.message, /workload "api".*modules\.nobody\.service\.name/);
  });
});
