/**
 * Environment events reach the webhooks that subscribe to them (and only those, and not disabled ones), rendered
 * with the environment's properties; a name (not only an IP) is delivered to through the guarded DNS lookup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';
import { startReceiver } from './receiver.js';
import type { Receiver } from './receiver.js';

describe('environment events and webhooks', () => {
  let baton: InProcessBaton;
  let receiver: Receiver;
  before(async () => {
    baton = await startInProcessBaton();
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    await baton.stop();
  });
  const api = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    baton.app.inject({ method, url, headers: baton.authHeaders, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  it('environment/created and environment/deleted are delivered with the rendered payload; disabled and other hooks get nothing', async () => {
    assert.equal((await api('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).statusCode, 201);
    const byName = receiver.url.replace('127.0.0.1', 'localhost');
    const payload = { what: '${event}', env: '${env_id} (${name}, ${type})', app: '${app_id}', nothing: '${deploy_id}' };
    const envs = [{ scope: 'environment', type: 'created' }, { scope: 'environment', type: 'deleted' }];
    assert.equal((await api('POST', '/orgs/local/apps/shop/webhooks', { id: 'envs', url: byName, payload, triggers: envs })).statusCode, 201);
    assert.equal((await api('POST', '/orgs/local/apps/shop/webhooks', { id: 'off', url: `${receiver.url}?off`, triggers: envs, disabled: true })).statusCode, 201);
    assert.equal((await api('POST', '/orgs/local/apps/shop/webhooks', { id: 'deploys', url: `${receiver.url}?deploys`, triggers: [{ scope: 'deployment', type: 'finished' }] })).statusCode, 201);

    assert.equal((await api('POST', '/orgs/local/apps/shop/envs', { id: 'qa', name: 'QA', type: 'staging' })).statusCode, 201);
    assert.equal((await api('DELETE', '/orgs/local/apps/shop/envs/qa')).statusCode, 204);
    const got = await receiver.waitFor(() => true, 2);
    assert.deepEqual(got.map((r) => JSON.parse(r.body) as { what: string }).sort((a, b) => String(a.what).localeCompare(String(b.what))), [
      { what: 'environment/created', env: 'qa (QA, staging)', app: 'shop', nothing: '' },
      { what: 'environment/deleted', env: 'qa (QA, staging)', app: 'shop', nothing: '' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 2, 'the disabled webhook and the deployment webhook got nothing');
  });

  it('a delivery that cannot even be prepared (its sealed secret no longer opens) waits for the backoff instead of spinning', async () => {
    assert.equal((await api('POST', '/orgs/local/apps', { id: 'broken', name: 'Broken' })).statusCode, 201);
    assert.equal((await api('POST', '/orgs/local/apps/broken/webhooks', { id: 'hook', url: receiver.url, triggers: [{ scope: 'environment', type: 'created' }] })).statusCode, 201);
    await baton.store.db.updateTable('webhooks').set({ secret_sealed: 'not-a-sealed-value' }).where('app_id', '=', 'broken').execute();
    const before = receiver.received.length;
    assert.equal((await api('POST', '/orgs/local/apps/broken/envs', { id: 'qa', name: 'QA', type: 'staging' })).statusCode, 201);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const jobs = await baton.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'webhook').where('id', 'like', 'webhook-local-broken-%').execute();
    assert.equal(jobs.length, 1);
    const job = jobs[0]!;
    assert.equal(job.state, 'queued');
    assert.equal(Number(job.attempts), 1, 'tried once, then waits');
    assert.ok(Date.parse(job.run_at) > Date.now() + 5_000, `the retry waits for the backoff (run_at ${job.run_at})`);
    assert.match(job.last_error ?? '', /unknown format/);
    assert.equal(receiver.received.length, before, 'nothing was sent unsigned');
    const deliveries = await baton.app.inject({ method: 'GET', url: '/orgs/local/apps/broken/webhooks/hook/baton/deliveries', headers: baton.authHeaders });
    const [delivery] = deliveries.json<{ state: string; attempts: { n: number; error?: string }[] }[]>();
    assert.equal(delivery!.state, 'retrying');
    assert.deepEqual(delivery!.attempts.map((a) => a.n), [1]);
    assert.match(delivery!.attempts[0]!.error ?? '', /unknown format/);
  });

  it('a cancelled deployment sends deployment/finished with status failed', async () => {
    assert.equal((await api('POST', '/orgs/local/apps', { id: 'cancel', name: 'Cancel' })).statusCode, 201);
    assert.equal((await api('POST', '/orgs/local/apps/cancel/webhooks', { id: 'hook', url: receiver.url, payload: { e: '${event}', s: '${status}', d: '${deploy_id}' }, triggers: [{ scope: 'deployment', type: 'finished' }] })).statusCode, 201);
    await baton.baton.engine.stop(); // the deployment stays pending
    const delta = await api('POST', '/orgs/local/apps/cancel/deltas', { modules: {} });
    const deploy = await api('POST', '/orgs/local/apps/cancel/envs/development/deploys', { delta_id: delta.json<{ id: string }>().id });
    const deployId = deploy.json<{ id: string }>().id;
    assert.equal((await api('POST', `/orgs/local/apps/cancel/envs/development/deploys/${deployId}/baton/cancel`)).statusCode, 200);
    const [finished] = await receiver.waitFor((r) => r.body.includes(deployId));
    assert.deepEqual(JSON.parse(finished!.body), { e: 'deployment/finished', s: 'failed', d: deployId });
  });

  it('an event emitted twice (a deployment resumed after a crash) is one delivery', async () => {
    assert.equal((await api('POST', '/orgs/local/apps', { id: 'twice', name: 'Twice' })).statusCode, 201);
    assert.equal((await api('POST', '/orgs/local/apps/twice/webhooks', { id: 'hook', url: receiver.url, triggers: [{ scope: 'deployment', type: 'started' }] })).statusCode, 201);
    const event = { scope: 'deployment', type: 'started', key: 'd-1', orgId: 'local', appId: 'twice', properties: { event: 'deployment/started', deploy_id: 'd-1' } };
    assert.equal(await baton.baton.services.ci.webhooks.emit(event), 1);
    assert.equal(await baton.baton.services.ci.webhooks.emit(event), 0);
    assert.equal(await baton.baton.services.ci.webhooks.emit({ ...event, key: 'd-2' }), 1);
    const deliveries = await baton.app.inject({ method: 'GET', url: '/orgs/local/apps/twice/webhooks/hook/baton/deliveries', headers: baton.authHeaders });
    assert.equal(deliveries.json<unknown[]>().length, 2);
  });
});
