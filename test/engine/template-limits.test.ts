/**
 * Template bombs through the real API (issue #14): a definition or a workload profile whose Go template would run
 * the server out of memory or block the event loop fails fast with an error naming the limit and the
 * definition/profile; a plan is a 400, a deployment ends `failed`, and the server keeps serving meanwhile.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

const RANGE_BOMB = '{{ range $i := until 100000000 }}x{{ end }}';
const NESTED_BOMB = '{{ range $i := until 10000 }}{{ range $j := until 10000 }}{{ end }}{{ end }}';
const REPEAT_BOMB = '{{ repeat 200000000 "x" }}';

void describe('template render limits through the API', () => {
  let h: EngineHarness;
  const app = 'bombs';

  before(async () => {
    h = await startEngineHarness();
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Bombs' })).status, 201);
    const root = join(h.database.dataDir, 'manifests');
    const cluster = { id: 'bombs-cluster', name: 'directory', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: app }] };
    assert.ok((await h.api('POST', '/orgs/local/resources/defs', cluster)).status < 300);
  });
  after(async () => {
    await h.stop();
  });

  async function createEnv(envId: string): Promise<string> {
    const created = await h.api('POST', `/orgs/local/apps/${app}/envs`, { id: envId, name: envId, type: 'development' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return `/orgs/local/apps/${app}/envs/${envId}`;
  }
  async function delta(body: object): Promise<string> {
    const created = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, body);
    assert.ok(created.status < 300, JSON.stringify(created.body));
    return created.body.id;
  }
  async function bombDefinition(id: string, template: string): Promise<void> {
    const definition = { id, name: id, type: 'config', driver_type: 'humanitec/template', driver_inputs: { values: { templates: { outputs: template } } }, criteria: [{ app_id: app, res_id: `modules.web.externals.${id}` }] };
    const created = await h.api('POST', '/orgs/local/resources/defs', definition);
    assert.ok(created.status < 300, JSON.stringify(created.body));
  }
  const moduleUsing = (external: string) => ({
    profile: 'humanitec/default-module',
    externals: { [external]: { type: 'config' } },
    spec: { containers: { main: { id: 'main', image: 'web:1' } } },
  });
  /**
   * /healthz keeps answering while `work` runs. What proves the limits is the error naming the step budget or the
   * output limit; this only catches a render that holds the event loop for good (the bombs, unlimited, run for
   * minutes or exhaust the heap), so the bound is generous: a loaded machine may delay one answer by seconds.
   */
  async function whileServing<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => (done = true));
    while (!done) {
      const started = performance.now();
      const health = await fetch(`${h.url}/healthz`);
      assert.equal(health.status, 200);
      assert.ok(performance.now() - started < 15_000, `/healthz took ${Math.round(performance.now() - started)} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return result;
  }

  for (const [id, template, limit] of [
    ['range-bomb', RANGE_BOMB, /step budget of 1000000 steps/],
    ['nested-bomb', NESTED_BOMB, /step budget of 1000000 steps/],
    ['repeat-bomb', REPEAT_BOMB, /output limit of 4194304 characters/],
  ] as const) {
    it(`a plan over a definition with a template bomb (${id}) is a 400 naming the limit and the definition`, async () => {
      await bombDefinition(id, template);
      const envPath = await createEnv(`plan-${id}`);
      const planned = await whileServing(h.api<{ message: string }>('POST', `${envPath}/baton/plans`, { delta_id: await delta({ modules: { add: { web: moduleUsing(id) } } }) }));
      assert.equal(planned.status, 400, JSON.stringify(planned.body));
      assert.match(planned.body.message, limit);
      assert.match(planned.body.message, new RegExp(id));
    });
  }

  it('a deployment over a repeat bomb ends failed with the error, stores no huge row, and the server keeps serving', async () => {
    const envPath = await createEnv('deploy-repeat');
    const submitted = await h.api<{ id: string }>('POST', `${envPath}/deploys`, { delta_id: await delta({ modules: { add: { web: moduleUsing('repeat-bomb') } } }) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const done = await whileServing(waitForDeployment(h, app, 'deploy-repeat', submitted.body.id));
    assert.equal(done.status, 'failed');
    const errors = await h.api<{ message: string }[]>('GET', `${envPath}/deploys/${submitted.body.id}/errors`);
    const text = JSON.stringify(errors.body);
    assert.match(text, /output limit of 4194304 characters/);
    assert.match(text, /repeat-bomb/);
    const listed = await fetch(`${h.url}${envPath}/deploys`, { headers: { authorization: `Bearer ${h.token}` } });
    assert.ok((await listed.text()).length < 100_000, 'no 200 MB row is stored or listed');
    assert.ok(text.length < 100_000);
  });

  it('a workload profile with a template bomb fails the plan with a 400 naming the profile and the limit', async () => {
    const created = await h.api('POST', '/orgs/local/workload-profiles', { id: 'bomber', baton_template: NESTED_BOMB });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    const envPath = await createEnv('profile-bomb');
    const deltaId = await delta({ modules: { add: { boom: { profile: 'local/bomber', externals: {}, spec: {} } } } });
    const planned = await whileServing(h.api<{ message: string }>('POST', `${envPath}/baton/plans`, { delta_id: deltaId }));
    assert.equal(planned.status, 400, JSON.stringify(planned.body));
    assert.match(planned.body.message, /local\/bomber/);
    assert.match(planned.body.message, /step budget of 1000000 steps/);

    const submitted = await h.api<{ id: string }>('POST', `${envPath}/deploys`, { delta_id: deltaId });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const done = await whileServing(waitForDeployment(h, app, 'profile-bomb', submitted.body.id));
    assert.equal(done.status, 'failed');
    const errors = JSON.stringify((await h.api('GET', `${envPath}/deploys/${submitted.body.id}/errors`)).body);
    assert.match(errors, /local\/bomber/);
    assert.match(errors, /step budget/);
  });

  it('a driver result over the 1 MiB limit ends the deployment failed, naming the definition, and stores no huge row', async () => {
    await bombDefinition('big-outputs', 'big: {{ repeat 2000000 "x" }}');
    const envPath = await createEnv('deploy-big');
    const submitted = await h.api<{ id: string }>('POST', `${envPath}/deploys`, { delta_id: await delta({ modules: { add: { web: moduleUsing('big-outputs') } } }) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const done = await waitForDeployment(h, app, 'deploy-big', submitted.body.id);
    assert.equal(done.status, 'failed');
    const errors = JSON.stringify((await h.api('GET', `${envPath}/deploys/${submitted.body.id}/errors`)).body);
    assert.match(errors, /definition \\"big-outputs\\"/);
    assert.match(errors, /more than the limit of 1048576/);
    assert.ok(errors.length < 100_000);
    const resources = await fetch(`${h.url}${envPath}/resources`, { headers: { authorization: `Bearer ${h.token}` } });
    assert.ok((await resources.text()).length < 100_000);
  });

  it('shared values over 64 KiB and value keys such as __proto__ are a 400', async () => {
    const big = await h.api<{ message: string }>('POST', `/orgs/local/apps/${app}/values`, { key: 'BIG', description: '', value: 'x'.repeat(300 * 1024) });
    assert.equal(big.status, 400, JSON.stringify(big.body).slice(0, 500));
    assert.match(big.body.message, /value: must NOT have more than 65536 characters/);
    const proto = await h.api<{ message: string }>('POST', `/orgs/local/apps/${app}/values`, { key: '__proto__', description: '', value: 'x' });
    assert.equal(proto.status, 400, JSON.stringify(proto.body));
    assert.equal((await h.api('POST', `/orgs/local/apps/${app}/values`, { key: 'SMALL', description: '', value: 'x' })).status, 201);
  });
});
