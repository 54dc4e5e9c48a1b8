/**
 * Plans (`POST .../baton/plans`): a plan followed by its deployment writes exactly the objects the plan showed, a
 * plan made stale by another deployment is refused, and planning has no side effects (no active resources, no
 * target writes, no calls to a driver with side effects). Also: a custom Go-template workload profile created
 * through the API renders in a deployment (the engine uses the org's profile registry).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { contentHash } from '../../src/profiles/index.js';
import { deriveManifestHashKey } from '../../src/secrets/index.js';
import { KeyedHasher } from '../../src/shared/keyed-hash.js';
import { objectKey } from '../../src/targets/index.js';
import type { K8sObject } from '../../src/targets/index.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

interface Plan {
  id: string;
  set_id: string;
  from_deploy_id?: string;
  set_diff: { modules: Record<string, unknown> };
  resources: { res_id: string; type: string; def_id: string; action: string; will_provision: boolean; outputs_known: boolean; rendered: boolean }[];
  orphaned: { res_id: string }[];
  objects: { key: string; hash: string; workload?: string; depends_on_unknown_outputs: boolean }[];
  manifests: { added: { key: string }[]; changed: { key: string; diff: string }[]; removed: { key: string }[]; unchanged: string[] };
  unresolved_workloads: { workload: string; message: string }[];
}

const GREETER_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .id }}-settings
data:
  greeting: {{ .spec.greeting | quote }}
`;

/** Baton's secret key in this test, so the test can compute the keyed content hashes the engine writes. */
const SECRET_KEY = randomBytes(32);
const HASHER = new KeyedHasher(deriveManifestHashKey(SECRET_KEY));

function writtenObjects(dir: string): K8sObject[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as K8sObject);
}

function hashesOf(objects: readonly K8sObject[]): Record<string, string> {
  return Object.fromEntries(objects.map((o): [string, string] => [objectKey(o), contentHash(o, HASHER)]).sort(([a], [b]) => (a < b ? -1 : 1)));
}

void describe('deployment plans', () => {
  let h: EngineHarness;
  let root: string;
  const driverCalls: string[] = [];
  const driver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      driverCalls.push(`${req.method ?? ''} ${req.url ?? ''}`);
      if (req.method !== 'PUT') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: { values: { bucket: 'bucket-1', region: 'eu' }, secrets: {} } }));
    });
  });
  const app = 'planned';

  before(async () => {
    h = await startEngineHarness({ secretKey: SECRET_KEY.toString('hex') });
    root = join(h.database.dataDir, 'manifests');
    await new Promise<void>((resolve) => driver.listen(0, '127.0.0.1', resolve));
    const driverUrl = `http://127.0.0.1:${(driver.address() as AddressInfo).port}/`;
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Planned' })).status, 201);
    const registered = await h.api('POST', '/orgs/local/resources/drivers', { id: 'bucket', type: 'config', target: driverUrl, account_types: [], inputs_schema: {} });
    assert.ok(registered.status < 300, JSON.stringify(registered.body));
    const definitions = [
      { id: 'planned-cluster', name: 'directory', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: app }] },
      { id: 'planned-bucket', name: 'bucket', type: 'config', driver_type: 'local/bucket', driver_inputs: { values: {} }, criteria: [{ app_id: app }] },
    ];
    for (const definition of definitions) {
      const created = await h.api('POST', '/orgs/local/resources/defs', definition);
      assert.ok(created.status < 300, JSON.stringify(created.body));
    }
  });
  after(async () => {
    await h.stop();
    await new Promise((resolve) => driver.close(resolve));
  });

  const webModule = (image: string) => ({
    profile: 'humanitec/default-module',
    externals: { bucket: { type: 'config' } },
    spec: { containers: { main: { id: 'main', image, variables: { BUCKET: '${externals.bucket.bucket}' } } }, service: { ports: { http: { service_port: 80, container_port: 8080 } } } },
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
  async function deploy(envId: string, body: object): Promise<{ status: number; body: { id: string } }> {
    const res = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/${envId}/deploys`, body);
    if (res.status === 201) {
      const done = await waitForDeployment(h, app, envId, res.body.id);
      const errors = done.status === 'failed' ? (await h.api('GET', `/orgs/local/apps/${app}/envs/${envId}/deploys/${res.body.id}/errors`)).body : [];
      assert.equal(done.status, 'succeeded', JSON.stringify(errors));
    }
    return res;
  }

  it('a plan has no side effects: no active resources, no target writes, no calls to a driver with side effects', async () => {
    const envPath = await createEnv('quiet');
    const callsBefore = driverCalls.length;
    const deltaId = await delta({ modules: { add: { web: webModule('web:1') } } });
    const planned = await h.api<Plan>('POST', `${envPath}/baton/plans`, { delta_id: deltaId, comment: 'first' });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    const plan = planned.body;

    assert.equal(driverCalls.length, callsBefore, 'the HTTP driver was not called');
    assert.deepEqual((await h.api<unknown[]>('GET', `${envPath}/resources`)).body, []);
    assert.equal(existsSync(join(root, app, 'quiet')), false, 'nothing was written to the target');
    assert.equal((await h.api<unknown[]>('GET', `${envPath}/deploys`)).body.length, 0);

    const bucket = plan.resources.find((r) => r.type === 'config');
    assert.ok(bucket);
    assert.deepEqual([bucket.action, bucket.will_provision, bucket.outputs_known, bucket.rendered], ['create', true, false, false]);
    const cluster = plan.resources.find((r) => r.type === 'k8s-cluster');
    assert.deepEqual([cluster?.def_id, cluster?.rendered, cluster?.outputs_known], ['planned-cluster', true, true]);
    assert.ok(Object.hasOwn(plan.set_diff.modules, 'add'));
    const deployment = plan.objects.find((o) => o.key === 'Deployment.apps/planned-quiet/web');
    assert.equal(deployment?.depends_on_unknown_outputs, true, 'the bucket name is only known after deploying');
    const service = plan.objects.find((o) => o.key === 'Service/planned-quiet/web');
    assert.equal(service?.depends_on_unknown_outputs, false);
    assert.ok(plan.manifests.added.some((a) => a.key === 'Deployment.apps/planned-quiet/web'));
    assert.equal(plan.manifests.removed.length + plan.manifests.changed.length, 0);

    const fetched = await h.api<Plan>('GET', `${envPath}/baton/plans/${plan.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, plan);
  });

  it('a plan followed by its deployment writes exactly the objects the plan showed', async () => {
    const envPath = await createEnv('exact');
    assert.equal((await deploy('exact', { delta_id: await delta({ modules: { add: { web: webModule('web:1') } } }) })).status, 201);
    const callsBefore = driverCalls.length;

    const deltaId = await delta({ modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'web:2' }] }, add: { worker: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: 'worker:1' } } } } } } });
    const plan = (await h.api<Plan>('POST', `${envPath}/baton/plans`, { delta_id: deltaId })).body;
    assert.equal(driverCalls.length, callsBefore, 'planning called no driver with side effects');
    assert.equal(plan.resources.find((r) => r.type === 'config')?.action, 'update');
    assert.equal(plan.resources.find((r) => r.type === 'k8s-cluster')?.action, 'unchanged');
    assert.ok(plan.objects.every((o) => !o.depends_on_unknown_outputs), 'outputs of the active bucket stand in');
    const changed = plan.manifests.changed.find((c) => c.key === 'Deployment.apps/planned-exact/web');
    assert.ok(changed, JSON.stringify(plan.manifests));
    assert.match(changed.diff, /^-\s+image: web:1$/m);
    assert.match(changed.diff, /^\+\s+image: web:2$/m);
    assert.ok(plan.manifests.added.some((a) => a.key === 'Deployment.apps/planned-exact/worker'));

    const deployed = await deploy('exact', { plan_id: plan.id, comment: 'as planned' });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const view = (await h.api<{ set_id: string }>('GET', `${envPath}/deploys/${deployed.body.id}`)).body;
    assert.equal(view.set_id, plan.set_id);
    const written = hashesOf(writtenObjects(join(root, app, 'exact')));
    const planned = Object.fromEntries(plan.objects.map((o): [string, string] => [o.key, o.hash]).sort(([a], [b]) => (a < b ? -1 : 1)));
    assert.deepEqual(written, planned);
  });

  it('the set diff of a plan that names a set (a redeploy) is from the set the environment runs now', async () => {
    const envPath = await createEnv('redeploy');
    const first = await deploy('redeploy', { delta_id: await delta({ modules: { add: { web: webModule('web:1') } } }) });
    await deploy('redeploy', { delta_id: await delta({ modules: { update: { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'web:2' }] } } }) });
    const firstSet = (await h.api<{ set_id: string }>('GET', `${envPath}/deploys/${first.body.id}`)).body.set_id;
    const plan = (await h.api<Plan & { set_diff: { modules: { update?: Record<string, { path: string; value: unknown }[]> } } }>('POST', `${envPath}/baton/plans`, { set_id: firstSet })).body;
    assert.equal(plan.set_id, firstSet);
    assert.deepEqual(plan.set_diff.modules.update?.web?.map((op) => [op.path, op.value]), [['/spec/containers/main/image', 'web:1']]);
  });

  it('a plan made stale by another deployment is refused with 409', async () => {
    const envPath = await createEnv('stale');
    const plan = (await h.api<Plan>('POST', `${envPath}/baton/plans`, { delta_id: await delta({ modules: { add: { web: webModule('web:1') } } }) })).body;
    assert.equal((await deploy('stale', { delta_id: await delta({ modules: { add: { other: webModule('other:1') } } }) })).status, 201);
    const refused = await h.api<{ message: string }>('POST', `${envPath}/deploys`, { plan_id: plan.id });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(refused.body.message, /stale/);

    // A fresh plan of the same change deploys.
    const fresh = (await h.api<Plan>('POST', `${envPath}/baton/plans`, { delta_id: await delta({ modules: { add: { web: webModule('web:1') } } }) })).body;
    assert.equal((await deploy('stale', { plan_id: fresh.id })).status, 201);
    assert.equal((await h.api('POST', `${envPath}/deploys`, { plan_id: 'plan-unknown' })).status, 404);
  });

  it('deploys a module with a custom Go-template workload profile created through the API', async () => {
    await createEnv('custom');
    const created = await h.api('POST', '/orgs/local/workload-profiles', {
      id: 'greeter',
      baton_template: GREETER_TEMPLATE,
      spec_schema: { type: 'object', required: ['greeting'], properties: { greeting: { type: 'string' } } },
    });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    const deltaId = await delta({ modules: { add: { greet: { profile: 'local/greeter', externals: {}, spec: { greeting: 'hello from a template' } } } } });
    assert.equal((await deploy('custom', { delta_id: deltaId })).status, 201);
    const configMap: (K8sObject & { data?: Record<string, string> }) | undefined = writtenObjects(join(root, app, 'custom')).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'greet-settings');
    assert.ok(configMap, 'the custom profile rendered the ConfigMap');
    assert.equal(configMap.data?.greeting, 'hello from a template');
    assert.equal(configMap.metadata.labels?.['app.kubernetes.io/managed-by'], 'baton');
  });
});
