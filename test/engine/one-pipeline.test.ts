/**
 * Issue 13: every path reads the same definitions and walks the same pipeline. On a fresh Baton, explain, graph,
 * plan and deployment name the same default definitions; the graph a deployment reports is served by id with its
 * edges; a plan renders a workload that reads another workload's service name; and outputs that miss a field the
 * resource type requires fail the plan as they would fail the deployment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

interface PlanBody {
  id: string;
  resources: { gu_res_id: string; res_id: string; type: string; def_id: string; action: string }[];
  objects: { key: string; workload?: string }[];
  unresolved_workloads: unknown[];
}

const container = (image: string, variables: Record<string, string> = {}) => ({ containers: { main: { id: 'main', image, variables } } });

void describe('one pipeline: plan, explain, graph and deploy agree', () => {
  let h: EngineHarness;
  const app = 'shop';
  const env = `/orgs/local/apps/${app}/envs/development`;

  before(async () => {
    h = await startEngineHarness();
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Shop' })).status, 201);
  });
  after(async () => {
    await h.stop();
  });

  it('lists the defaults as read-only definitions: is_default, readable by id, refused on update and delete', async () => {
    const list = await h.api<{ id: string; is_default: boolean }[]>('GET', '/orgs/local/resources/defs');
    assert.equal(list.status, 200);
    const defaults = list.body.filter((d) => d.is_default).map((d) => d.id);
    assert.ok(defaults.includes('baton-default-k8s-cluster'), `defaults listed: ${defaults.join(', ')}`);
    assert.ok(defaults.includes('baton-default-postgres'), `defaults listed: ${defaults.join(', ')}`);
    const one = await h.api<{ id: string; is_default: boolean; type: string }>('GET', '/orgs/local/resources/defs/baton-default-postgres');
    assert.equal(one.status, 200);
    assert.deepEqual([one.body.id, one.body.is_default, one.body.type], ['baton-default-postgres', true, 'postgres']);
    const patched = await h.api<{ message: string }>('PATCH', '/orgs/local/resources/defs/baton-default-postgres', { name: 'mine' });
    assert.equal(patched.status, 409);
    assert.match(patched.body.message, /Baton default.*cannot be changed or deleted/);
    assert.equal((await h.api('DELETE', '/orgs/local/resources/defs/baton-default-postgres')).status, 409);
    assert.equal((await h.api('POST', '/orgs/local/resources/defs', { id: 'baton-default-postgres', name: 'x', type: 'postgres', driver_type: 'humanitec/echo', criteria: [{}] })).status, 409);
  });

  it('explain, graph, plan and the deployment name the same default definitions; the deployment graph is served by id', async () => {
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: { add: { web: { profile: 'humanitec/default-module', externals: { db: { type: 'postgres' } }, spec: container('nginx:1', { DB_HOST: '${externals.db.host}' }) } } },
    });
    assert.equal(delta.status, 200, JSON.stringify(delta.body));

    const explained = await h.api<{ winner?: { def_id: string } }>('GET', `/orgs/local/baton/match?app=${app}&env=development&type=postgres&res_id=modules.web.externals.db`);
    assert.equal(explained.status, 200, JSON.stringify(explained.body));
    const explainedCluster = await h.api<{ winner?: { def_id: string } }>('GET', `/orgs/local/baton/match?app=${app}&env=development&type=k8s-cluster&res_id=k8s-cluster`);

    const graph = await h.api<{ nodes: { guresid: string; def_id: string; type: string; id: string }[] }>('POST', `${env}/resources/graphs`, [
      { id: 'modules.web.externals.db', type: 'postgres' },
      { id: 'modules.web', type: 'workload' },
    ]);
    assert.equal(graph.status, 200, JSON.stringify(graph.body));
    const graphDefs = Object.fromEntries(graph.body.nodes.map((n) => [`${n.type}#${n.id}`, n.def_id]));

    const plan = await h.api<PlanBody>('POST', `${env}/baton/plans`, { delta_id: delta.body.id });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const planDefs = Object.fromEntries(plan.body.resources.map((r) => [`${r.type}#${r.res_id}`, r.def_id]));

    const deploy = await h.api<{ id: string }>('POST', `${env}/deploys`, { delta_id: delta.body.id, plan_id: plan.body.id });
    assert.equal(deploy.status, 201, JSON.stringify(deploy.body));
    const done = await waitForDeployment(h, app, 'development', deploy.body.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const active = await h.api<{ type: string; res_id: string; def_id: string }[]>('GET', `${env}/resources`);
    const deployedDefs = Object.fromEntries(active.body.map((r) => [`${r.type}#${r.res_id}`, r.def_id]));

    assert.equal(explained.body.winner?.def_id, 'baton-default-postgres');
    assert.equal(explainedCluster.body.winner?.def_id, 'baton-default-k8s-cluster');
    const db = 'postgres#modules.web.externals.db';
    assert.deepEqual([graphDefs[db], planDefs[db], deployedDefs[db]], ['baton-default-postgres', 'baton-default-postgres', 'baton-default-postgres']);
    assert.deepEqual(planDefs, deployedDefs, 'the plan named exactly the definitions the deployment used');

    // The graph the deployment reports, with its edges.
    const deployment = await h.api<{ dependency_graph_id?: string }>('GET', `${env}/deploys/${deploy.body.id}`);
    const graphId = deployment.body.dependency_graph_id;
    assert.ok(graphId, 'the deployment reports its dependency graph');
    const stored = await h.api<{ id: string; nodes: { guresid: string; type: string; id: string; depends_on: string[] }[] }>('GET', `${env}/resources/graphs/${graphId}`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.id, graphId);
    const workload = stored.body.nodes.find((n) => n.type === 'workload' && n.id === 'modules.web');
    const database = stored.body.nodes.find((n) => n.type === 'postgres');
    assert.ok(workload && database, 'graph has the workload and its database');
    assert.ok(workload.depends_on.includes(database.guresid), `workload depends on the database: ${JSON.stringify(workload.depends_on)}`);
  });

  it('plans a workload that reads another workload\'s service name, alone and after an image bump of that workload', async () => {
    const apiDelta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: { add: { api: { profile: 'humanitec/default-module', spec: container('api:1', { WEB: 'http://${modules.web.service.name}:8080' }) } } },
    });
    const plan = await h.api<PlanBody & { message?: string }>('POST', `${env}/baton/plans`, { delta_id: apiDelta.body.id });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    assert.ok(plan.body.objects.some((o) => o.workload === 'api'), 'the api workload is rendered by the plan');
    const first = await h.api<{ id: string }>('POST', `${env}/deploys`, { delta_id: apiDelta.body.id, plan_id: plan.body.id });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal((await waitForDeployment(h, app, 'development', first.body.id)).status, 'succeeded');

    // An image bump of `web` (the workload the other one reads) plans and deploys too.
    const bump = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'nginx:2' }] } },
    });
    const bumpPlan = await h.api<PlanBody>('POST', `${env}/baton/plans`, { delta_id: bump.body.id });
    assert.equal(bumpPlan.status, 201, JSON.stringify(bumpPlan.body));
    const second = await h.api<{ id: string }>('POST', `${env}/deploys`, { delta_id: bump.body.id, plan_id: bumpPlan.body.id });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal((await waitForDeployment(h, app, 'development', second.body.id)).status, 'succeeded');
  });

  it('a definition whose outputs do not fit its type fails the plan, naming the field', async () => {
    // Humanitec's catalogue requires no output (issue 26), but a documented output must have its type: port is an integer.
    const created = await h.api('POST', '/orgs/local/resources/defs', {
      id: 'half-redis', name: 'half-redis', type: 'redis', driver_type: 'humanitec/echo', driver_inputs: { values: { host: 'cache.internal', port: 'six' } }, criteria: [{ app_id: app }],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: { add: { worker: { profile: 'humanitec/default-module', externals: { cache: { type: 'redis' } }, spec: container('worker:1', { REDIS: '${externals.cache.host}' }) } } },
    });
    const plan = await h.api<{ message: string }>('POST', `${env}/baton/plans`, { delta_id: delta.body.id });
    assert.equal(plan.status, 400, JSON.stringify(plan.body));
    assert.match(plan.body.message, /half-redis|redis/);
    assert.match(plan.body.message, /port/, 'the wrongly typed output is named');
    // The deployment fails the same way.
    const deploy = await h.api<{ id: string }>('POST', `${env}/deploys`, { delta_id: delta.body.id });
    const done = await waitForDeployment(h, app, 'development', deploy.body.id);
    assert.equal(done.status, 'failed');
    const errors = await h.api<{ message: string }[]>('GET', `${env}/deploys/${deploy.body.id}/errors`);
    assert.ok(errors.body.some((e) => /port/.test(e.message)), JSON.stringify(errors.body));
  });
});
