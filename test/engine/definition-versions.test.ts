/**
 * Issue 18: definition versions and pins change what a deployment actually provisions. A definition is changed,
 * an old version promoted, a newer one proposed and a resource pinned to it, then unpinned; after each step a
 * redeployment of the same set provisions the resource (echo driver: its outputs are its inputs) with exactly the
 * version the step selects, the active resource records that version, and the plan predicts it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

interface Active {
  type: string;
  res_id: string;
  def_id: string;
  def_version_id: string;
  target_def_version_id?: string;
  resource: { greeting?: string };
}

void describe('definition versions and pins drive deployments', () => {
  let h: EngineHarness;
  const app = 'greeter';
  const env = `/orgs/local/apps/${app}/envs/development`;
  const defPath = '/orgs/local/resources/defs/greeting';
  let deltaId = '';

  before(async () => {
    h = await startEngineHarness();
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Greeter' })).status, 201);
    const created = await h.api('POST', '/orgs/local/resources/defs', {
      id: 'greeting',
      name: 'greeting',
      type: 'config',
      driver_type: 'humanitec/echo',
      driver_inputs: { values: { greeting: 'hello v1' } },
      criteria: [{ app_id: app }],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: {
        add: {
          web: {
            profile: 'humanitec/default-module',
            externals: { cfg: { type: 'config' } },
            spec: { containers: { main: { id: 'main', image: 'nginx:1', variables: { GREETING: '${externals.cfg.greeting}' } } } },
          },
        },
      },
    });
    assert.equal(delta.status, 200, JSON.stringify(delta.body));
    deltaId = delta.body.id;
  });
  after(async () => {
    await h.stop();
  });

  /** Deploys the same delta again and returns the config resource as the environment now has it. */
  const deploy = async (): Promise<Active> => {
    const started = await h.api<{ id: string }>('POST', `${env}/deploys`, { delta_id: deltaId, comment: 'redeploy' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const done = await waitForDeployment(h, app, 'development', started.body.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const active = await h.api<Active[]>('GET', `${env}/resources`);
    const cfg = active.body.find((r) => r.type === 'config' && r.res_id === 'modules.web.externals.cfg');
    assert.ok(cfg, `the config resource is active: ${JSON.stringify(active.body.map((r) => r.res_id))}`);
    return cfg;
  };
  const activeVersion = async (): Promise<string> => (await h.api<{ active_version_id: string }>('GET', defPath)).body.active_version_id;
  /**
   * What a plan of the same delta predicts: the version the config resource would be provisioned with, and what the
   * workload's objects become (the diff text against the last deployment).
   */
  const plan = async (): Promise<{ version: string | undefined; diff: string }> => {
    const planned = await h.api<{ resources: { res_id: string; def_version_id: string }[]; manifests: { changed: { diff: string }[] } }>('POST', `${env}/baton/plans`, { delta_id: deltaId });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    return {
      version: planned.body.resources.find((r) => r.res_id === 'modules.web.externals.cfg')?.def_version_id,
      diff: planned.body.manifests.changed.map((c) => c.diff).join('\n'),
    };
  };

  it('deploys the active version; a change, then promoting the old version, switch what the next deployment provisions', async () => {
    const v1 = await activeVersion();
    let cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id], ['hello v1', v1]);

    const patched = await h.api<{ active_version_id: string }>('PATCH', defPath, { driver_inputs: { values: { greeting: 'hello v2' } } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const v2 = patched.body.active_version_id;
    assert.notEqual(v2, v1);
    cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id], ['hello v2', v2]);

    assert.equal((await h.api('POST', `${defPath}/versions/${v1}/actions/promote`)).status, 204);
    assert.equal(await activeVersion(), v1);
    const predicted = await plan();
    assert.equal(predicted.version, v1);
    assert.match(predicted.diff, /hello v1/, 'the plan predicts the promoted version');
    cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id], ['hello v1', v1], 'back to the old behaviour');
  });

  it('leaves a proposed version unused until a resource is pinned to it; unpinning returns to the active version', async () => {
    const v1 = await activeVersion();
    const proposed = await h.api<{ active_version_id: string }>('PUT', defPath, { name: 'greeting', driver_inputs: { values: { greeting: 'hello v3' } }, proposed: true });
    assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
    assert.equal(proposed.body.active_version_id, v1, 'a proposed version does not become active');
    const versions = await h.api<{ id: string; proposed: boolean; active: boolean }[]>('GET', `${defPath}/versions`);
    const v3 = versions.body[0]!;
    assert.deepEqual([v3.proposed, v3.active], [true, false]);
    let cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id], ['hello v1', v1], 'the proposed version is not deployed');

    const pinned = await h.api<Active>('POST', `${env}/resources/config/modules.web.externals.cfg/actions/pin`, { target_def_version_id: v3.id });
    assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
    assert.equal(pinned.body.target_def_version_id, v3.id);
    const predicted = await plan();
    assert.equal(predicted.version, v3.id);
    assert.match(predicted.diff, /hello v3/, 'the plan predicts the pinned version');
    cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id, cfg.target_def_version_id], ['hello v3', v3.id, v3.id], 'the pinned version is deployed and the pin stays');
    assert.equal(await activeVersion(), v1, 'pinning leaves the definition on its active version');

    // An archived version cannot be pinned; the pinned one cannot be archived.
    const archivePinned = await h.api<{ message: string }>('POST', `${defPath}/versions/${v3.id}/actions/archive`, {});
    assert.equal(archivePinned.status, 400, JSON.stringify(archivePinned.body));

    const unpinned = await h.api<Active>('POST', `${env}/resources/config.default/modules.web.externals.cfg/actions/pin`, { target_def_version_id: null });
    assert.equal(unpinned.status, 200, JSON.stringify(unpinned.body));
    assert.equal(unpinned.body.target_def_version_id, undefined);
    cfg = await deploy();
    assert.deepEqual([cfg.resource.greeting, cfg.def_version_id], ['hello v1', v1]);
  });
});
