/**
 * Issue 13, "one provisioning walk": the plan is the deployment pipeline in dry-run mode, so for generated sets
 * and definitions (echo and template drivers, classes, shared resources, resources reading other resources'
 * outputs, workloads reading each other's service names) the plan predicts exactly what the deployment then does:
 * the same resources from the same definitions, `create` exactly for those not active before, and the same
 * objects (by content hash) written to the target. Each generated case is two deployments in a fresh
 * environment, so `update`/`unchanged` predictions are exercised too. Fixed seed: the same cases every run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
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
  resources: { gu_res_id: string; type: string; res_id: string; def_id: string; def_version_id: string; action: string; outputs_known: boolean }[];
  objects: { key: string; hash: string; depends_on_unknown_outputs: boolean }[];
  unresolved_workloads: unknown[];
}

const CLASSES = ['default', 'blue', 'green'] as const;

/** A generated case: workloads with externals of type `config` in some class, and shared ones. */
interface Case {
  workloads: { externals: { name: string; cls: (typeof CLASSES)[number] }[]; readsService: boolean; image: number }[];
  shared: { cls: (typeof CLASSES)[number] }[];
  /** Per class: echo or template, and the value it outputs. */
  definitions: Record<(typeof CLASSES)[number], { driver: 'echo' | 'template'; value: string }>;
  secondImage: number;
}

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  workloads: fc.array(
    fc.record({
      externals: fc.uniqueArray(fc.record({ name: word, cls: fc.constantFrom(...CLASSES) }), { maxLength: 3, selector: (e) => e.name }),
      readsService: fc.boolean(),
      image: fc.integer({ min: 1, max: 9 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  shared: fc.array(fc.record({ cls: fc.constantFrom(...CLASSES) }), { maxLength: 2 }),
  definitions: fc.record({
    default: fc.record({ driver: fc.constantFrom('echo' as const, 'template' as const), value: word }),
    blue: fc.record({ driver: fc.constantFrom('echo' as const, 'template' as const), value: word }),
    green: fc.record({ driver: fc.constantFrom('echo' as const, 'template' as const), value: word }),
  }),
  secondImage: fc.integer({ min: 1, max: 9 }),
});

/** Baton's secret key in this test, so the test can compute the keyed content hashes the engine writes. */
const SECRET_KEY = randomBytes(32);
const HASHER = new KeyedHasher(deriveManifestHashKey(SECRET_KEY));

function writtenHashes(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const objects = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as K8sObject);
  return Object.fromEntries(objects.map((o): [string, string] => [objectKey(o), contentHash(o, HASHER)]).sort(([a], [b]) => (a < b ? -1 : 1)));
}

void describe('the plan predicts the deployment (generated sets and definitions)', () => {
  let h: EngineHarness;
  let root: string;
  let caseNo = 0;

  before(async () => {
    h = await startEngineHarness({ secretKey: SECRET_KEY.toString('hex') });
    root = join(h.database.dataDir, 'manifests');
  });
  after(async () => {
    await h.stop();
  });

  async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await h.api<T>(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Plans `deltaId`, deploys that plan, and checks the prediction against what happened. */
  async function planThenDeploy(app: string, deltaId: string): Promise<void> {
    const env = `/orgs/local/apps/${app}/envs/development`;
    const before = new Set((await ok<{ gu_res_id: string }[]>('GET', `${env}/resources`)).map((r) => r.gu_res_id));
    const plan = await ok<Plan>('POST', `${env}/baton/plans`, { delta_id: deltaId });
    assert.deepEqual(plan.unresolved_workloads, [], 'every output is known to a plan over echo and template drivers');
    const deployment = await ok<{ id: string }>('POST', `${env}/deploys`, { delta_id: deltaId, plan_id: plan.id });
    const done = await waitForDeployment(h, app, 'development', deployment.id);
    const errors = done.status === 'failed' ? await ok<unknown>('GET', `${env}/deploys/${deployment.id}/errors`) : [];
    assert.equal(done.status, 'succeeded', JSON.stringify(errors));

    const active = await ok<{ gu_res_id: string; def_id: string; def_version_id: string; orphaned?: boolean }[]>('GET', `${env}/resources`);
    const deployed = Object.fromEntries(active.filter((r) => r.orphaned !== true).map((r) => [r.gu_res_id, `${r.def_id}@${r.def_version_id}`]));
    const predicted = Object.fromEntries(plan.resources.map((r) => [r.gu_res_id, `${r.def_id}@${r.def_version_id}`]));
    assert.deepEqual(predicted, deployed, 'same resources from the same definitions and definition versions');
    for (const r of plan.resources) assert.equal(r.action === 'create', !before.has(r.gu_res_id), `action of ${r.res_id}: ${r.action}`);

    const planned = Object.fromEntries(plan.objects.map((o): [string, string] => [o.key, o.hash]).sort(([a], [b]) => (a < b ? -1 : 1)));
    assert.deepEqual(planned, writtenHashes(join(root, app, 'development')), 'same objects written');
  }

  it('for generated cases, plan and deployment agree on resources, actions and objects', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (generated) => {
        const app = `gen-${++caseNo}`;
        await ok('POST', '/orgs/local/apps', { id: app, name: app });
        await ok('POST', '/orgs/local/resources/defs', { id: `${app}-cluster`, name: 'dir', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: app }] });
        for (const cls of CLASSES) {
          const d = generated.definitions[cls];
          const values =
            d.driver === 'echo'
              ? { value: d.value, where: '${context.res.id}' }
              : { templates: { outputs: `value: {{ "${d.value}" | upper }}\nwhere: {{ .id | trunc 20 }}\n` } };
          await ok('POST', '/orgs/local/resources/defs', {
            id: `${app}-${cls}`, name: cls, type: 'config', driver_type: `humanitec/${d.driver}`, driver_inputs: { values }, criteria: [{ app_id: app, class: cls }],
          });
        }
        const names = generated.workloads.map((_, i) => `w${i}`);
        const modules = Object.fromEntries(
          generated.workloads.map((w, i) => {
            const variables: Record<string, string> = {};
            for (const e of w.externals) variables[`EXT_${e.name.toUpperCase()}`] = `\${externals.${e.name}.value}`;
            generated.shared.forEach((_, s) => (variables[`SHARED_${s}`] = `\${shared.s${s}.where}`));
            if (w.readsService && names.length > 1) variables.PEER = `http://\${modules.${names[(i + 1) % names.length]!}.service.name}`;
            return [
              names[i]!,
              {
                profile: 'humanitec/default-module',
                externals: Object.fromEntries(w.externals.map((e) => [e.name, { type: 'config', class: e.cls }])),
                spec: { containers: { main: { id: 'main', image: `img:${w.image}`, variables } }, service: { ports: { http: { service_port: 80, container_port: 8080 } } } },
              },
            ];
          }),
        );
        const shared = generated.shared.map((s, i) => ({ op: 'add', path: `/s${i}`, value: { type: 'config', class: s.cls } }));
        const first = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, { modules: { add: modules }, shared });
        await planThenDeploy(app, first.id);
        // Second deployment: an image bump of the first workload (resources update or stay unchanged).
        const second = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
          modules: { update: { w0: [{ op: 'replace', path: '/spec/containers/main/image', value: `img:${generated.secondImage}0` }] } },
        });
        await planThenDeploy(app, second.id);
      }),
      { seed: 1313, numRuns: 12, endOnFailure: true },
    );
  });
});
