/**
 * Failing drivers, the one-deployment-per-env rule (409, or `?queue=true`), orphaned resources, a changed
 * definition re-provisioning (and deprovisioning the old), and DELETE of an active resource.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Driver, ProvisionRequest } from '../../src/drivers/contract.js';
import { DriverFailed } from '../../src/shared/errors.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

interface Call {
  op: 'provision' | 'deprovision';
  driver: string;
  resId: string;
  deployId?: string;
}

function recordingDriver(id: string, calls: Call[], options: { fail?: string; delayMs?: number } = {}): Driver {
  return {
    id,
    async provision(request: ProvisionRequest) {
      calls.push({ op: 'provision', driver: id, resId: request.resId, ...(request.context.deployId ? { deployId: request.context.deployId } : {}) });
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.fail) throw new DriverFailed(options.fail);
      return { values: { ...request.driver.values, from: id }, secrets: {}, manifests: [] };
    },
    deprovision(request: ProvisionRequest) {
      calls.push({ op: 'deprovision', driver: id, resId: request.resId });
      return Promise.resolve();
    },
  };
}

const module = (image: string, externals: Record<string, { type: string }> = {}) => ({
  profile: 'humanitec/default-module',
  externals,
  spec: { containers: { main: { id: 'main', image } } },
});

void describe('deployment failures and resource lifecycle', () => {
  let h: EngineHarness;
  const calls: Call[] = [];
  const app = 'life';
  const envPath = `/orgs/local/apps/${app}/envs/development`;

  before(async () => {
    h = await startEngineHarness({
      extraDrivers: [
        recordingDriver('test/ok', calls),
        recordingDriver('test/ok-two', calls),
        recordingDriver('test/slow', calls, { delayMs: 400 }),
        recordingDriver('test/fail', calls, { fail: 'quota exceeded: no more buckets' }),
      ],
    });
    await h.api('POST', '/orgs/local/apps', { id: app, name: 'Lifecycle' });
    const def = (id: string, type: string, driver: string, criteria: object[]) =>
      h.api('POST', '/orgs/local/resources/defs', { id, name: id, type, driver_type: driver, driver_inputs: { values: { note: id } }, criteria });
    assert.equal((await def('cfg-ok', 'config', 'test/ok', [{ app_id: app, res_id: 'modules.web.externals.settings' }])).status, 200);
    assert.equal((await def('cfg-slow', 'config', 'test/slow', [{ app_id: app, res_id: 'modules.web.externals.slow' }])).status, 200);
    assert.equal((await def('cfg-broken', 'config', 'test/fail', [{ app_id: app, res_id: 'modules.web.externals.broken' }])).status, 200);
  });
  after(() => h.stop());

  async function deploy(delta: object, query = ''): Promise<{ status: number; body: { id: string; status: string } }> {
    const created = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, delta);
    return h.api('POST', `${envPath}/deploys${query}`, { delta_id: created.body.id, comment: 'test' });
  }

  it('a failing driver fails the deployment with an error naming resource, definition and driver; earlier state stays', async () => {
    const good = await deploy({ modules: { add: { web: module('nginx:1', { settings: { type: 'config' } }) } } });
    assert.equal((await waitForDeployment(h, app, 'development', good.body.id)).status, 'succeeded');
    const before = (await h.api<{ res_id: string; deploy_id: string; updated_at: string }[]>('GET', `${envPath}/resources`)).body;

    const bad = await deploy({ modules: { update: { web: [{ op: 'add', path: '/externals/broken', value: { type: 'config' } }] } } });
    assert.equal((await waitForDeployment(h, app, 'development', bad.body.id)).status, 'failed');
    const errors = (await h.api<{ scope: string; object_id: string; message: string; code: string; summary: string; error_type: string }[]>('GET', `${envPath}/deploys/${bad.body.id}/errors`)).body;
    assert.equal(errors.length, 1);
    const [error] = errors;
    assert.equal(error!.scope, 'resource');
    assert.equal(error!.object_id, 'modules.web.externals.broken');
    assert.match(error!.message, /config\.default#modules\.web\.externals\.broken/);
    assert.match(error!.message, /definition "cfg-broken"/);
    assert.match(error!.message, /driver "test\/fail"/);
    assert.match(error!.message, /quota exceeded: no more buckets/);

    // The earlier deployment and its resources are untouched; no resource exists for the failed one.
    assert.equal((await h.api<{ status: string }>('GET', `${envPath}/deploys/${good.body.id}`)).body.status, 'succeeded');
    const afterFail = (await h.api<{ res_id: string; deploy_id: string }[]>('GET', `${envPath}/resources`)).body;
    assert.ok(!afterFail.some((r) => r.res_id === 'modules.web.externals.broken'));
    const settings = (list: { res_id: string; deploy_id: string }[]) => list.find((r) => r.res_id === 'modules.web.externals.settings');
    assert.equal(settings(afterFail)?.deploy_id === good.body.id || settings(afterFail)?.deploy_id === bad.body.id, true);
    assert.equal(settings(before)?.deploy_id, good.body.id);
    // The env still builds on the good deployment.
    const env = (await h.api<{ from_deploy?: { id: string }; last_deploy?: { id: string } }>('GET', envPath)).body;
    assert.equal(env.from_deploy?.id, good.body.id);
    assert.equal(env.last_deploy?.id, bad.body.id);
  });

  it('a second deployment while one is running is a 409, or queued with ?queue=true and run after it', async () => {
    // Back to a good set (rebase on the last success), with the slow driver to keep the env busy.
    const first = await deploy({ modules: { update: { web: [{ op: 'add', path: '/externals/slow', value: { type: 'config' } }] } } });
    assert.equal(first.status, 201);
    const refused = await deploy({ modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'nginx:2' }] } } });
    assert.equal(refused.status, 409);
    const queued = await deploy({ modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'nginx:3' }] } } }, '?queue=true');
    assert.equal(queued.status, 201);
    assert.equal(queued.body.status, 'pending');
    assert.equal((await waitForDeployment(h, app, 'development', first.body.id)).status, 'succeeded');
    assert.equal((await waitForDeployment(h, app, 'development', queued.body.id)).status, 'succeeded');
    const [queuedView, firstView] = await Promise.all([
      h.api<{ from_id: string; status_changed_at: string }>('GET', `${envPath}/deploys/${queued.body.id}`),
      h.api<{ status_changed_at: string }>('GET', `${envPath}/deploys/${first.body.id}`),
    ]);
    assert.equal(queuedView.body.from_id, first.body.id, 'the queued deployment built on the one before it');
    assert.ok(queuedView.body.status_changed_at > firstView.body.status_changed_at);
  });

  it('a removed dependency is kept but orphaned; deleting it deprovisions, ?detach=true only forgets', async () => {
    const removed = await deploy({ modules: { update: { web: [{ op: 'remove', path: '/externals/slow' }, { op: 'remove', path: '/externals/settings' }] } } });
    assert.equal((await waitForDeployment(h, app, 'development', removed.body.id)).status, 'succeeded');
    const orphaned = (await h.api<{ res_id: string; orphaned: boolean }[]>('GET', `${envPath}/resources?orphaned=true`)).body;
    assert.deepEqual(orphaned.map((r) => r.res_id).sort(), ['modules.web.externals.settings', 'modules.web.externals.slow']);
    const live = (await h.api<{ res_id: string }[]>('GET', `${envPath}/resources?orphaned=false`)).body;
    assert.ok(live.every((r) => !r.res_id.includes('externals')));

    const deprovisionsBefore = calls.filter((c) => c.op === 'deprovision').length;
    assert.equal((await h.api('DELETE', `${envPath}/resources/config/modules.web.externals.slow`)).status, 204);
    assert.equal(calls.filter((c) => c.op === 'deprovision').length, deprovisionsBefore + 1);
    assert.equal((await h.api('DELETE', `${envPath}/resources/config.default/modules.web.externals.settings?detach=true`)).status, 204);
    assert.equal(calls.filter((c) => c.op === 'deprovision').length, deprovisionsBefore + 1, 'detach does not call the driver');
    assert.equal((await h.api<unknown[]>('GET', `${envPath}/resources?orphaned=true`)).body.length, 0);
    assert.equal((await h.api('DELETE', `${envPath}/resources/config/modules.web.externals.slow`)).status, 404);
  });

  it('a resource whose matching definition changes is re-provisioned by the new one and deprovisioned by the old', async () => {
    const start = await deploy({ modules: { update: { web: [{ op: 'add', path: '/externals/settings', value: { type: 'config' } }] } } });
    assert.equal((await waitForDeployment(h, app, 'development', start.body.id)).status, 'succeeded');
    // A more specific definition now matches the same resource.
    const created = await h.api('POST', '/orgs/local/resources/defs', {
      id: 'cfg-two', name: 'cfg-two', type: 'config', driver_type: 'test/ok-two', driver_inputs: { values: { note: 'two' } },
      criteria: [{ app_id: app, env_id: 'development', res_id: 'modules.web.externals.settings' }],
    });
    assert.equal(created.status, 200);
    const mark = calls.length;
    const redeploy = await h.api<{ id: string }>('POST', `${envPath}/deploys`, { comment: 'redeploy' });
    assert.equal((await waitForDeployment(h, app, 'development', redeploy.body.id)).status, 'succeeded');
    const recent = calls.slice(mark).filter((c) => c.resId === 'modules.web.externals.settings');
    assert.deepEqual(recent.map((c) => `${c.op}:${c.driver}`), ['provision:test/ok-two', 'deprovision:test/ok']);
    const settings = (await h.api<{ res_id: string; def_id: string; resource: { note: string } }[]>('GET', `${envPath}/resources`)).body.find((r) => r.res_id === 'modules.web.externals.settings');
    assert.equal(settings?.def_id, 'cfg-two');
    assert.equal(settings?.resource.note, 'two');
  });
  it('a module with deploy.when "before" is applied in an earlier target stage than the others', async () => {
    const staged = await deploy({
      modules: { add: { migrate: { ...module('migrate:1'), deploy: { when: 'before' } } } },
    });
    assert.equal((await waitForDeployment(h, app, 'development', staged.body.id)).status, 'succeeded');
    const logs = (await h.api<{ phase: string; message: string }[]>('GET', `${envPath}/deploys/${staged.body.id}/baton/logs`)).body;
    const applies = logs.filter((l) => l.phase === 'deploy' && l.message.startsWith('target '));
    assert.equal(applies.length, 3, 'before, deploy and after stages');
    assert.match(applies[0]!.message, /[1-9]\d* changed/, 'the first stage already applies the migrate module');
    assert.match(applies[1]!.message, / 0 changed/, 'nothing left for the deploy stage of an unchanged web');
  });
});
